package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/shell"
	"github.com/nixboard/nixboard/internal/switchtest"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/theme"
)

// previewFixture is a wizard run over the fixture home-manager's
// configuration (switchtest: a fixture, not home-manager), nix running in
// mode: the fixture person's answers with its home, a ~/.bashrc of the
// person's own in the way, and the real build, dry run and switch with
// the fixture inputs.
type previewFixture struct {
	f       *switchtest.Fixture
	opts    Options
	bashrc  string
	profile string
}

// historySaved checks that the wizard's build and switch added their
// durations to this machine's build history, for the next estimate.
func (p previewFixture) historySaved(t *testing.T) {
	t.Helper()
	path, err := eta.HistoryPath(func(k string) string { return shell.Getenv(p.opts.Deps.Env, k) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("no build history after the switch: %v", err)
	}
}

func newPreviewFixture(t *testing.T, mode nixtest.Mode) previewFixture {
	t.Helper()
	f := switchtest.NewRendered(t, mode)
	a := switchtest.Answers()
	a.HomeBase.HomeDirectory = f.Home
	r := fakeReport(f.Home)
	r.Defaults = a
	opts := testOptions(t, r)
	opts.Dir, opts.Answers, opts.NoSwitch, opts.NoCommit = f.Dir, &a, false, true
	opts.Deps.Env = f.Env
	host := HostSwitch{Env: f.Env, ExtraArgs: f.ExtraArgs}
	opts.Deps.Preview, opts.Deps.Switch = host, host.Switch
	opts.Deps.PlainSwitch = func(ctx context.Context, dir string, out io.Writer) error {
		cfg, err := host.Switch(ctx, dir, a, theme.New(true, true))
		if err != nil {
			return err
		}
		s := nixlog.NewState(nixlog.Options{})
		if err := nixlog.Drain(cfg.Run, s); err != nil {
			return err
		}
		if d := cfg.Run.Diagnose(s); !d.OK {
			return errors.New("switch failed: " + d.Reason)
		}
		fmt.Fprintln(out, "switched")
		return nil
	}
	p := previewFixture{f: f, opts: opts, bashrc: filepath.Join(f.Home, ".bashrc"), profile: filepath.Join(f.Home, ".local/state/nix/profiles/home-manager")}
	if err := os.WriteFile(p.bashrc, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// untouched fails the test unless the machine is as before the switch: no
// home-manager profile, the person's ~/.bashrc as it was.
func (p previewFixture) untouched(t *testing.T) {
	t.Helper()
	if _, err := os.Lstat(p.profile); err == nil {
		t.Error("a home-manager generation was made")
	}
	if b, err := os.ReadFile(p.bashrc); err != nil || string(b) != "# mine\n" {
		t.Errorf("~/.bashrc changed: %q %v", b, err)
	}
}

// activated fails the test unless the profile points at the generation the
// preview built (and showed), and ~/.bashrc was moved aside as it said.
func (p previewFixture) activated(t *testing.T) {
	t.Helper()
	shown, err := filepath.EvalSymlinks(filepath.Join(p.f.Home, ".local/state/nixboard/preview/result"))
	if err != nil {
		t.Fatal(err)
	}
	if active, err := filepath.EvalSymlinks(p.profile); err != nil || active != shown {
		t.Errorf("the switch activated %q (%v), the preview showed %s", active, err, shown)
	}
	if b, err := os.ReadFile(p.bashrc + "." + nixrun.DefaultBackupExt); err != nil || string(b) != "# mine\n" {
		t.Errorf("~/.bashrc was not moved aside: %q %v", b, err)
	}
}

// toPreview keeps every answer, writes the files and waits for the switch
// step's preview: the generation built, its question asked.
func toPreview(t *testing.T, d *driver) {
	t.Helper()
	d.press("enter")
	for i := 0; d.m.Step() == StepQuestions && i < 30; i++ {
		d.press("enter")
	}
	wantView(t, d, "enter write files")
	d.press("enter")
	if d.m.Step() != StepSwitch || d.m.sw.phase != phaseAsk {
		t.Fatalf("on %s (phase %d), not the preview's question:\n%s", d.m.Step(), d.m.sw.phase, d.view())
	}
}

// TestSwitchStepPreviews: the switch step builds first, shows what the
// switch will do (an existing ~/.bashrc moved aside, before anything
// changed) and asks; n leaves the machine untouched and says how to switch
// later, y activates the generation previewed.
func TestSwitchStepPreviews(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
		for _, answer := range []string{"n", "y"} {
			t.Run(answer, func(t *testing.T) {
				p := newPreviewFixture(t, mode)
				runDriven(t, p.opts, 120, 40, func(t *testing.T, d *driver) {
					toPreview(t, d)
					wantView(t, d, "Activate this generation?")
					wantView(t, d, "y activate")
					wantView(t, d, "Files in the way:")
					wantView(t, d, "~/.bashrc will be moved to ~/.bashrc."+nixrun.DefaultBackupExt)
					wantView(t, d, "Packages: a first switch, everything is new")
					p.untouched(t)
					d.press(answer)
					if answer == "n" {
						if d.m.Step() != StepDone {
							t.Fatalf("n: on %s", d.m.Step())
						}
						wantView(t, d, "you chose not to activate")
						wantView(t, d, "nixboard switch --dir")
						p.untouched(t)
						return
					}
					wantView(t, d, "environment is set up")
					p.activated(t)
					p.historySaved(t)
				})
				p.f.CheckMode(t)
			})
		}
	})
}

// TestAccessibleSwitchPreviews: accessible mode builds, prints the preview
// and asks the same question: no leaves the machine untouched with the
// command to switch later, yes (and --yes, which agrees) activates the
// generation previewed.
func TestAccessibleSwitchPreviews(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
		for _, answer := range []string{"n", "y", "--yes"} {
			t.Run(answer, func(t *testing.T) {
				p := newPreviewFixture(t, mode)
				input := accessibleKeepAll + "y\n" + answer + "\n"
				if answer == "--yes" {
					p.opts.Yes, input = true, ""
				}
				o, _, out := runPlain(t, p.opts, input)
				for _, w := range []string{"Building the generation the switch would activate; nothing changes yet.", "Files in the way:\n  ~/.bashrc will be moved to ~/.bashrc." + nixrun.DefaultBackupExt, "Packages: a first switch, everything is new"} {
					if !strings.Contains(out, w) {
						t.Errorf("the output lacks %q:\n%s", w, out)
					}
				}
				if answer == "n" {
					if !strings.Contains(out, "The switch was not started: nothing on this machine changed.") || o.Failed {
						t.Errorf("n: outcome %+v:\n%s", o, out)
					}
					p.untouched(t)
					return
				}
				if !strings.Contains(out, "switched") || o.Failed {
					t.Errorf("%s: outcome %+v:\n%s", answer, o, out)
				}
				p.activated(t)
				p.f.CheckMode(t)
			})
		}
	})
}

