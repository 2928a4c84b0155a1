package wizardlogic

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/nixlog"
)

// pasteLines joins lines the way a shell does: a backslash at the end of a
// line joins it with the next one.
func pasteLines(text string) string {
	return strings.ReplaceAll(text, "\\\n", "")
}

func hintWords(d DoneInfo) []string {
	var out []string
	for _, h := range d.Hints {
		out = append(out, h.Title, h.Fix)
	}
	return out
}

func TestShellPath(t *testing.T) {
	for _, tt := range []struct{ path, home, tilde, shell string }{
		{"/home/alice/.config/home-manager", "/home/alice", "~/.config/home-manager", "~/.config/home-manager"},
		{"/home/alice", "/home/alice", "~", "~"},
		{"/home/alicex/cfg", "/home/alice", "/home/alicex/cfg", "/home/alicex/cfg"},
		{"/home/alice/my config", "/home/alice/", "~/my config", "~/'my config'"},
		{"/srv/it's", "", "/srv/it's", `'/srv/it'\''s'`},
		{"/etc/x", "/", "/etc/x", "/etc/x"},
	} {
		if got := TildePath(tt.path, tt.home); got != tt.tilde {
			t.Errorf("TildePath(%q, %q) = %q, want %q", tt.path, tt.home, got, tt.tilde)
		}
		if got := ShellPath(tt.path, tt.home); got != tt.shell {
			t.Errorf("ShellPath(%q, %q) = %q, want %q", tt.path, tt.home, got, tt.shell)
		}
	}
}

// TestDoneLinesFit lays out every kind of Done screen at 40, 80 and 132
// columns: no line is wider, commands paste whole, paths under home are
// ~/....
func TestDoneLinesFit(t *testing.T) {
	a := validAnswers()
	a.HomeBase.Username, a.Hostname = "alice", "a-rather-long-host-name-for-this-test"
	long := "/tmp/TestWizardRealSwitchInTmux3335008414/002/home-manager"
	cases := map[string]DoneInfo{
		"ok":        {Answers: a, Dir: "/home/alice/.config/home-manager", Home: "/home/alice", LogPath: "/home/alice/.local/state/nixboard/logs/switch-20261127-050816.log", Took: 42 * time.Second},
		"ok long":   {Answers: a, Dir: long, Home: "/home/alice", LogPath: long + "/logs/switch-20261127-050816.log"},
		"no switch": {Answers: a, Dir: long, Home: "/home/alice", NoSwitch: true},
		"dry run":   {Answers: a, Dir: long, DryRun: true},
		"failed": {Answers: a, Dir: "/home/alice/.config/home-manager", Home: "/home/alice", Failed: true,
			Reason: "Existing file '/home/alice/.bashrc' would be clobbered by backing up to /home/alice/.bashrc.nixboard-backup",
			Hints:  []nixlog.Hint{{Title: "Move the old backup away", Fix: "mv /home/alice/.bashrc.nixboard-backup /home/alice/.bashrc.old"}}, LogPath: "/home/alice/.local/state/nixboard/logs/x.log"},
	}
	for name, d := range cases {
		for _, width := range []int{40, 80, 132} {
			lines := DoneLines(d, width)
			text := strings.Join(lines, "\n")
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > width {
					t.Errorf("%s at %d: line of %d: %q", name, width, w, l)
				}
			}
			// The reason and the hints quote home-manager and the
			// diagnosis; everything nixboard writes shows ~/....
			mine := strings.Join(strings.Fields(pasteLines(text)), " ")
			for _, quoted := range append([]string{d.Reason}, hintWords(d)...) {
				mine = strings.ReplaceAll(mine, strings.Join(strings.Fields(quoted), " "), "")
			}
			if strings.Contains(mine, "/home/alice/") {
				t.Errorf("%s at %d: a path under home is not shown as ~/...:\n%s", name, width, text)
			}
			if d.DryRun {
				continue
			}
			want := SwitchCommand(d.Dir, d.Home, d.Answers)
			if d.Failed {
				// home-manager may not be installed before the first
				// successful switch; nixboard switch runs the pinned one.
				want = "nixboard switch --dir " + ShellPath(d.Dir, d.Home)
			}
			if !strings.Contains(strings.Join(strings.Fields(pasteLines(text)), " "), want) {
				t.Errorf("%s at %d: the pasted lines do not give %q:\n%s", name, width, want, text)
			}
			if 6+ansi.StringWidth(want) <= width && !strings.Contains(text, want) {
				t.Errorf("%s at 132: the command does not stay on one line:\n%s", name, text)
			}
		}
	}
	if got := SwitchCommand("/home/alice/.config/home-manager", "/home/alice", a); got != "home-manager switch --flake ~/.config/home-manager#"+a.ConfigName() {
		t.Errorf("SwitchCommand = %q", got)
	}
	var _ flakegen.Answers = a
}

