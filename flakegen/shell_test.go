package flakegen

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// This file is the proof that values validation accepts stay data in the
// shell scripts home-manager writes from them. It writes, from the values,
// exactly the text home-manager (release-26.05) writes for aliases and
// session variables, sources it in the real bash, zsh, sh and fish, and
// checks that every value reads back as the person meant and that nothing
// ran. It is a test harness standing in for those files, not home-manager.

// escapeShellArg is nixpkgs' lib.escapeShellArg (lib/strings.nix, line 1200
// at nixpkgs.lib de42d44): a value of only [[:alnum:],._+:@%/-] (ASCII, as
// Nix's regex matches bytes) stays as it is, anything else is put between
// single quotes with ' written as '\”.
func escapeShellArg(s string) string {
	if regexp.MustCompile(`^[A-Za-z0-9,._+:@%/-]+$`).MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// hmSessionVarsSh is hm-session-vars.sh as home-manager writes it
// (modules/home-environment.nix, home.sessionVariablesPackage, lines
// 655-671): the guard, then config.lib.shell.exportAll, one
// `export NAME="VALUE"` per variable (modules/lib/shell.nix, `export`),
// in attribute-name order (lib.mapAttrsToList).
func hmSessionVarsSh(vars map[string]string) string {
	var b strings.Builder
	b.WriteString("# Only source this once.\n")
	b.WriteString(`if [ -n "${__HM_SESS_VARS_SOURCED-}" ]; then return; fi` + "\n")
	b.WriteString("export __HM_SESS_VARS_SOURCED=1\n\n")
	for _, n := range slices.Sorted(maps.Keys(vars)) {
		fmt.Fprintf(&b, "export %s=\"%s\"\n", n, vars[n])
	}
	b.WriteString("\n")
	return b.String()
}

// fishRef is how babelfish writes a reference $NAME or ${NAME} found
// inside double quotes (bouk/babelfish translate/translate.go, paramExp):
// "$NAME", with bash's HOSTNAME as fish's hostname and UID, EUID and GROUPS
// as commands (its specialVariables and literalVariables).
func fishRef(name string) string {
	switch name {
	case "UID":
		return "(id -ru)"
	case "EUID":
		return "(id -u)"
	case "GROUPS":
		return "(id -G | string split ' ')"
	case "HOSTNAME":
		name = "hostname"
	}
	return `"$` + name + `"`
}

// fishLiteral is babelfish's escapedString: single quotes, with \ and '
// escaped by a backslash.
func fishLiteral(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// valueParts splits an accepted session-variable value into its text and
// its references, in order: parts[i] is text when refs[i] is "".
func valueParts(v string) (parts, refs []string) {
	var lit strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '$' {
			lit.WriteByte(v[i])
			continue
		}
		n, ok := envRef(v[i+1:])
		if !ok {
			// Not a reference validation accepts: the harness, fed such
			// values directly, takes the $ as meant literally.
			lit.WriteByte('$')
			continue
		}
		if lit.Len() > 0 {
			parts, refs = append(parts, lit.String()), append(refs, "")
			lit.Reset()
		}
		name := strings.Trim(v[i+1:i+1+n], "{}")
		parts, refs = append(parts, ""), append(refs, name)
		i += n
	}
	if lit.Len() > 0 {
		parts, refs = append(parts, lit.String()), append(refs, "")
	}
	return parts, refs
}

// hmSessionVarsFish is what programs.fish makes of hm-session-vars.sh
// (modules/programs/fish.nix, sessionVarsPkg, lines 406-414): babelfish's
// translation inside a function that is then called. Each export becomes
// `set -gx NAME` followed by the value's parts side by side: text through
// fishLiteral, references through fishRef (translate.go, declClause,
// assign and wordPart with a double-quoted word). The guard is written in
// fish by hand here; it holds no value.
func hmSessionVarsFish(vars map[string]string) string {
	var b strings.Builder
	b.WriteString("function setup_hm_session_vars;\n")
	b.WriteString("if set -q __HM_SESS_VARS_SOURCED; return; end\n")
	b.WriteString("set -gx __HM_SESS_VARS_SOURCED 1\n")
	for _, n := range slices.Sorted(maps.Keys(vars)) {
		b.WriteString("set -gx " + n + " ")
		parts, refs := valueParts(vars[n])
		for i := range parts {
			if refs[i] != "" {
				b.WriteString(fishRef(refs[i]))
			} else {
				b.WriteString(fishLiteral(parts[i]))
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("end\nsetup_hm_session_vars\n")
	return b.String()
}

// hmAliases is the alias block of each shell's startup file:
// bash `alias -- NAME=VALUE` (modules/programs/bash.nix, line 212; the
// name is not quoted), zsh `alias -- NAME=VALUE` with both quoted
// (modules/programs/zsh/default.nix, line 379), fish `alias NAME VALUE`
// (modules/programs/fish.nix, line 342), VALUE through lib.escapeShellArg.
// fish's aliases sit in `status is-interactive; and begin ... end`
// (fish.nix, lines 769-780); the harness runs fish without a terminal, so
// it keeps the begin/end block and drops the interactivity test.
func hmAliases(shell string, aliases map[string]string) string {
	var b strings.Builder
	if shell == "fish" {
		b.WriteString("begin\n")
	}
	for _, k := range slices.Sorted(maps.Keys(aliases)) {
		v := escapeShellArg(aliases[k])
		switch shell {
		case "bash":
			fmt.Fprintf(&b, "alias -- %s=%s\n", k, v)
		case "zsh":
			fmt.Fprintf(&b, "alias -- %s=%s\n", escapeShellArg(k), v)
		case "fish":
			fmt.Fprintf(&b, "alias %s %s\n", k, v)
		}
	}
	if shell == "fish" {
		b.WriteString("end\n")
	}
	return b.String()
}

// volatile are variables whose value changes from one expansion to the
// next; a value referring to them cannot be compared, only checked to run
// nothing.
var volatile = map[string]bool{"RANDOM": true, "SRANDOM": true, "SECONDS": true, "LINENO": true,
	"EPOCHSECONDS": true, "EPOCHREALTIME": true, "BASHPID": true, "BASH_COMMAND": true, "HISTCMD": true,
	"_": true, "BASH_LINENO": true, "BASH_SOURCE": true, "FUNCNAME": true, "status": true, "pipestatus": true,
	"CMD_DURATION": true, "fish_pid": true, "last_pid": true, "ERRNO": true, "TTYIDLE": true, "argv": true,
	"PWD": true, "SHLVL": true, "ZSH_EVAL_CONTEXT": true, "ZSH_SUBSHELL": true, "funcstack": true,
	"funcfiletrace": true, "funcsourcetrace": true, "functrace": true, "SHELL": true, "PPID": true}

// shellSet is one set of values as the shells receive them.
type shellSet struct {
	aliases map[string]string
	env     map[string]string
}

// shells are the shells that read home-manager's files: sh (dash) and
// bash source hm-session-vars.sh from ~/.profile, zsh from ~/.zshenv,
// fish its translation; sh gets no aliases from home-manager.
var shells = []string{"bash", "zsh", "sh", "fish"}

// checkInShells sources the files for set in every shell and reports
// every difference from what the person meant, and anything that ran.
func checkInShells(t testing.TB, set shellSet) {
	t.Helper()
	for _, sh := range shells {
		checkInShell(t, sh, set)
	}
}

func checkInShell(t testing.TB, sh string, set shellSet) {
	t.Helper()
	root := t.TempDir()
	work, out := filepath.Join(root, "home"), filepath.Join(root, "out")
	for _, d := range []string{work, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := filepath.Join(root, "files")
	os.Mkdir(files, 0o755)

	// Every variable a value refers to is read before the files are
	// sourced, so the expected values can be worked out in the order the
	// exports run.
	var refNames []string
	for _, v := range set.env {
		_, refs := valueParts(v)
		for _, r := range refs {
			if r != "" && !slices.Contains(refNames, r) {
				refNames = append(refNames, r)
			}
		}
	}
	slices.Sort(refNames)
	aliasNames := slices.Sorted(maps.Keys(set.aliases))

	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	var script strings.Builder
	write := func(name, text string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	switch sh {
	case "fish":
		vars := write("hm-session-vars.fish", hmSessionVarsFish(set.env))
		aliases := write("aliases.fish", hmAliases("fish", set.aliases))
		script.WriteString("printf '%s\\0' start")
		for _, r := range refNames {
			script.WriteString(" " + fishRef(r))
		}
		fmt.Fprintf(&script, " > %s/refs\n", q(out))
		fmt.Fprintf(&script, "source %s; or exit 3\n", q(vars))
		fmt.Fprintf(&script, "env -0 > %s/env\n", q(out))
		fmt.Fprintf(&script, "functions -n > %s/functions-before\n", q(out))
		fmt.Fprintf(&script, "source %s; or exit 4\n", q(aliases))
		fmt.Fprintf(&script, "functions -n > %s/functions-after\n", q(out))
		for i, n := range aliasNames {
			fmt.Fprintf(&script, "functions -Dv %s > %s/alias-%d-details\n", q(n), q(out), i)
			fmt.Fprintf(&script, "functions %s > %s/alias-%d\n", q(n), q(out), i)
		}
	default:
		vars := write("hm-session-vars.sh", hmSessionVarsSh(set.env))
		script.WriteString("printf '%s\\0' start")
		for _, r := range refNames {
			script.WriteString(` "${` + r + `-}"`)
		}
		fmt.Fprintf(&script, " > %s/refs\n", q(out))
		fmt.Fprintf(&script, ". %s || exit 3\n", q(vars))
		fmt.Fprintf(&script, "env -0 > %s/env\n", q(out))
		if sh != "sh" {
			aliases := write("aliases."+sh, hmAliases(sh, set.aliases))
			fmt.Fprintf(&script, ". %s || exit 4\n", q(aliases))
			table := "BASH_ALIASES"
			if sh == "zsh" {
				table = "aliases"
			}
			fmt.Fprintf(&script, "printf '%%s\\0' start > %s/aliases\n", q(out))
			for _, n := range aliasNames {
				fmt.Fprintf(&script, "n=%s; printf '%%s\\0' \"${%s[$n]-(unset)}\" >> %s/aliases\n", q(n), table, q(out))
			}
		}
	}
	driver := write("driver", script.String())

	var args []string
	switch sh {
	case "bash":
		args = []string{"/bin/bash", "--norc", "--noprofile", driver}
	case "zsh":
		args = []string{"zsh", "-f", driver}
	case "sh":
		args = []string{"/bin/sh", driver}
	case "fish":
		args = []string{"fish", "--no-config", driver}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = work
	cmd.Env = []string{"HOME=" + work, "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "USER=alice",
		"XDG_CONFIG_HOME=" + filepath.Join(root, "xdg-config"),
		"XDG_DATA_HOME=" + filepath.Join(root, "xdg-data"), "XDG_CACHE_HOME=" + filepath.Join(root, "xdg-cache"),
		"XDG_STATE_HOME=" + filepath.Join(root, "xdg-state"), "NB_SET=set value", "NB_PATHS=/a:/b",
		"TERM=dumb"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	label := fmt.Sprintf("%s, aliases %q, variables %q", sh, set.aliases, set.env)
	// Nothing ran: the home directory the files were sourced in is as
	// empty as it was (every canary in the seeds writes there).
	if ents, _ := os.ReadDir(work); len(ents) > 0 {
		t.Errorf("%s: a value ran as code: it created %s\nscript:\n%s", label, ents[0].Name(), readFiles(files))
	}
	if err != nil || stdout.Len() > 0 || stderr.Len() > 0 {
		t.Errorf("%s: sourcing printed or failed (%v)\nstdout: %s\nstderr: %s\nscript:\n%s", label, err, stdout.Bytes(), stderr.Bytes(), readFiles(files))
		return
	}
	read := func(name string) []string {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
	}

	// Session variables: each is its text with every reference replaced by
	// the referred variable's value when its export ran.
	now := map[string]string{}
	for i, v := range read("refs")[1:] {
		now[refNames[i]] = v
	}
	env := map[string]string{}
	for _, kv := range read("env") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for _, n := range slices.Sorted(maps.Keys(set.env)) {
		parts, refs := valueParts(set.env[n])
		var want strings.Builder
		comparable := true
		for i := range parts {
			if refs[i] == "" {
				want.WriteString(parts[i])
				continue
			}
			comparable = comparable && !volatile[refs[i]]
			want.WriteString(now[refs[i]])
		}
		got, ok := env[n]
		switch {
		case !ok:
			t.Errorf("%s: %s is not in the environment", label, n)
		case comparable && got != want.String():
			t.Errorf("%s: %s reads back as %q, want %q", label, n, got, want.String())
		}
		now[n] = got
	}

	// Aliases: bash's and zsh's alias tables hold exactly the value;
	// fish's alias defined one function per alias and no other, whose
	// description holds the value and whose body ends with $argv (the
	// value did not end the function early).
	switch sh {
	case "bash", "zsh":
		for i, got := range read("aliases")[1:] {
			if want := set.aliases[aliasNames[i]]; got != want {
				t.Errorf("%s: alias %s reads back as %q, want %q", label, aliasNames[i], got, want)
			}
		}
	case "fish":
		before, after := read0("functions-before", out), read0("functions-after", out)
		// fish has functions of its own (ll, la), which an alias replaces.
		for _, f := range after {
			if !slices.Contains(before, f) && !slices.Contains(aliasNames, f) {
				t.Errorf("%s: the aliases defined the function %q, which is none of them", label, f)
			}
		}
		for _, n := range aliasNames {
			if !slices.Contains(after, n) {
				t.Errorf("%s: alias %s defined no function", label, n)
			}
		}
		for i, n := range aliasNames {
			details := read0(fmt.Sprintf("alias-%d-details", i), out)
			if want := "alias " + n + " " + set.aliases[n]; len(details) < 5 || details[4] != want {
				t.Errorf("%s: alias %s reads back as %q, want description %q", label, n, details, want)
			}
			def := strings.TrimSpace(strings.Join(read0(fmt.Sprintf("alias-%d", i), out), "\n"))
			body, ok := strings.CutSuffix(def, "end")
			if !ok || !strings.HasSuffix(strings.TrimSpace(body), "$argv") {
				t.Errorf("%s: alias %s is the function\n%s\nwhich does not end with the value and $argv", label, n, def)
			}
		}
	}
}

// read0 reads a file of lines.
func read0(name, dir string) []string {
	data, _ := os.ReadFile(filepath.Join(dir, name))
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func readFiles(dir string) string {
	var b strings.Builder
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		fmt.Fprintf(&b, "--- %s\n%s", e.Name(), data)
	}
	return b.String()
}

// acceptedShellSet builds the answers for one set of values and returns
// what validation accepts of it, as the shells receive it: the editor as
// EDITOR and VISUAL (the base layer's mkDefault, which a variable of the
// person's own overrides), the variables and the aliases. Each value is
// validated alone, so one refused value does not hide the others.
func acceptedShellSet(editor string, aliases, env map[string]string) (shellSet, []string) {
	set := shellSet{aliases: map[string]string{}, env: map[string]string{}}
	var refused []string
	try := func(what string, edit func(*Answers)) bool {
		a := sample()
		edit(&a)
		if err := a.Validate(); err != nil {
			refused = append(refused, fmt.Sprintf("%s: %v", what, err))
			return false
		}
		return true
	}
	if try("editor", func(a *Answers) { a.HomeBase.DefaultEditor = editor }) {
		set.env["EDITOR"], set.env["VISUAL"] = editor, editor
	}
	for k, v := range env {
		if try("variable "+k, func(a *Answers) { a.HomeBase.EnvironmentVariables = map[string]string{k: v} }) {
			set.env[k] = v
		}
	}
	for k, v := range aliases {
		if try("alias "+k, func(a *Answers) { a.HomeBase.ShellAliases = map[string]string{k: v} }) {
			set.aliases[k] = v
		}
	}
	return set, refused
}

// shellCase is one of issue 9's attacks, or a value people use.
type shellCase struct {
	name    string
	editor  string
	aliases map[string]string
	env     map[string]string
	// refuse lists what validation must refuse ("editor", "alias NAME",
	// "variable NAME"); everything else must be accepted.
	refuse []string
}

var shellCases = []shellCase{
	{name: "editor closing the quotes", editor: `nvim"; touch pwned; echo "`, refuse: []string{"editor"}},
	{name: "editor with a command substitution", editor: "$(touch pwned)vim", refuse: []string{"editor"}},
	{name: "editor as a quoted macOS path", editor: `"/Applications/Sublime Text.app/Contents/SharedSupport/bin/subl" -w`, refuse: []string{"editor"}},
	{name: "editor with arguments", editor: "code --wait"},
	{name: "editor as a path", editor: "/usr/local/bin/hx +startinsert -c=x"},
	{name: "bash ${C@P} over values built from $ and (touch ...)", editor: "nvim",
		env:    map[string]string{"A": "$", "B": "(touch pwned)", "C": "${A}${B}", "D": "${C@P}"},
		refuse: []string{"variable A", "variable D"}},
	{name: "bash arithmetic subscript", editor: "nvim",
		env:    map[string]string{"A": "x[$", "B": "${HOME:${A}(touch pwned)]}"},
		refuse: []string{"variable A", "variable B"}},
	{name: "bash assignment and prompt expansion in one value", editor: "nvim",
		env:    map[string]string{"A": "${B:=${C:=$}(touch pwned)}${B@P}"},
		refuse: []string{"variable A"}},
	{name: "zsh (e) flag", editor: "nvim",
		env:    map[string]string{"A": "$(", "B": "touch pwned)", "C": "${A}${B}", "D": "${(e)C}"},
		refuse: []string{"variable A", "variable D"}},
	{name: "zsh subscript and modifier", editor: "nvim",
		env:    map[string]string{"A": "$HOME[1]", "B": "$HOME:h", "C": "$HOMEé"},
		refuse: []string{"variable A", "variable B", "variable C"}},
	{name: "references people write", editor: "nvim",
		env: map[string]string{"GOPATH": "$HOME/go", "NB_X": "${NB_SET}:${GOPATH}/bin:$NB_PATHS", "NB_Y": "it's 100% plain, (really) & ~/x; #!*?[a]{b}",
			"NB_Z": "", "NB_W": "Zoë 山田 🚀", "_JAVA_OPTIONS": "-Dawt.useSystemAAFontSettings=on"}},
	{name: "fish alias value ending in a backslash", editor: "nvim",
		aliases: map[string]string{"a": `ls \`, "b": `; touch pwned #`},
		refuse:  []string{"alias a", "alias b"}},
	{name: "fish alias closing its function", editor: "nvim",
		aliases: map[string]string{"c": "ls; end; touch pwned; function x", "d": "ls\nend"},
		refuse:  []string{"alias c", "alias d"}},
	{name: "fish alias opening a block", editor: "nvim",
		aliases: map[string]string{"e": "begin; ls", "f": "ls # comment", "g": "echo ${HOME}", "h": "--help"},
		refuse:  []string{"alias e", "alias f", "alias g", "alias h"}},
	{name: "aliases people write", editor: "nvim",
		aliases: map[string]string{"ll": "ls -l", "gs": "git status", "..": "cd ..", "g": "git",
			"myip": "curl -s https://ifconfig.me | jq -r .ip && echo", "it": `echo "it's $HOME" 'a "b"' (date) $(id -u)`,
			"q": "grep -v 'end' >/dev/null 2>&1 || true", "b:r": "echo {a,b} ~ *.go", "x@y": "printf '%s' x"}},
	{name: "reserved keys", editor: "nvim",
		aliases: map[string]string{"_type": "ls", "__toString": "ls", "__functor": "ls"},
		env:     map[string]string{"_type": "if", "__functor": "x", "PROMPT_COMMAND": "touch pwned", "ZDOTDIR": "/tmp"},
		refuse:  []string{"alias _type", "alias __toString", "alias __functor", "variable _type", "variable __functor", "variable PROMPT_COMMAND", "variable ZDOTDIR"}},
	{name: "invisible characters", editor: "nvim\u202e",
		aliases: map[string]string{"l\u200bs": "ls", "m": "ls\ufeff"},
		env:     map[string]string{"V": "/bin\u202e"},
		refuse:  []string{"editor", "alias l\u200bs", "alias m", "variable V"}},
}

// TestShellValues holds validation to issue 9's attacks and to values
// people use, and sources what it accepts in the real shells.
func TestShellValues(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		nixtest.RequireShell(t, sh)
	}
	for _, c := range shellCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			set, refused := acceptedShellSet(c.editor, c.aliases, c.env)
			for _, what := range c.refuse {
				if !slices.ContainsFunc(refused, func(r string) bool { return strings.HasPrefix(r, what+":") }) {
					t.Errorf("%s is accepted; it must be refused", what)
				}
			}
			for _, r := range refused {
				what, _, _ := strings.Cut(r, ":")
				if !slices.Contains(c.refuse, what) {
					t.Errorf("refused, but meant to be accepted: %s", r)
				}
			}
			checkInShells(t, set)
		})
	}
}

// FuzzShellValues drives the harness with arbitrary values: an editor,
// two aliases (fish reads one alias's quotes into the next) and four
// variables that refer to each other. Whatever validation accepts must read
// back as meant and run nothing in bash, zsh, sh and fish. The seeds are
// issue 9's cases; `go test` runs them, and
// go test -run '^$' -fuzz FuzzShellValues ./flakegen searches further.
func FuzzShellValues(f *testing.F) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		nixtest.RequireShell(f, sh)
	}
	// The cases' values in the order of their names: the cases that
	// refer from one variable to another name them A to D, as here.
	ordered := func(m map[string]string, n int, fill string) []string {
		var vs []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			vs = append(vs, m[k])
		}
		for len(vs) < n {
			vs = append(vs, fill)
		}
		return vs
	}
	for _, c := range shellCases {
		al, envs := ordered(c.aliases, 2, "ls -l"), ordered(c.env, 4, "$NB_SET")
		f.Add(c.editor, al[0], al[1], envs[0], envs[1], envs[2], envs[3])
	}
	f.Fuzz(func(t *testing.T, editor, alias1, alias2, a, b, c, d string) {
		set, _ := acceptedShellSet(editor,
			map[string]string{"a1": alias1, "a2": alias2},
			map[string]string{"A": a, "B": b, "C": c, "D": d})
		checkInShells(t, set)
	})
}

// recorder is a testing.TB that keeps the failures it is told of, for
// holding the harness itself to what it must find.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Helper() {}

// TestShellHarnessFindsCode holds the harness to its job: given values
// validation refuses, written as home-manager writes them, it must report
// that they ran or read back wrong in the shell they attack.
func TestShellHarnessFindsCode(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		nixtest.RequireShell(t, sh)
	}
	for _, c := range []struct {
		shell string
		set   shellSet
		want  string
	}{
		{"bash", shellSet{env: map[string]string{"EDITOR": `nvim"; touch pwned; echo "`}}, "ran as code"},
		{"zsh", shellSet{env: map[string]string{"EDITOR": "$(touch pwned)vim"}}, "ran as code"},
		{"sh", shellSet{env: map[string]string{"V": "$HOME$HOME"}, aliases: nil}, ""},
		{"fish", shellSet{aliases: map[string]string{"a": `ls \`, "b": `; touch pwned #`}}, "ran as code"},
		{"fish", shellSet{aliases: map[string]string{"c": "ls; end; touch pwned; function x"}}, "ran as code"},
		{"fish", shellSet{aliases: map[string]string{"e": "ls; end; begin"}}, "sourcing printed or failed"},
		{"fish", shellSet{aliases: map[string]string{"e": "ls; end; begin; true"}}, "does not end with the value"},
		{"bash", shellSet{aliases: map[string]string{"f": "ls -l"}, env: map[string]string{"G": "x"}}, ""},
	} {
		r := &recorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			checkInShell(r, c.shell, c.set)
		}()
		<-done
		got := strings.Join(r.failures, "\n")
		switch {
		case c.want == "" && got != "":
			t.Errorf("%s %v: the harness failed a safe set:\n%s", c.shell, c.set, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%s %v: the harness said %q, want a report containing %q", c.shell, c.set, got, c.want)
		}
	}
}

// TestInvisibleCharactersRefusedAndEscaped: a bidi control or zero-width
// character is refused wherever a value is read as a name, command or
// path, and the error shows it escaped (never raw, where it would reorder
// the message itself). A person's name may need one (ZWNJ in Persian).
func TestInvisibleCharactersRefusedAndEscaped(t *testing.T) {
	for _, r := range []rune{'\u202e', '\u200b', '\ufeff', '\u2066', '\u200d'} {
		for _, f := range []struct {
			field string
			set   func(a *Answers, s string)
		}{
			{"homeBase.username", func(a *Answers, s string) { a.HomeBase.Username = "ali" + s + "ce" }},
			{"homeBase.homeDirectory", func(a *Answers, s string) { a.HomeBase.HomeDirectory = "/home/ali" + s + "ce" }},
			{"homeBase.defaultEditor", func(a *Answers, s string) { a.HomeBase.DefaultEditor = "nv" + s + "im" }},
			{"homeBase.shellAliases", func(a *Answers, s string) { a.HomeBase.ShellAliases = map[string]string{"l" + s: "ls"} }},
			{"homeBase.shellAliases.l", func(a *Answers, s string) { a.HomeBase.ShellAliases = map[string]string{"l": "ls" + s} }},
			{"homeBase.environmentVariables", func(a *Answers, s string) { a.HomeBase.EnvironmentVariables = map[string]string{"X" + s: "1"} }},
			{"homeBase.environmentVariables.X", func(a *Answers, s string) { a.HomeBase.EnvironmentVariables = map[string]string{"X": "/bin" + s} }},
			{"hostname", func(a *Answers, s string) { a.Hostname = "host" + s }},
		} {
			a := sample()
			f.set(&a, string(r))
			err := a.Validate()
			if err == nil {
				t.Errorf("%s with %U is accepted", f.field, r)
				continue
			}
			msg := err.Error()
			if strings.ContainsRune(msg, r) || !strings.Contains(msg, f.field) ||
				!strings.Contains(msg, strings.TrimPrefix(fmt.Sprintf("%+q", string(r)), `"`)[:6]) {
				t.Errorf("%s with %U: the error does not name the field and show the character escaped: %q", f.field, r, msg)
			}
		}
	}
	a := sample()
	a.Git.Name = "Mahsa Mohammadi\u200cnia"
	if err := a.Validate(); err != nil {
		t.Errorf("a name with a zero-width non-joiner is refused: %v", err)
	}
}

// TestAliasOperatorsAsFishReadsThem: fish refuses to define an alias whose
// operators or redirections have nothing where a command or file belongs
// (measured with fish 3.6's alias); validation refuses the same values and
// accepts the ones fish takes.
func TestAliasOperatorsAsFishReadsThem(t *testing.T) {
	nixtest.RequireShell(t, "fish")
	refused := []string{"| ls", "ls | | x", "ls && && x", "ls & & x", "&& ls", "ls < <", "echo ><", "ls >& x"}
	accepted := []string{"ls ;; x", "; ls", "ls >", "ls 2>&1 >/dev/null", "ls &>x", "ls ||", "a=b ls", "ls >>", "ls |", "ls &", "ls >&-"}
	for _, v := range refused {
		if aliasValueProblem(v) == "" {
			t.Errorf("alias value %q is accepted; fish cannot define it", v)
		}
	}
	for _, v := range accepted {
		if p := aliasValueProblem(v); p != "" {
			t.Errorf("alias value %q is refused (%s); fish defines it", v, p)
		}
	}
	set := shellSet{aliases: map[string]string{}}
	for i, v := range accepted {
		set.aliases[fmt.Sprintf("a%d", i)] = v
	}
	checkInShells(t, set)
}
