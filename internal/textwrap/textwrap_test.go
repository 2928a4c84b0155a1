package textwrap

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWordsBreaksBetweenWords(t *testing.T) {
	text := "Change home.nix in /tmp/TestWizardRealSwitchInTmux3335008414/002/home-manager, then apply it with the command below."
	for _, width := range []int{20, 40, 80} {
		lines := Words(text, width)
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > width {
				t.Errorf("width %d: line of %d: %q", width, w, l)
			}
		}
		// Only the path, longer than 20 cells, may be broken, and then
		// after a slash.
		got := strings.Fields(strings.Join(lines, " "))
		want := strings.Fields(text)
		if width >= 80 && strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("width %d: words changed:\n%q\n%q", width, got, want)
		}
		for i, l := range lines {
			if i+1 < len(lines) && !strings.HasSuffix(l, "/") && strings.HasPrefix(lines[i+1], "002") {
				t.Errorf("width %d: path broken outside a slash: %q", width, lines)
			}
		}
	}
	if got := Words("kept  as  is", 40); len(got) != 1 || got[0] != "kept  as  is" {
		t.Errorf("a line that fits changed: %q", got)
	}
}

// TestShellPastes checks that a broken command line, pasted into a
// shell, is the same command: lines end in " \" and break between words.
func TestShellPastes(t *testing.T) {
	cmd := `mkdir -p ~/.config/nix && echo 'extra-experimental-features = nix-command flakes' >> ~/.config/nix/nix.conf`
	for _, width := range []int{20, 40, 60, 200} {
		lines := Shell(cmd, width)
		joined := strings.Join(lines, "\n")
		if got := strings.ReplaceAll(joined, " \\\n", " "); got != cmd {
			t.Errorf("width %d: pasted %q, want %q", width, got, cmd)
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > width && len(ShellWords(l)) > 2 {
				t.Errorf("width %d: line too wide: %q", width, l)
			}
		}
	}
	if got := ShellWords(`echo 'a b' "c d" e`); strings.Join(got, "|") != `echo|'a b'|"c d"|e` {
		t.Errorf("shellWords = %q", got)
	}
}

// TestShellComment: a comment line is wrapped as comment lines, never
// continued with a backslash (which does not continue a comment, so the
// rest would run as a command), and an apostrophe in it is no quote.
func TestShellComment(t *testing.T) {
	c := "# 1. Remove Debian's Nix: its programs (nix-bin), its nix-daemon units and /etc/nix/nix.conf"
	for _, width := range []int{30, 50} {
		lines := Shell(c, width)
		if len(lines) < 2 {
			t.Fatalf("width %d: not wrapped: %q", width, lines)
		}
		var words []string
		for _, l := range lines {
			if !strings.HasPrefix(l, "# ") || strings.HasSuffix(l, "\\") || ansi.StringWidth(l) > width {
				t.Errorf("width %d: line %q is not a comment that fits", width, l)
			}
			words = append(words, strings.Fields(strings.TrimPrefix(l, "#"))...)
		}
		if got := "# " + strings.Join(words, " "); got != c {
			t.Errorf("width %d: rejoined %q, want %q", width, got, c)
		}
	}
}

func TestWordsNarrow(t *testing.T) {
	got := Words("home-manager is not installed yet: the first switch runs it", 20)
	want := []string{"home-manager is not", "installed yet: the", "first switch runs it"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Words = %q, want %q", got, want)
	}
	if got := Words(strings.Repeat("x", 45), 20); len(got) != 3 || got[0] != strings.Repeat("x", 20) {
		t.Errorf("long word: %q", got)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 files were", 1: "1 file was", 2: "2 files were"} {
		if got := Count(n, "file was", "files were"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestWordsKeepsHyphenatedNames: x/ansi breaks after any hyphen, but a
// name such as home-manager or a path with hyphens moves to the next line
// whole; only a word wider than the line is broken, after a "/", and no
// character is lost.
func TestWordsKeepsHyphenatedNames(t *testing.T) {
	got := Words("then apply it with home-manager switch -b nixboard-backup", 24)
	want := []string{"then apply it with", "home-manager switch -b", "nixboard-backup"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Words = %q, want %q", got, want)
	}
	path := "/home/someone/.local/state/nixboard/logs/switch-2026-12-04T02-38-07.log"
	for _, width := range []int{20, 30, 45} {
		lines := Words("full log: "+path+" kept", width)
		for _, l := range lines {
			if ansi.StringWidth(l) > width {
				t.Errorf("width %d: line too wide: %q", width, l)
			}
		}
		if got := strings.ReplaceAll(strings.Join(lines, ""), " ", ""); got != "fulllog:"+path+"kept" {
			t.Errorf("width %d: rejoined %q", width, got)
		}
		for _, l := range lines[:len(lines)-1] {
			if strings.HasSuffix(l, "-") {
				t.Errorf("width %d: broken after a hyphen: %q", width, lines)
			}
		}
	}
}
