package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// Sequences a terminal obeys, and characters that reorder or hide text:
// none of them may reach the terminal from a path, a flag or a file.
const (
	osc     = "\x1b]0;pwned\x07"       // sets the window title
	c1OSC   = "\u009d0;pwned\u009c"    // the same as 8-bit C1 controls in UTF-8
	clear   = "\x1b[2J"                // clears the screen
	reorder = "\u202eevil\u202c\u200b" // right-to-left override, zero width space
)

// rawControls reports the first raw control, C1, bidi or zero-width
// character in s (newline and tab are fine), or "".
func rawControls(s string) string {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return string(r)
		case r == '\u202e' || r == '\u202c' || r == '\u200b' || r == '\ufeff':
			return string(r)
		}
	}
	return ""
}

func checkEscaped(t *testing.T, what, out, errOut string, wantShown ...string) {
	t.Helper()
	for name, s := range map[string]string{"stdout": out, "stderr": errOut} {
		if c := rawControls(s); c != "" {
			t.Errorf("%s: %s holds a raw %q:\n%q", what, name, c, s)
		}
	}
	for _, w := range wantShown {
		if !strings.Contains(out+errOut, w) {
			t.Errorf("%s: the output does not show %q escaped:\n%q\n%q", what, w, out, errOut)
		}
	}
}

// TestOutsideTextIsEscaped: control characters in --dir, in flag names and
// values, in unknown keys and wrong-typed values of an answers file, and in
// its path, are printed escaped, never raw.
func TestOutsideTextIsEscaped(t *testing.T) {
	badKeys := writeAnswers(t, `{
  "homeBase": {"username": "alice", "homeDirectory": "/home/alice", "x\u001b]0;pwned\u0007": 1, "shellAliases": {"g\u202e": 1}},
  "hostname": ["\u009d0;pwned\u009c"],
  "`+reorder+`": "\u001b[2J",
  "system": "x86_64-linux", "platform": "linux"
}`)
	for _, tc := range []struct {
		name  string
		args  []string
		shown []string
	}{
		{"unknown keys and wrong types", []string{"render", "--answers", badKeys, "--dir", t.TempDir()},
			[]string{`x\x1b]0;pwned\x07`, `\u009d0;pwned\u009c`, `\u202eevil\u202c\u200b`}},
		{"the answers file's path", []string{"render", "--answers", filepath.Join(t.TempDir(), osc+c1OSC+".json")},
			[]string{`\x1b]0;pwned\x07\u009d0;pwned\u009c.json`}},
		{"an unknown flag", []string{"render", "--" + osc}, []string{`\x1b]0;pwned\x07`}},
		{"a flag value", []string{"doctor", "--timeout", clear}, []string{`\x1b[2J`}},
		{"an argument", []string{"render", "--answers", badKeys, reorder}, []string{`\u202eevil`}},
		{"switch --dir", []string{"switch", "--dry-run", "--dir", filepath.Join(t.TempDir(), osc)}, []string{`\x1b]0;pwned\x07`}},
		{"the wizard's --answers", []string{"--answers", filepath.Join(t.TempDir(), osc), "--yes"}, []string{`\x1b]0;pwned\x07`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, map[string]string{"HOME": t.TempDir()}, tc.args...)
			if code == 0 {
				t.Errorf("exit 0, want a failure:\n%q\n%q", out, errOut)
			}
			checkEscaped(t, tc.name, out, errOut, tc.shown...)
		})
	}
}

// TestRenderDirIsEscaped: a --dir holding an OSC is rendered into (it is
// a valid directory name), and every line naming it shows it escaped.
func TestRenderDirIsEscaped(t *testing.T) {
	nixtest.RequireGit(t)
	answers := writeAnswers(t, renderAnswers)
	dir := filepath.Join(t.TempDir(), "hm"+osc+reorder)
	for _, args := range [][]string{
		{"render", "--answers", answers, "--dir", dir, "--dry-run"},
		{"render", "--answers", answers, "--dir", dir},
	} {
		code, out, errOut := runCLI(t, nil, args...)
		if code != 0 {
			t.Fatalf("%q: exit %d\n%q\n%q", args, code, out, errOut)
		}
		checkEscaped(t, strings.Join(args[len(args)-1:], " "), out, errOut, `hm\x1b]0;pwned\x07\u202eevil\u202c\u200b`)
	}
}