// TestDoneLinesSuccessHints: a switch that succeeded but asked for one more
// step (home-manager's GPU setup on non-NixOS Linux) shows it on Done.
func TestDoneLinesSuccessHints(t *testing.T) {
	const fix = "sudo /nix/store/0c2xk3w1sbkq8pwsb6nmpkbds5fgk8r8-non-nixos-gpu/bin/non-nixos-gpu-setup"
	d := DoneInfo{Answers: validAnswers(), Dir: "/home/alice/.config/home-manager", Home: "/home/alice",
		Hints: []nixlog.Hint{{Title: "set up GPU drivers for programs from Nix (once, as root)", Fix: fix}}}
	text := strings.Join(DoneLines(d, 132), "\n")
	if !strings.Contains(text, "home-manager asks you to:") || !strings.Contains(text, "    "+fix) {
		t.Errorf("the hint is missing from Done:\n%s", text)
	}
	d.Hints = nil
	if text := strings.Join(DoneLines(d, 132), "\n"); strings.Contains(text, "asks you to") {
		t.Errorf("Done without hints mentions them:\n%s", text)
	}
}

func TestReviewSummaryWraps(t *testing.T) {
	a := validAnswers()
	lines := ReviewSummary(a, "/home/alice/.config/home-manager", "/home/alice", nil, 40)
	text := strings.Join(lines, "\n")
	if !strings.Contains(text, "Directory      ~/.config/home-manager") {
		t.Errorf("the directory under home is not ~/...:\n%s", text)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 40 {
			t.Errorf("line wider than 40: %q", l)
		}
	}
	// A wrapped value continues under itself.
	for i, l := range lines {
		if strings.HasPrefix(l, "Modules on") && (i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], strings.Repeat(" ", 15))) {
			t.Errorf("the modules row does not continue under its value:\n%s", text)
		}
	}
}

// The demo removes its directory as it ends: no closing text of the demo
// names it, and each says how to set up one's own.
func TestDemoDoneLinesNameNoDirectory(t *testing.T) {
	a := validAnswers()
	dir := "/tmp/nixboard-demo-0-wsl-ubuntu/home-manager"
	for name, d := range map[string]DoneInfo{
		"ok":        {Answers: a, Dir: dir, Home: "/home/alice", LogPath: dir + "/switch.log"},
		"no switch": {Answers: a, Dir: dir, Home: "/home/alice", NoSwitch: true},
		"blocked":   {Answers: a, Dir: dir, Home: "/home/alice", NoSwitch: true, Blocked: true},
		"dry run":   {Answers: a, Dir: dir, DryRun: true},
		"failed":    {Answers: a, Dir: dir, Failed: true, Reason: "the recorded switch failed"},
	} {
		d.Demo = true
		text := strings.Join(strings.Fields(strings.Join(DoneLines(d, 80), " ")), " ")
		if strings.Contains(text, "nixboard-demo-") || !strings.Contains(text, "Run nixboard without --demo") {
			t.Errorf("%s:\n%s", name, text)
		}
	}
}

// TestDoneLinesFlakesOff: when flakes are off in the person's own Nix
// configuration (nixboard turns them on for its own runs only), the
// `home-manager switch --flake` that Done offers would fail by hand: Done
// gives the nix.conf fix beside it, after a switch and without one.
func TestDoneLinesFlakesOff(t *testing.T) {
	const fix = "mkdir -p ~/.config/nix && echo 'extra-experimental-features = nix-command flakes' >> ~/.config/nix/nix.conf"
	for _, tt := range []struct {
		name string
		d    DoneInfo
	}{
		{"switched", DoneInfo{}},
		{"no switch", DoneInfo{NoSwitch: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			d.Answers, d.Dir, d.Home = validAnswers(), "/home/alice/.config/home-manager", "/home/alice"
			paste := func(s string) string { return continued.ReplaceAllString(s, " ") }
			on := paste(strings.Join(DoneLines(d, 80), "\n"))
			if strings.Contains(on, "flakes") && !strings.Contains(on, "--flake") {
				t.Errorf("flakes on, yet Done speaks of them:\n%s", on)
			}
			d.FlakesFix = fix
			text := strings.Join(DoneLines(d, 80), "\n")
			pasted := paste(text)
			if !strings.Contains(pasted, fix) || !strings.Contains(text, "Flakes are off") {
				t.Errorf("Done lacks the flakes fix:\n%s", text)
			}
			if strings.Index(pasted, fix) > strings.Index(pasted, "home-manager switch --flake") {
				t.Errorf("the fix comes after the command it is needed for:\n%s", text)
			}
		})
	}
}

// continued is a command's line break: " \", the new line and the indent
// of the next line.
var continued = regexp.MustCompile(` \\\s*\n\s*`)

// TestDoneLinesShowCodeFrame: the wizard's last screen after an evaluation
// error shows the code frame as it is (never wrapped: the caret keeps its
// column), cut to the width.
func TestDoneLinesShowCodeFrame(t *testing.T) {
	code := []string{"at home.nix:3:11:", `     3|   y = x + "foo";`, "      |           ^"}
	d := DoneInfo{Answers: validAnswers(), Dir: "/home/alice/.config/home-manager", Home: "/home/alice", Failed: true,
		Reason: "evaluation error at home.nix:3", Hints: []nixlog.Hint{{Title: "Nix could not evaluate the configuration (home.nix:3)", Code: code}}}
	lines := DoneLines(d, 80)
	text := strings.Join(lines, "\n")
	for _, l := range code {
		if !strings.Contains(text, "    "+l) {
			t.Errorf("Done lacks %q:\n%s", l, text)
		}
	}
	for _, l := range DoneLines(d, 20) {
		if w := ansi.StringWidth(l); w > 20 && strings.Contains(l, "|") {
			t.Errorf("line wider than 20 (%d): %q", w, l)
		}
	}
}