// accessibleKeepAll takes the detected home directory (the fixture's
// rendered answers name /home/fixture), keeps every question of the
// fixture's Linux answers as it stands (0 ends the modules list) and shows
// no diffs.
const accessibleKeepAll = "\n" + "\n\n\n\n\n\n\n\n0\n\n\n\n" + "\n"

// refuseBashrc puts an older backup of ~/.bashrc in the way: home-manager
// cannot move ~/.bashrc aside, so its dry run refuses it. It returns the
// backup's path.
func (p previewFixture) refuseBashrc(t *testing.T) string {
	t.Helper()
	older := p.bashrc + "." + nixrun.DefaultBackupExt
	if err := os.WriteFile(older, []byte("# older\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return older
}

// TestSwitchStepStopsOnRefusedFile: when the dry run finds a file that
// home-manager would refuse (an older backup in the way of ~/.bashrc's),
// the preview says the switch cannot go on, names the file and the fix,
// and offers no y: y does nothing, n stops with the machine untouched, and
// r after fixing reads the preview again, which then offers y.
func TestSwitchStepStopsOnRefusedFile(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
		for _, answer := range []string{"n", "fix"} {
			t.Run(answer, func(t *testing.T) {
				p := newPreviewFixture(t, mode)
				older := p.refuseBashrc(t)
				runDriven(t, p.opts, 200, 60, func(t *testing.T, d *driver) {
					toPreview(t, d)
					wantView(t, d, "The switch cannot go on until this is dealt with: "+p.bashrc+" would be clobbered.")
					if v := shellContinuation.ReplaceAllString(d.view(), " "); !strings.Contains(v, "mv -n -- "+older+" "+older+".old") {
						t.Errorf("the preview does not give the fix:\n%s", d.view())
					}
					wantView(t, d, "r check again after fixing")
					wantView(t, d, "n stop")
					if v := d.view(); strings.Contains(v, "y activate") || strings.Contains(v, "Activate this generation?") {
						t.Errorf("a preview that cannot go on offers to activate it:\n%s", v)
					}
					d.press("y")
					if d.m.Step() != StepSwitch || d.m.sw.phase != phaseAsk {
						t.Fatalf("y started something: on %s (phase %d)", d.m.Step(), d.m.sw.phase)
					}
					if b, err := os.ReadFile(older); err != nil || string(b) != "# older\n" {
						t.Errorf("the older backup changed: %q %v", b, err)
					}
					p.untouched(t)
					if answer == "n" {
						d.press("n")
						if d.m.Step() != StepDone {
							t.Fatalf("n: on %s", d.m.Step())
						}
						wantView(t, d, "the preview found files in the way that home-manager would not move aside")
						wantView(t, d, "nixboard switch --dir")
						p.untouched(t)
						return
					}
					if err := os.Remove(older); err != nil {
						t.Fatal(err)
					}
					d.press("r")
					wantView(t, d, "~/.bashrc will be moved to ~/.bashrc."+nixrun.DefaultBackupExt)
					wantView(t, d, "y activate")
					if strings.Contains(d.view(), "cannot go on") {
						t.Errorf("after the fix, the preview still says the switch cannot go on:\n%s", d.view())
					}
					d.press("y")
					wantView(t, d, "environment is set up")
					p.activated(t)
					p.historySaved(t)
				})
				p.f.CheckMode(t)
			})
		}
	})
}

