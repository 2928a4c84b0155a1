package wizard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/tui/switchview"
	"github.com/nixboard/nixboard/tui/theme"
)

// tooOldNix is the fake WSL machine with a Nix older than nixpkgs allows:
// a blocker detection knows about before any switch.
func tooOldNix(home string) detect.Report {
	r := fakeReport(home)
	v := "2.8.0"
	r.Nix.Version = &v
	r.Checks = append(r.Checks, detect.Check{ID: "nix.version", Status: detect.StatusFail,
		Message: "Nix 2.8.0 is older than 2.18", Fix: "sudo determinate-nixd upgrade"})
	return r
}

// errFakeSwitch is what the fake switch ends with, so a test can tell that
// it ran.
var errFakeSwitch = errors.New("the fake switch ran")

// countingSwitch is a switch that counts its starts and fails at once.
func countingSwitch(n *atomic.Int32) SwitchFunc {
	return func(context.Context, string, flakegen.Answers, theme.Styles) (switchview.Config, error) {
		n.Add(1)
		return switchview.Config{}, errFakeSwitch
	}
}

// TestWizardBlockersStopTheSwitch: when detection already knows the switch
// cannot succeed (Nix too old), the review says so with the reason and
// fix, and after the files are written the switch is not started: the
// screen says why, enter finishes without it, t tries it anyway, and r
// checks the machine again and starts it once nothing blocks.
func TestWizardBlockersStopTheSwitch(t *testing.T) {
	for _, tt := range []struct {
		name     string
		key      string
		fixed    bool // the second detection finds nothing blocking
		switches int32
		final    string
	}{
		{"finish without switching", "enter", false, 0, "The switch was not started"},
		{"try anyway", "t", false, 1, "The switch failed: " + errFakeSwitch.Error()},
		{"check again after fixing", "r", true, 1, "The switch failed: " + errFakeSwitch.Error()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			blocked := tooOldNix("/home/alice")
			opts := testOptions(t, blocked)
			opts.NoSwitch = false
			var detections, switches atomic.Int32
			opts.Deps.Detect = func(context.Context) detect.Report {
				if detections.Add(1) > 1 && tt.fixed {
					return fakeReport("/home/alice")
				}
				return blocked
			}
			opts.Deps.Switch = countingSwitch(&switches)
			runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
				wantView(t, d, "answer a few questions")
				d.press("enter")
				acceptPages(t, d, 1, 5)
				wantView(t, d, "write files")
				d.press("enter")
				wantView(t, d, "try anyway")
				if n := switches.Load(); n != 0 {
					t.Fatalf("the switch started %d times despite the blocker", n)
				}
				d.press(tt.key)
				wantView(t, d, "[Done]")
				d.press("q")
				m, view := d.m, d.finalView()
				if n := switches.Load(); n != tt.switches {
					t.Errorf("the switch started %d times, want %d", n, tt.switches)
				}
				flat := strings.Join(strings.Fields(view), " ")
				if !strings.Contains(flat, tt.final) {
					t.Errorf("final view lacks %q:\n%s", tt.final, view)
				}
				if tt.key == "enter" && (m.Outcome().Failed || m.Step() != StepDone) {
					t.Errorf("finishing without the switch: step %s, outcome %+v", m.Step(), m.Outcome())
				}
				// The review said so before anything was written.
				if review := m.review.body(m, 80); !tt.fixed && (!strings.Contains(review, "The switch cannot succeed until these are fixed") || !strings.Contains(review, blocked.Checks[len(blocked.Checks)-1].Message)) {
					t.Errorf("the review does not show the blocker:\n%s", review)
				}
			})
		})
	}
}

// TestReviewShowsBlockers: the review names each blocker with why it stops
// the switch and its fix, at 80 columns and wide, and its key help says the
// switch will wait.
func TestReviewShowsBlockers(t *testing.T) {
	t.Parallel()
	r := tooOldNix("/home/alice")
	for _, w := range []int{80, 120} {
		opts := testOptions(t, r)
		opts.NoSwitch = false
		m := newModel(context.Background(), opts)
		t.Cleanup(m.cancel)
		m.Update(detectDoneMsg{report: r})
		m.answers = r.Defaults
		m.step, m.review.plan = StepReview, &flakegen.Plan{}
		if footer := ansi.Strip(m.footer()); !strings.Contains(footer, "switch waits") {
			t.Errorf("width %d: the review's key help does not say the switch will wait: %q", w, footer)
		}
		body := m.review.body(m, w)
		for _, want := range []string{"The switch cannot succeed until these are fixed", "Nix 2.8.0 is older than 2.18", "why: nixpkgs aborts on a Nix older than 2.18", "sudo determinate-nixd upgrade"} {
			if !strings.Contains(strings.Join(strings.Fields(body), " "), want) {
				t.Errorf("width %d: review lacks %q:\n%s", w, want, body)
			}
		}
	}
}

// TestAccessibleBlockersStopTheSwitch: the plain wizard lists the blockers
// in its review and asks before a switch that cannot succeed; no means no
// switch, and --yes alone never starts it (the exit status then says the
// setup is not done).
func TestAccessibleBlockersStopTheSwitch(t *testing.T) {
	for _, tt := range []struct {
		name     string
		yes      bool
		input    string
		switches int32
		failed   bool
	}{
		{"--yes does not try", true, "", 0, true},
		{"no", false, "n\n", 0, false},
		{"yes, try anyway", false, "y\n", 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tooOldNix("/home/alice")
			opts := testOptions(t, r)
			opts.NoSwitch = false
			a := r.Defaults
			opts.Answers, opts.Yes = &a, true
			var switches atomic.Int32
			opts.Deps.PlainSwitch = func(context.Context, string, io.Writer) error {
				switches.Add(1)
				return nil
			}
			input := tt.input
			if !tt.yes {
				// Without --yes every question is asked: keep each default
				// (0 ends the modules list), no diffs, then write the files.
				opts.Yes = false
				input = strings.Repeat("\n", 8) + "0\n" + strings.Repeat("\n", 4) + "y\n" + input
			}
			var out bytes.Buffer
			o, err := RunAccessible(context.Background(), strings.NewReader(input), plainWriter(&out), opts)
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			wantLines(t, out.String(), "The switch cannot succeed yet", "why: nixpkgs aborts on a Nix older than 2.18")
			if n := switches.Load(); n != tt.switches {
				t.Errorf("the switch ran %d times, want %d", n, tt.switches)
			}
			if o.Failed != tt.failed || o.Step != StepDone {
				t.Errorf("outcome %+v", o)
			}
		})
	}
}

// TestWizardDemoSwitchToDone drives the switch step with the demo's
// recorded switch: after the files are written the switch starts by
// itself, its run is shown to the end, and Done says it succeeded.
func TestWizardDemoSwitchToDone(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	opts.NoSwitch = false
	opts.Deps.Switch = DemoSwitch(0)
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPages(t, d, 1, 5)
		wantView(t, d, "write files")
		d.press("enter")
		if d.m.Step() != StepDone || !d.m.sw.finished {
			t.Fatalf("after writing: on %s, switch finished %v:\n%s", d.m.Step(), d.m.sw.finished, d.view())
		}
		wantView(t, d, "Your home-manager environment is set up")
		d.press("q")
		if !d.quit || d.m.Outcome().Failed || d.m.Outcome().Quit {
			t.Errorf("quit %v, outcome %+v", d.quit, d.m.Outcome())
		}
	})
}
