package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// visibleCommands are the commands a person sees (and the man page and
// the completions name): nixboard's own and cobra's completion command.
func visibleCommands(t *testing.T) []*cobra.Command {
	t.Helper()
	var cmds []*cobra.Command
	root := rootCommand(&stdio{getenv: func(string) string { return "" }})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" {
				continue
			}
			cmds = append(cmds, sub)
			walk(sub)
		}
	}
	walk(root)
	if len(cmds) < len(commands()) {
		t.Fatalf("%d commands, want at least %d", len(cmds), len(commands()))
	}
	return cmds
}

// cmdPath is the command's arguments after "nixboard": "completion bash".
func cmdPath(c *cobra.Command) []string {
	return strings.Fields(strings.TrimPrefix(c.CommandPath(), "nixboard"))
}

// ownFlags are the flags defined on c itself, without help.
func ownFlags(c *cobra.Command) []string {
	var names []string
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" {
			names = append(names, f.Name)
		}
	})
	return names
}

func TestEveryHelpListsItsFlags(t *testing.T) {
	root := rootCommand(&stdio{getenv: func(string) string { return "" }})
	code, out, errOut := runCLI(t, nil, "--help")
	if code != 0 || errOut != "" {
		t.Fatalf("--help: exit %d, stderr %q", code, errOut)
	}
	for _, f := range ownFlags(root) {
		if !strings.Contains(out, "--"+f) {
			t.Errorf("--help does not list --%s:\n%s", f, out)
		}
	}
	for _, c := range visibleCommands(t) {
		args := append(cmdPath(c), "--help")
		code, out, errOut := runCLI(t, nil, args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
			continue
		}
		// fang shows the long description if there is one, else the
		// short; its first words, before fang wraps the lines.
		about := strings.Join(strings.Fields(cmp.Or(c.Long, c.Short))[:3], " ")
		if !strings.Contains(out, about) {
			t.Errorf("%v does not say what %s does (%q):\n%s", args, c.Name(), about, out)
		}
		for _, f := range ownFlags(c) {
			if !strings.Contains(out, "--"+f) {
				t.Errorf("%v does not list --%s:\n%s", args, f, out)
			}
		}
	}
}

func TestUnknownFlagIsUsageError(t *testing.T) {
	for _, args := range append([][]string{nil}, func() [][]string {
		var all [][]string
		for _, c := range visibleCommands(t) {
			all = append(all, cmdPath(c))
		}
		return all
	}()...) {
		args := append(args, "--no-such-flag")
		code, out, errOut := runCLI(t, map[string]string{"HOME": t.TempDir()}, args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "--no-such-flag") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing and the flag named", args, code, out, errOut)
		}
	}
}