// TestAccessibleSwitchStopsOnRefusedFile: accessible mode says the same
// (the file, the fix), asks no "Activate?" but whether to check again or
// stop; checking again reads the dry run again; stop, and --yes, leave the
// machine untouched, --yes with a failed outcome.
func TestAccessibleSwitchStopsOnRefusedFile(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
		for _, c := range []struct{ name, input string }{
			{"stop", "2\n"},
			{"again then stop", "1\n\n"},
			{"--yes", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				p := newPreviewFixture(t, mode)
				older := p.refuseBashrc(t)
				input := accessibleKeepAll + "y\n" + c.input
				if c.name == "--yes" {
					p.opts.Yes, input = true, ""
				}
				o, _, out := runPlain(t, p.opts, input)
				for _, w := range []string{
					"The switch cannot go on until this is dealt with: " + p.bashrc + " would be clobbered.",
					"fix: mv -n -- " + older + " " + older + ".old",
					"The switch was not started: nothing on this machine changed.",
				} {
					if !strings.Contains(out, w) {
						t.Errorf("the output lacks %q:\n%s", w, out)
					}
				}
				if strings.Contains(out, "Activate this generation?") {
					t.Errorf("asked to activate a switch that cannot go on:\n%s", out)
				}
				wantPreviews := 1
				if c.name == "again then stop" {
					wantPreviews = 2
				}
				if n := strings.Count(out, "This is what the switch will do:"); n != wantPreviews {
					t.Errorf("the preview was shown %d times, want %d:\n%s", n, wantPreviews, out)
				}
				if o.Failed != (c.name == "--yes") {
					t.Errorf("outcome %+v", o)
				}
				p.untouched(t)
				p.f.CheckMode(t)
			})
		}
	})
}
