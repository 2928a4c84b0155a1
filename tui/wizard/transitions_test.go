package wizard

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/proc"
)

// The steps are one list, in Step order: the screen and the accessible
// runner walk it.
func TestScreensAreTheStepsInOrder(t *testing.T) {
	list := newScreens("").list()
	if len(list) != len(stepNames) {
		t.Fatalf("%d screens for %d steps", len(list), len(stepNames))
	}
	m := newModel(context.Background(), testOptions(t, fakeReport("/home/alice")))
	t.Cleanup(m.cancel)
	want := []screen{m.welcome, m.install, m.questions, m.review, m.write, m.sw, m.done}
	for s, sc := range m.steps {
		if sc != want[s] {
			t.Errorf("step %s is drawn by %T", Step(s), sc)
		}
	}
}

// wantVisited fails the test unless the wizard went through exactly the
// steps want, in order.
func wantVisited(t *testing.T, got []Step, want ...Step) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("visited %v, want %v", got, want)
	}
}

// TestWizardWalksEveryStep goes forward through every step with a switch:
// welcome, questions, review, write, switch, done; q on done ends the run.
func TestWizardWalksEveryStep(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	opts.NoSwitch = false
	opts.Deps.Switch = DemoSwitch(0)
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPages(t, d, 1, 5)
		wantView(t, d, "enter write files")
		d.press("enter")
		wantView(t, d, "Your home-manager environment is set up")
		d.press("q")
		wantVisited(t, d.visited, StepWelcome, StepQuestions, StepReview, StepWrite, StepSwitch, StepDone)
		if !d.quit || d.m.Outcome().Quit || d.m.Outcome().Failed {
			t.Errorf("quit %v, outcome %+v", d.quit, d.m.Outcome())
		}
	})
}

// TestWizardStepsBack takes every way back: from the first question page
// to the welcome, from the review to the last question page, from done to
// the review; and quits from the review.
func TestWizardStepsBack(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		d.press("enter")
		wantView(t, d, "1 of 5")
		d.press("esc")
		wantView(t, d, "answer a few questions")
		d.press("enter")
		acceptPages(t, d, 1, 5)
		d.press("esc")
		wantView(t, d, "5 of 5")
		acceptPages(t, d, 5, 5)
		d.press("enter")
		wantView(t, d, "when you are ready")
		d.press("esc")
		wantView(t, d, "unchanged")
		d.press("ctrl+c")
		wantView(t, d, "Quit nixboard?")
		d.press("y")
		wantVisited(t, d.visited,
			StepWelcome, StepQuestions, StepWelcome, StepQuestions, StepReview, StepQuestions,
			StepReview, StepWrite, StepDone, StepReview)
		if !d.quit || !d.m.Outcome().Quit || d.m.Step() != StepReview {
			t.Errorf("quit %v on %s, outcome %+v", d.quit, d.m.Step(), d.m.Outcome())
		}
	})
}

// TestWizardYesSkipsToWrite: --answers --yes goes from the welcome past the
// questions and the review's enter to the write and done, by itself after
// the first enter; a dry run stops after the review.
func TestWizardYesSkipsToWrite(t *testing.T) {
	for _, dry := range []bool{false, true} {
		t.Run(map[bool]string{false: "write", true: "dry-run"}[dry], func(t *testing.T) {
			t.Parallel()
			r := fakeReport("/home/alice")
			opts := testOptions(t, r)
			a := r.Defaults
			opts.Answers, opts.Yes, opts.DryRun = &a, true, dry
			runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
				if dry {
					wantVisited(t, d.visited, StepWelcome, StepReview, StepDone)
				} else {
					wantVisited(t, d.visited, StepWelcome, StepReview, StepWrite, StepDone)
				}
				_, err := os.Stat(filepath.Join(opts.Dir, "flake.nix"))
				if dry != os.IsNotExist(err) {
					t.Errorf("dry run %v, flake.nix: %v", dry, err)
				}
			})
		})
	}
}

// TestWizardWriteFailsAndGoesBack: a write that fails (--answers --yes
// with a directory outside the demo's root, which no question checked)
// stays on the write step with the reason; esc leads back to the review,
// which under --yes goes on to write again.
func TestWizardWriteFailsAndGoesBack(t *testing.T) {
	t.Parallel()
	r := fakeReport("/home/alice")
	opts := testOptions(t, r)
	opts.DirRoot = t.TempDir()
	a := r.Defaults
	opts.Answers, opts.Yes = &a, true
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		wantView(t, d, "Writing failed")
		wantView(t, d, "esc back")
		if !d.m.Outcome().Failed {
			t.Errorf("a failed write: outcome %+v", d.m.Outcome())
		}
		d.press("esc")
		wantView(t, d, "Writing failed")
		wantVisited(t, d.visited, StepWelcome, StepReview, StepWrite, StepReview, StepWrite)
		if _, err := os.Stat(opts.Dir); !os.IsNotExist(err) {
			t.Errorf("something was written outside the root: %v", err)
		}
	})
}

