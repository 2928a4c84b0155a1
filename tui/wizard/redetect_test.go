package wizard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
)

// rerunOptions leave a last run's answers in the options' directory,
// written on another machine: an ARM host named old-box. Detection now
// finds wsl-box on x86_64-linux.
func rerunOptions(t *testing.T) Options {
	t.Helper()
	r := fakeReport("/home/alice")
	opts := testOptions(t, r)
	prev := r.Defaults
	prev.Hostname, prev.System = "old-box", "aarch64-linux"
	prev.HomeBase.EnableTmux = !r.Defaults.HomeBase.EnableTmux
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(opts.Dir, flakegen.AnswersFile), flakegen.MarshalAnswers(prev), 0o644); err != nil {
		t.Fatal(err)
	}
	return opts
}

// TestRerunOffersDetectedValues: on a re-run the welcome shows the host
// name and system of the last run beside the detected ones and uses the
// detected ones unless the person presses their number; the questions
// start from the last run's other answers.
func TestRerunOffersDetectedValues(t *testing.T) {
	for _, keepOld := range []bool{false, true} {
		t.Run(map[bool]string{false: "detected", true: "old"}[keepOld], func(t *testing.T) {
			t.Parallel()
			opts := rerunOptions(t)
			runDriven(t, opts, 120, 40, func(t *testing.T, d *driver) {
				wantView(t, d, "1. host name: old-box → wsl-box; using wsl-box (detected)")
				wantView(t, d, "2. system: aarch64-linux → x86_64-linux; using x86_64-linux (detected)")
				wantView(t, d, "1-2 old/new value")
				if keepOld {
					d.press("1", "2")
					wantView(t, d, "using old-box (the last run's)")
					wantView(t, d, "using aarch64-linux (the last run's)")
				}
				a := d.m.Answers()
				wantHost, wantSystem := "wsl-box", "x86_64-linux"
				if keepOld {
					wantHost, wantSystem = "old-box", "aarch64-linux"
				}
				if a.Hostname != wantHost || a.System != wantSystem {
					t.Errorf("answers: host %q, system %q; want %q, %q", a.Hostname, a.System, wantHost, wantSystem)
				}
				if a.HomeBase.EnableTmux == fakeReport("/home/alice").Defaults.HomeBase.EnableTmux {
					t.Error("the answers do not start from the last run's (tmux)")
				}
			})
		})
	}
}

// TestRedetectOffersNewChanges: r on the welcome screen offers what the
// new detection finds different from the last run's as the first one did:
// a host renamed once more and a new user name are offered with the
// detected value in use, while the system, unchanged since the first
// detection, keeps the person's choice.
func TestRedetectOffersNewChanges(t *testing.T) {
	t.Parallel()
	opts := rerunOptions(t)
	var mu sync.Mutex
	report := fakeReport("/home/alice")
	opts.Deps.Detect = func(context.Context) detect.Report {
		mu.Lock()
		defer mu.Unlock()
		return report
	}
	runDriven(t, opts, 120, 40, func(t *testing.T, d *driver) {
		wantView(t, d, "1. host name: old-box → wsl-box; using wsl-box (detected)")
		d.press("2")
		wantView(t, d, "2. system: aarch64-linux → x86_64-linux; using aarch64-linux (the last run's)")

		mu.Lock()
		report.Defaults.Hostname = "new-box"
		report.Defaults.HomeBase.Username = "bob"
		mu.Unlock()
		d.press("r")
		wantView(t, d, "1. host name: old-box → new-box; using new-box (detected)")
		wantView(t, d, "2. system: aarch64-linux → x86_64-linux; using aarch64-linux (the last run's)")
		wantView(t, d, "3. user name: alice → bob; using bob (detected)")
		wantView(t, d, "1-3 old/new value")
		a := d.m.Answers()
		if a.Hostname != "new-box" || a.System != "aarch64-linux" || a.HomeBase.Username != "bob" {
			t.Errorf("answers after r: host %q, system %q, user %q; want new-box, aarch64-linux, bob", a.Hostname, a.System, a.HomeBase.Username)
		}
		d.press("3")
		wantView(t, d, "3. user name: alice → bob; using alice (the last run's)")
		if a := d.m.Answers(); a.HomeBase.Username != "alice" {
			t.Errorf("user name after 3: %q, want alice", a.HomeBase.Username)
		}
	})
}

// TestAccessibleRerunOffersDetectedValues: accessible mode shows the same
// changes and asks for each, the detected value first and the default.
func TestAccessibleRerunOffersDetectedValues(t *testing.T) {
	for _, keepOld := range []bool{false, true} {
		t.Run(map[bool]string{false: "detected", true: "old"}[keepOld], func(t *testing.T) {
			t.Parallel()
			opts := rerunOptions(t)
			opts.DryRun = true
			// The host name's choice, the system's, then every question
			// keeps its value, no diffs.
			choice := "\n\n"
			if keepOld {
				choice = "2\nold\n"
			}
			_, _, out := runPlain(t, opts, choice+"\n\n\n\n\n\n\n\n0\n\n\n\n\n")
			for _, w := range []string{"host name: old-box → wsl-box", "system: aarch64-linux → x86_64-linux", "1. wsl-box (detected) [default]", "2. old-box (the last run's)"} {
				if !strings.Contains(out, w) {
					t.Errorf("the output lacks %q:\n%s", w, out)
				}
			}
			want := []string{"host name: using wsl-box", "system: using x86_64-linux", "Configuration  alice@wsl-box  (x86_64-linux"}
			if keepOld {
				want = []string{"host name: keeping old-box", "system: keeping aarch64-linux", "Configuration  alice@old-box  (aarch64-linux"}
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("the output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