func TestVersionFlagAndCommandAgree(t *testing.T) {
	want := "nixboard " + version + "\n"
	for _, args := range [][]string{{"--version"}, {"-v"}, {"-version"}, {"version"}, {"--accessible", "--version"}} {
		code, out, errOut := runCLI(t, nil, args...)
		if code != 0 || out != want || errOut != "" {
			t.Errorf("%v: exit %d %q %q, want 0 %q", args, code, out, errOut, want)
		}
	}
	if code, _, errOut := runCLI(t, nil, "completion", "nushell"); code != 2 || !strings.Contains(errOut, "nushell") {
		t.Errorf("completion nushell: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "version", "extra"); code != 2 || !strings.Contains(errOut, "no arguments") {
		t.Errorf("version extra: exit %d, %q", code, errOut)
	}
}

// TestOneDashLongFlags: nixboard took Go's flag syntax, one dash or two,
// and still does; a value after a flag that takes one is left alone.
func TestOneDashLongFlags(t *testing.T) {
	root := rootCommand(&stdio{getenv: func(string) string { return "" }})
	for _, tc := range []struct{ in, want []string }{
		{[]string{"doctor", "-json", "-demo", "wsl-ubuntu"}, []string{"doctor", "--json", "--demo", "wsl-ubuntu"}},
		{[]string{"-dir=x", "-help"}, []string{"--dir=x", "--help"}},
		{[]string{"render", "--dir", "-json", "-answers", "-yes"}, []string{"render", "--dir", "-json", "--answers", "-yes"}},
		{[]string{"switch", "-plain", "--", "-dry-run"}, []string{"switch", "--plain", "--", "-dry-run"}},
		{[]string{"-h", "-x", "-nothing"}, []string{"-h", "-x", "-nothing"}},
	} {
		if got := longFlagsWithOneDash(root, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	code, out, errOut := runCLI(t, nil, "doctor", "-json", "-demo", "wsl-ubuntu")
	if code > 1 || !strings.HasPrefix(out, "{") {
		t.Errorf("doctor -json -demo wsl-ubuntu: exit %d, %q %q", code, out, errOut)
	}
}

func TestHelpWithoutColour(t *testing.T) {
	// A terminal with NO_COLOR, and no terminal at all: no escapes.
	for _, tty := range []bool{true, false} {
		code, out, _ := runCLIWith(t, "", map[string]string{"NO_COLOR": "yes"}, tty, "render", "--help")
		if code != 0 || !strings.Contains(out, "--on-conflict") {
			t.Fatalf("render --help: exit %d\n%s", code, out)
		}
		noEscapes(t, out)
	}
	var errOut bytes.Buffer
	st := &stdio{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &errOut, errTTY: true,
		getenv: func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }}
	if code := run(context.Background(), st, []string{"--bogus"}); code != 2 || errOut.String() != "nixboard: unknown flag: --bogus\n" {
		t.Errorf("NO_COLOR on a terminal: exit %d, %q", code, errOut.String())
	}
}

func TestManPageNamesEveryCommandAndFlag(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "man")
	if code != 0 || errOut != "" {
		t.Fatalf("man: exit %d, %q", code, errOut)
	}
	if !strings.HasPrefix(out, ".TH NIXBOARD 1 ") || !strings.Contains(out, "\n.SH OPTIONS\n") || !strings.Contains(out, "\n.SH EXIT STATUS\n") {
		t.Fatalf("not a roff man page:\n%s", out)
	}
	// Bold text in the page: command and flag names.
	bold := map[string]bool{}
	for _, part := range strings.Split(out, `\fB`)[1:] {
		name, _, _ := strings.Cut(part, `\fP`)
		bold[name] = true
	}
	root := rootCommand(&stdio{getenv: func(string) string { return "" }})
	for _, f := range ownFlags(root) {
		if !bold["--"+f] {
			t.Errorf("man page does not name nixboard's --%s", f)
		}
	}
	for _, c := range visibleCommands(t) {
		if !bold[c.Name()] {
			t.Errorf("man page does not name the command %s", c.Name())
		}
		for _, f := range ownFlags(c) {
			if !bold["--"+f] {
				t.Errorf("man page does not name %s --%s", c.Name(), f)
			}
		}
	}
	// man itself reads it, where man is installed.
	if manPath, err := exec.LookPath("man"); err == nil {
		page := filepath.Join(t.TempDir(), "nixboard.1")
		os.WriteFile(page, []byte(out), 0o644)
		cmd := exec.Command(manPath, "-l", page)
		cmd.Env = append(os.Environ(), "MANPAGER=cat", "PAGER=cat", "MANWIDTH=80")
		text, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(text), "--demo-platform") || strings.Contains(string(text), `\f`) {
			t.Errorf("man -l: %v\n%s", err, text)
		}
	}
}

// completionScript returns `nixboard completion SHELL`, written to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, out, errOut := runCLI(t, nil, "completion", shell)
	if code != 0 || errOut != "" || !strings.Contains(out, "nixboard") {
		t.Fatalf("completion %s: exit %d, %q\n%s", shell, code, errOut, out)
	}
	file := filepath.Join(t.TempDir(), "nixboard."+shell)
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestCompletionScriptsParse: each shell accepts its script; PowerShell's
// is checked only where pwsh is installed (Debian has no package for it).
func TestCompletionScriptsParse(t *testing.T) {
	for _, tc := range []struct {
		shell string
		check []string
	}{
		{"bash", []string{"bash", "-n"}},
		{"zsh", []string{"zsh", "-n"}},
		{"fish", []string{"fish", "--no-execute"}},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			nixtest.RequireShell(t, tc.check[0])
			file := completionScript(t, tc.shell)
			if out, err := exec.Command(tc.check[0], append(tc.check[1:], file)...).CombinedOutput(); err != nil {
				t.Errorf("%s rejects the script: %v\n%s", tc.check[0], err, out)
			}
		})
	}
	t.Run("powershell", func(t *testing.T) {
		file := completionScript(t, "powershell")
		script, _ := os.ReadFile(file)
		if !strings.Contains(string(script), "Register-ArgumentCompleter -CommandName 'nixboard'") {
			t.Errorf("no argument completer for nixboard:\n%s", script)
		}
		pwsh, err := exec.LookPath("pwsh")
		if err != nil {
			t.Skip("pwsh not installed: the script is not parsed")
		}
		out, err := exec.Command(pwsh, "-NoProfile", "-Command",
			"$e = $null; [System.Management.Automation.Language.Parser]::ParseFile('"+file+"', [ref]$null, [ref]$e) | Out-Null; if ($e) { $e; exit 1 }").CombinedOutput()
		if err != nil {
			t.Errorf("pwsh rejects the script: %v\n%s", err, out)
		}
	})
}