// TestWizardInstallDetour: without Nix, enter leads to the installer; esc
// back to the welcome; after the installer ran, enter detects again on the
// welcome step, which then leads to the questions.
func TestWizardInstallDetour(t *testing.T) {
	t.Parallel()
	r := fakeReport("/home/alice")
	r.Nix = detect.Nix{}
	opts := testOptions(t, r)
	calls := 0
	opts.Deps.Detect = func(context.Context) detect.Report {
		calls++
		if calls > 1 {
			return fakeReport("/home/alice")
		}
		return r
	}
	opts.Deps.Installer = func(o InstallOption) proc.Spec {
		return proc.Spec{Argv: []string{"/bin/sh", "-c", "echo fake installer done"}}
	}
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		d.press("enter")
		wantView(t, d, "Determinate")
		d.press("esc")
		wantView(t, d, "Nix is not installed")
		d.press("enter", "enter", "y")
		wantView(t, d, "check the machine again")
		d.press("enter")
		wantView(t, d, "answer a few questions")
		if calls != 2 {
			t.Errorf("detection ran %d times, want 2", calls)
		}
		d.press("enter")
		wantView(t, d, "1 of 5")
		wantVisited(t, d.visited, StepWelcome, StepInstall, StepWelcome, StepInstall, StepWelcome, StepQuestions)
	})
}

// recordedSteps wraps every screen of the list so that its accessible
// step records itself before it runs.
func recordedSteps(list []screen, visited *[]Step) []screen {
	out := make([]screen, len(list))
	for i, s := range list {
		out[i] = recorded{screen: s, step: Step(i), visited: visited}
	}
	return out
}

type recorded struct {
	screen
	step    Step
	visited *[]Step
}

func (r recorded) accessible(p *plainRun) (bool, error) {
	*r.visited = append(*r.visited, r.step)
	return r.screen.accessible(p)
}

// runPlain is RunAccessible on the same list, with the steps recorded.
func runPlain(t *testing.T, opts Options, input string) (Outcome, []Step, string) {
	t.Helper()
	var out bytes.Buffer
	r := newPlainRun(context.Background(), strings.NewReader(input), plainWriter(&out), opts)
	var visited []Step
	o, err := r.walk(recordedSteps(newScreens(opts.DirRoot).list(), &visited))
	if err != nil {
		t.Fatalf("accessible run: %v\n%s", err, out.String())
	}
	return o, visited, out.String()
}

// TestAccessibleWalksTheSameSteps: accessible mode goes through the same
// list with the same flow: every step with a switch; the installer's
// detour back to the welcome; a dry run that stops after the review; and
// a no to writing that ends on the write step.
func TestAccessibleWalksTheSameSteps(t *testing.T) {
	t.Parallel()
	t.Run("switch", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(t, fakeReport("/home/alice"))
		opts.NoSwitch = false
		switched := false
		opts.Deps.PlainSwitch = func(_ context.Context, dir string, out io.Writer) error {
			switched = dir == opts.Dir
			return nil
		}
		// Every question keeps its default (0 ends the modules list), no
		// diffs, then yes.
		o, visited, out := runPlain(t, opts, "\n\n\n\n\n\n\n\n0\n\n\n\n\ny\n")
		wantVisited(t, visited, StepWelcome, StepQuestions, StepReview, StepWrite, StepSwitch, StepDone)
		if !switched || o.Step != StepDone || o.Quit || o.Failed {
			t.Errorf("switched %v, outcome %+v\n%s", switched, o, out)
		}
	})
	t.Run("install", func(t *testing.T) {
		t.Parallel()
		opts := demoOptions(t)
		opts.DryRun = true
		// The installer, then every question keeps its default, and no
		// diffs.
		o, visited, out := runPlain(t, opts, "1\ny\n"+strings.Repeat("\n", 8)+"0\n"+strings.Repeat("\n", 4))
		wantVisited(t, visited, StepWelcome, StepInstall, StepWelcome, StepQuestions, StepReview, StepDone)
		if o.Step != StepDone || !strings.Contains(out, "Dry run: nothing was written.") {
			t.Errorf("outcome %+v\n%s", o, out)
		}
	})
	t.Run("declined", func(t *testing.T) {
		t.Parallel()
		r := fakeReport("/home/alice")
		opts := testOptions(t, r)
		a := r.Defaults
		opts.Answers = &a
		o, visited, out := runPlain(t, opts, "\n\n\n\n\n\n\n\n0\n\n\n\n\nn\n")
		wantVisited(t, visited, StepWelcome, StepQuestions, StepReview, StepWrite)
		if !o.Quit || !strings.Contains(out, "Nothing was written.") {
			t.Errorf("outcome %+v\n%s", o, out)
		}
	})
}
