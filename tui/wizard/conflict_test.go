package wizard

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/tui/switchview"
	"github.com/nixboard/nixboard/tui/theme"
)

// The nixpkgs line of the stable release, which the unstable release
// changes: a person's edit of it conflicts with that change.
const (
	stableNixpkgs = `nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";`
	ownNixpkgs    = `nixpkgs.url = "github:alice/nixpkgs/nixos-26.05";`
)

// conflictOptions writes a first run's configuration into the options'
// directory, edits flake.nix's nixpkgs line by hand, and pre-fills the
// wizard with the unstable release, which changes the same line. It
// returns the options and the person's edited flake.nix.
func conflictOptions(t *testing.T) (Options, string) {
	t.Helper()
	nixtest.RequireGit(t)
	r := fakeReport("/home/alice")
	opts := testOptions(t, r)
	first := r.Defaults
	first.Release = "26.05"
	p, err := flakegen.NewPlan(t.Context(), opts.Dir, first, opts.Deps.Env)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(opts.Dir, flakegen.FlakeFile)
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), stableNixpkgs) {
		t.Fatalf("first flake.nix (%v) lacks %s:\n%s", err, stableNixpkgs, b)
	}
	edited := strings.Replace(string(b), stableNixpkgs, ownNixpkgs, 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	next := r.Defaults
	next.Release = "unstable"
	opts.Answers = &next
	return opts, edited
}