// TestCompletionsInTheShell completes in real bash and fish, through the
// built binary on PATH: commands, a flag's values, and no file names
// where a command takes no arguments.
func TestCompletionsInTheShell(t *testing.T) {
	bin := filepath.Dir(buildNixboard(t))
	env := append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	t.Run("bash", func(t *testing.T) {
		nixtest.RequireShell(t, "bash")
		file := completionScript(t, "bash")
		complete := func(words ...string) []string {
			t.Helper()
			// The script calls bash-completion's _get_comp_words_by_ref
			// (Debian's bash-completion package, which a person's
			// interactive bash loads). Where that is not installed, a
			// stand-in gives the words as bash split them, which is what
			// it returns for words without = or :.
			script := `if [ -r /usr/share/bash-completion/bash_completion ]; then
  source /usr/share/bash-completion/bash_completion
else
  _get_comp_words_by_ref() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
fi
source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
__start_nixboard nixboard "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null; printf '%s\n' "${COMPREPLY[@]}"`
			cmd := exec.Command("bash", append([]string{"-c", script, "bash", file}, words...)...)
			cmd.Env = env
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %v", words, err)
			}
			return strings.Fields(string(out))
		}
		if got := complete("nixboard", "do"); !slices.Equal(got, []string{"doctor"}) {
			t.Errorf("nixboard do<tab>: %q", got)
		}
		if got := complete("nixboard", "doctor", "--demo", ""); !sameWords(got, detect.DemoNames()) {
			t.Errorf("doctor --demo <tab>: %q, want %q", got, detect.DemoNames())
		}
		if got := complete("nixboard", "render", "--on-conflict", ""); !sameWords(got, []string{"keep", "new", "markers"}) {
			t.Errorf("render --on-conflict <tab>: %q", got)
		}
		if got := complete("nixboard", "switch", "--pr"); !slices.Equal(got, []string{"--preview"}) {
			t.Errorf("switch --pr<tab>: %q", got)
		}
	})
	t.Run("fish", func(t *testing.T) {
		nixtest.RequireShell(t, "fish")
		file := completionScript(t, "fish")
		complete := func(line string) []string {
			t.Helper()
			cmd := exec.Command("fish", "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, file, line)
			cmd.Env = env
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			var words []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				w, _, _ := strings.Cut(l, "\t")
				words = append(words, w)
			}
			return words
		}
		if got := complete("nixboard --demo-platform "); !sameWords(got, detect.DemoNames()) {
			t.Errorf("--demo-platform <tab>: %q, want %q", got, detect.DemoNames())
		}
		if got := complete("nixboard hist"); !slices.Equal(got, []string{"history"}) {
			t.Errorf("hist<tab>: %q", got)
		}
	})
}

// sameWords says whether a and b hold the same words in any order: shells
// sort completions their own way.
func sameWords(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// onTerminal runs the built nixboard with stdout and stderr on a terminal
// (a pty) and stdin from /dev/null, and returns its exit status and what
// it wrote. With stdin not a terminal, fang does not ask the terminal for
// its background colour, so nothing waits for an answer.
func onTerminal(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	cmd := exec.Command(buildNixboard(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	// The read ends with EIO once nixboard, the last holder of the
	// terminal, exited.
	out, _ := io.ReadAll(ptmx)
	err = cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

// TestStyledOnTerminal: on a terminal help and usage errors are styled
// (fang), and with NO_COLOR set to anything, plain.
func TestStyledOnTerminal(t *testing.T) {
	colour := []string{"TERM=xterm-256color", "NO_COLOR=", "CLICOLOR_FORCE="}
	code, out := onTerminal(t, colour, "render", "--help")
	if code != 0 || !strings.Contains(out, "\x1b[") || !strings.Contains(out, "--on-conflict") {
		t.Errorf("render --help on a terminal: exit %d, no styles or flags:\n%q", code, out)
	}
	code, out = onTerminal(t, colour, "--bogus")
	if code != 2 || !strings.Contains(out, "\x1b[") || !strings.Contains(out, "ERROR") || !strings.Contains(out, "--bogus") {
		t.Errorf("--bogus on a terminal: exit %d, not a styled error naming the flag:\n%q", code, out)
	}
	// A usage error that the command finds itself, not cobra.
	code, out = onTerminal(t, colour, "render")
	if code != 2 || !strings.Contains(out, "\x1b[") || !strings.Contains(out, "ERROR") || !strings.Contains(out, "render needs --answers FILE") {
		t.Errorf("render on a terminal: exit %d, not a styled error:\n%q", code, out)
	}
	noColour := []string{"TERM=xterm-256color", "NO_COLOR=yes", "CLICOLOR_FORCE="}
	for _, args := range [][]string{{"render", "--help"}, {"--bogus"}, {"render"}} {
		code, out := onTerminal(t, noColour, args...)
		if code == 1 || strings.Contains(out, "\x1b") {
			t.Errorf("%v with NO_COLOR=yes: exit %d, escapes in\n%q", args, code, out)
		}
	}
}
