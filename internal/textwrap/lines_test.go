package textwrap

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// pasteLines joins lines the way a shell does: a backslash at the end of a
// line joins it with the next one.
func pasteLines(text string) string {
	return strings.ReplaceAll(text, "\\\n", "")
}

func TestCommandLines(t *testing.T) {
	if got := CommandLines("home-manager switch --flake ~/.config/home-manager#a@b", 6, 80); len(got) != 1 {
		t.Errorf("a command that fits was broken: %q", got)
	}
	long := "/tmp/TestWizardRealSwitchInTmux3335008414/002/home-manager"
	for _, tt := range []struct {
		cmd   string
		words []string
	}{
		{"home-manager switch --flake " + long + "#fixture@fixturebox", []string{"switch", "--flake", long + "#fixture@fixturebox"}},
		{"home-manager switch --flake " + long + "/a-very-long-directory-name-that-goes-on#fixture@fixturebox", []string{"switch", "--flake", long + "/a-very-long-directory-name-that-goes-on#fixture@fixturebox"}},
		{"home-manager switch --flake ~/'my config'#a@b -b nixboard-backup", []string{"switch", "--flake", "HOME/my config#a@b", "-b", "nixboard-backup"}},
	} {
		for _, width := range []int{30, 60, 80} {
			lines := CommandLines(tt.cmd, 6, width)
			for i, l := range lines {
				if ansi.StringWidth(l) > width {
					t.Errorf("width %d: line too wide: %q", width, l)
				}
				if i < len(lines)-1 && !strings.HasSuffix(l, "\\") {
					t.Errorf("width %d: continued line without a backslash: %q", width, l)
				}
			}
			// Pasted into a shell, the lines are the command.
			script := strings.Replace(strings.Join(lines, "\n"), "home-manager", `printf '%s\n'`, 1)
			cmd := exec.Command("/bin/sh", "-c", script)
			cmd.Env = []string{"HOME=HOME"}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("sh: %v\n%s", err, script)
			}
			if got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); strings.Join(got, "|") != strings.Join(tt.words, "|") {
				t.Errorf("width %d: the shell reads\n%q\nfrom\n%s", width, got, strings.Join(lines, "\n"))
			}
		}
	}
}

// TestCommandLinesQuotedWordMovesLeft: a quoted word that does not fit at
// the continuation indent starts further left instead of overflowing, and
// the lines still paste as the command.
func TestCommandLinesQuotedWordMovesLeft(t *testing.T) {
	cmd := "home-manager switch --flake '/home/someone/.config/home-manager#someone@somehost' -b backup"
	lines := CommandLines(cmd, 7, 60)
	for _, l := range lines {
		if ansi.StringWidth(l) > 60 {
			t.Errorf("line too wide: %q", l)
		}
	}
	var words []string
	for _, l := range lines {
		words = append(words, strings.TrimSuffix(strings.TrimSpace(l), " \\"))
	}
	if got := strings.Join(words, " "); got != cmd {
		t.Errorf("the lines paste as\n%q, want\n%q", got, cmd)
	}
}