func readIn(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReviewConflictChoices: the review lists the conflicting flake.nix
// with the merge and its markers in the diff pane, refuses to write until a
// choice is made (the footer says so), and each choice does what it says
// on disk: k keeps the person's file untouched, n writes the new one with
// theirs backed up, m writes the merge with markers and stops before the
// switch, naming the file and the command to switch afterwards.
func TestReviewConflictChoices(t *testing.T) {
	for _, choice := range []string{"k", "n", "m"} {
		t.Run(choice, func(t *testing.T) {
			t.Parallel()
			opts, edited := conflictOptions(t)
			opts.NoSwitch = false
			switched := false
			opts.Deps.Switch = DemoSwitch(0)
			base := opts.Deps.Switch
			opts.Deps.Switch = func(ctx context.Context, dir string, a flakegen.Answers, st theme.Styles) (switchview.Config, error) {
				switched = true
				return base(ctx, dir, a, st)
			}
			runDriven(t, opts, 100, 40, func(t *testing.T, d *driver) {
				d.press("enter")
				acceptPages(t, d, 1, 5)
				wantView(t, d, "flake.nix: not chosen yet")
				wantView(t, d, "k keep yours")
				wantView(t, d, "m write markers")
				body := d.m.review.body(d.m, 100)
				for _, w := range []string{"── flake.nix (the merge with conflict markers)", "+<<<<<<< flake.nix (yours)", "+>>>>>>> flake.nix (as nixboard renders it now)"} {
					if !strings.Contains(body, w) {
						t.Errorf("the review lacks %q:\n%s", w, body)
					}
				}
				d.press("enter")
				if d.m.Step() != StepReview {
					t.Fatalf("enter with a conflict went to %s", d.m.Step())
				}
				wantView(t, d, "Cannot write yet: 1 conflict without a choice")
				if got := readIn(t, opts.Dir, flakegen.FlakeFile); got != edited {
					t.Fatal("flake.nix changed before a choice")
				}
				d.press(choice)
				d.press("enter")
				flake := readIn(t, opts.Dir, flakegen.FlakeFile)
				backup := filepath.Join(opts.Dir, flakegen.FlakeFile+".nixboard-backup")
				switch choice {
				case "k":
					if flake != edited {
						t.Errorf("keep: flake.nix is not the person's:\n%s", flake)
					}
					if _, err := os.Stat(backup); !os.IsNotExist(err) {
						t.Errorf("keep made a backup: %v", err)
					}
				case "n":
					if !strings.Contains(flake, "nixpkgs-unstable") || strings.Contains(flake, "alice/nixpkgs") {
						t.Errorf("new: flake.nix is not the new rendering:\n%s", flake)
					}
					if got := readIn(t, opts.Dir, flakegen.FlakeFile+".nixboard-backup"); got != edited {
						t.Errorf("new: the backup is not the person's file:\n%s", got)
					}
				case "m":
					for _, w := range []string{"<<<<<<< flake.nix (yours)", "alice/nixpkgs", "nixpkgs-unstable", ">>>>>>>"} {
						if !strings.Contains(flake, w) {
							t.Errorf("markers: flake.nix lacks %q:\n%s", w, flake)
						}
					}
					if got := readIn(t, opts.Dir, flakegen.FlakeFile+".nixboard-backup"); got != edited {
						t.Errorf("markers: the backup is not the person's file:\n%s", got)
					}
					if d.m.Step() != StepDone || switched {
						t.Fatalf("markers: on %s, switched %v; want done before any switch", d.m.Step(), switched)
					}
					wantView(t, d, "stopped before the switch")
					wantView(t, d, "flake.nix (1 conflict")
					wantView(t, d, "nixboard switch --dir")
					return
				}
				if !switched {
					t.Errorf("%s: the switch did not run (on %s)", choice, d.m.Step())
				}
			})
		})
	}
}

// TestAccessibleConflictChoices: accessible mode shows the merge with its
// markers and asks the same three choices for the file; markers stop the
// run before the switch with the file to resolve and the command.
func TestAccessibleConflictChoices(t *testing.T) {
	for _, choice := range []string{"keep", "new", "markers"} {
		t.Run(choice, func(t *testing.T) {
			t.Parallel()
			opts, edited := conflictOptions(t)
			opts.NoSwitch = false
			switched := false
			opts.Deps.PlainSwitch = func(context.Context, string, io.Writer) error {
				switched = true
				return nil
			}
			// Every question keeps its value (0 ends the modules list),
			// the choice, no diffs, then yes to writing.
			o, visited, out := runPlain(t, opts, "\n\n\n\n\n\n\n\n0\n\n\n\n"+choice+"\n\ny\n")
			for _, w := range []string{"flake.nix: your edits conflict with nixboard's changes (1 conflict)", "<<<<<<< flake.nix (yours)", "1. keep yours as it is", "3. write the merge with conflict markers"} {
				if !strings.Contains(out, w) {
					t.Errorf("the output lacks %q:\n%s", w, out)
				}
			}
			flake := readIn(t, opts.Dir, flakegen.FlakeFile)
			switch choice {
			case "keep":
				if flake != edited || !switched {
					t.Errorf("keep: flake.nix kept %v, switched %v", flake == edited, switched)
				}
			case "new":
				if !strings.Contains(flake, "nixpkgs-unstable") || readIn(t, opts.Dir, flakegen.FlakeFile+".nixboard-backup") != edited || !switched {
					t.Errorf("new: flake.nix new %v, switched %v", strings.Contains(flake, "nixpkgs-unstable"), switched)
				}
			case "markers":
				if !strings.Contains(flake, "<<<<<<< flake.nix (yours)") || switched || o.Failed {
					t.Errorf("markers: flake.nix has markers %v, switched %v, outcome %+v", strings.Contains(flake, "<<<<<<<"), switched, o)
				}
				wantVisited(t, visited, StepWelcome, StepQuestions, StepReview, StepWrite)
				for _, w := range []string{"stopped before the switch", "  flake.nix (1 conflict", "nixboard switch --dir"} {
					if !strings.Contains(out, w) {
						t.Errorf("the output lacks %q:\n%s", w, out)
					}
				}
			}
		})
	}
}

// TestYesRefusesAConflict: --answers --yes chooses nothing for the
// person: with a conflict nothing is written, and both modes name the file
// and render's three --on-conflict choices.
func TestYesRefusesAConflict(t *testing.T) {
	t.Parallel()
	t.Run("screen", func(t *testing.T) {
		t.Parallel()
		opts, edited := conflictOptions(t)
		opts.Yes, opts.AnswersFile = true, "/home/alice/answers.json"
		runDriven(t, opts, 120, 40, func(t *testing.T, d *driver) {
			wantVisited(t, d.visited, StepWelcome, StepReview)
			body := d.m.review.body(d.m, 400)
			for _, w := range []string{"Nothing was written", "  flake.nix (1 conflict)", "--answers ~/answers.json", "--on-conflict keep", "--on-conflict new", "--on-conflict markers"} {
				if !strings.Contains(body, w) {
					t.Errorf("the review lacks %q:\n%s", w, body)
				}
			}
			if readIn(t, opts.Dir, flakegen.FlakeFile) != edited || !d.m.Outcome().Failed {
				t.Errorf("flake.nix changed, or the outcome %+v is no failure", d.m.Outcome())
			}
		})
	})
	t.Run("accessible", func(t *testing.T) {
		t.Parallel()
		opts, edited := conflictOptions(t)
		opts.Yes = true
		o, visited, out := runPlain(t, opts, "")
		wantVisited(t, visited, StepWelcome, StepReview)
		for _, w := range []string{"Nothing was written", "  flake.nix (1 conflict)", "--answers FILE", "--on-conflict keep", "--on-conflict new", "--on-conflict markers"} {
			if !strings.Contains(out, w) {
				t.Errorf("the output lacks %q:\n%s", w, out)
			}
		}
		if readIn(t, opts.Dir, flakegen.FlakeFile) != edited || !o.Failed {
			t.Errorf("flake.nix changed, or the outcome %+v is no failure", o)
		}
	})
}
