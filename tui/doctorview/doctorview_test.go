package doctorview

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/tui/theme"
)

func demoReport(t *testing.T, name string) detect.Report {
	t.Helper()
	m, err := detect.Demo(name)
	if err != nil {
		t.Fatal(err)
	}
	return detect.Run(context.Background(), m, detect.Options{})
}

func TestRenderFitsWidth(t *testing.T) {
	for _, name := range detect.DemoNames() {
		r := demoReport(t, name)
		for _, width := range []int{40, 80, 132} {
			for _, noColor := range []bool{true, false} {
				out := Render(r, width, theme.New(true, noColor))
				if noColor && strings.Contains(out, "\x1b") {
					t.Errorf("%s/%d: plain output holds escapes", name, width)
				}
				if !noColor && !strings.Contains(out, "\x1b[") {
					t.Errorf("%s/%d: styled output has no styles", name, width)
				}
				for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
					// Only a fix's single shell word, too long to break, may overflow.
					words := textwrap.ShellWords(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(ansi.Strip(line)), "fix: "), " \\"))
					if w := ansi.StringWidth(line); w > width && len(words) > 1 {
						t.Errorf("%s/%d: line is %d cells wide: %q", name, width, w, ansi.Strip(line))
					}
				}
				for _, c := range r.Checks {
					if !strings.Contains(ansi.Strip(out), c.ID) {
						t.Errorf("%s/%d: check %s missing", name, width, c.ID)
					}
				}
			}
		}
	}
}

func TestRenderSummary(t *testing.T) {
	out := Render(demoReport(t, "linux-x86_64"), 100, theme.New(true, true))
	for _, want := range []string{
		"Fedora Linux 42 (Workstation Edition) · x86_64-linux",
		"✗ nix.installed",
		// detect.InstallAdvice: Determinate's installer where systemd runs.
		"fix: curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix",
		"ada@thinkpad-x1",
		"1 failed. Fix the failed checks first",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out = Render(demoReport(t, "wsl-ubuntu"), 100, theme.New(true, true))
	for _, want := range []string{"WSL 2 with systemd", "! nix.flakes", "1 warning. Ready for home-manager."} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestRenderLongFixFits checks that a fix broken over several lines fits
// the width on every line, the continuation lines' deeper indent included.
func TestRenderLongFixFits(t *testing.T) {
	fix := "sudo apt-get install -y git curl xz-utils ca-certificates build-essential pkg-config libssl-dev zlib1g-dev unzip jq"
	r := detect.Report{Checks: []detect.Check{{ID: "git.installed", Status: detect.StatusWarn, Message: "git is not installed", Fix: fix}}}
	for _, width := range []int{40, 60, 80} {
		out := Render(r, width, theme.New(true, true))
		var parts []string
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if w := ansi.StringWidth(line); w > width {
				t.Errorf("%d: line is %d cells wide: %q", width, w, line)
			}
			if p, ok := strings.CutPrefix(strings.TrimSpace(line), "fix: "); ok || len(parts) > 0 && strings.HasPrefix(line, "             ") {
				if !ok {
					p = strings.TrimSpace(line)
				}
				parts = append(parts, strings.TrimSuffix(p, " \\"))
			}
		}
		if len(parts) < 2 {
			t.Errorf("%d: the fix was not broken over lines: %q", width, parts)
		}
		if got := strings.Join(parts, " "); got != fix {
			t.Errorf("%d: the fix lines do not join back into the fix:\n got  %q\n want %q", width, got, fix)
		}
	}
}
