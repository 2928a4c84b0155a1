package wizard

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/wizardlogic"
)

func i64(i int64) *int64 { return &i }

// teamDeclarations are a team module's homeBase options, built by hand:
// toggles at the top and in a group, a string with a pattern in that
// group, a bounded int, an enum, words, packages, assignments, an
// optional, and one nixboard does not ask.
func teamDeclarations(r baseopts.Request) baseopts.Declarations {
	o := func(path string, kind baseopts.Kind, def, desc string) baseopts.Option {
		return baseopts.Option{Path: strings.Split("homeBase."+path, "."), Kind: kind, Default: json.RawMessage(def), Description: desc}
	}
	key := o("git.signingKey", baseopts.String, `""`, "The GPG key that signs commits.")
	key.Pattern = "[0-9A-F]*"
	git := baseopts.Option{Path: []string{"homeBase", "git"}, Kind: baseopts.Group, Description: "Git as the team sets it up.",
		Options: []baseopts.Option{o("git.sign", baseopts.Bool, `false`, "Sign every commit."), key}}
	port := o("proxyPort", baseopts.Int, `3128`, "Port of the team's proxy.")
	port.Min, port.Max = i64(1), i64(65535)
	theme := o("theme", baseopts.Enum, `"dark"`, "The terminal colours.")
	theme.Choices = []json.RawMessage{json.RawMessage(`"dark"`), json.RawMessage(`"light"`)}
	mail := o("workEmail", baseopts.Optional, `null`, "Your work address, if it differs.")
	mail.Elem = &baseopts.Option{Kind: baseopts.String}
	hook := baseopts.Option{Path: []string{"homeBase", "hook"}, Kind: baseopts.NotAsked, Type: "function that evaluates to a(n) string", Why: "a function"}
	return baseopts.Declarations{Base: r.Base, Module: r.Module, Platform: r.Platform, System: r.System, Options: []baseopts.Option{
		o("enableRust", baseopts.Bool, `false`, "Rust with rustup and cargo tools."),
		o("enableKube", baseopts.Bool, `true`, "Kubernetes tools."),
		git, port, theme,
		o("extraWords", baseopts.Words, `[]`, "Words for the team's spell checker."),
		o("extraTools", baseopts.Packages, `[]`, "More packages from nixpkgs."),
		o("aliases", baseopts.Assignments, `{}`, "The team's own aliases."),
		mail, hook,
	}}
}

// gate holds an evaluation until it is opened. Its channel is made by the
// first evaluation that waits on it, inside the synctest bubble, so that
// the wait counts as blocked.
type gate struct {
	mu sync.Mutex
	ch chan struct{}
}

func (g *gate) wait() chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

func (g *gate) open() { close(g.wait()) }

// teamOptions are testOptions with a team base (as --base sets it) and an
// evaluator that answers with teamDeclarations once the channel gate gives
// is closed (nil: at once), or with err. The channel must be made inside
// the test's synctest bubble, so that waiting on it counts as blocked.
func teamOptions(t *testing.T, g *gate, err error) (Options, *[]baseopts.Request) {
	rep := fakeReport("/home/alice")
	opts := testOptions(t, rep)
	a := rep.Defaults
	a.Base = &flakegen.BaseFlake{Flake: "path:/team", Module: wizardlogic.DefaultBaseModule}
	opts.Answers = &a
	var requests []baseopts.Request
	opts.Deps.Evaluate = func(ctx context.Context, r baseopts.Request) (baseopts.Declarations, error) {
		requests = append(requests, r)
		if g != nil {
			release := g.wait()
			select {
			case <-release:
			case <-ctx.Done():
				return baseopts.Declarations{}, ctx.Err()
			}
		}
		if err != nil {
			return baseopts.Declarations{}, err
		}
		return teamDeclarations(r), nil
	}
	return opts, &requests
}

// The team's questions: its toggles grouped with the module's
// descriptions, then its other options, each checked by its type as it is
// typed; only the values away from the defaults end in the answers, and
// the review lists them and what is not asked.
func TestWizardAsksTheTeamsQuestions(t *testing.T) {
	t.Parallel()
	opts, requests := teamOptions(t, nil, nil)
	runDriven(t, opts, 100, 40, func(t *testing.T, d *driver) {
		d.press("enter")
		// The evaluation started with detection and is done: the pages
		// count the team's.
		wantView(t, d, "Question page 1 of 5: Who you are")
		wantView(t, d, "✓ Base layer path:/team: 10 options")
		d.press("enter", "enter", "enter")
		wantView(t, d, "Question page 2 of 5")
		wantView(t, d, "✓ Base layer path:/team: 10 options")
		d.press("enter", "enter", "enter")
		wantView(t, d, "Question page 3 of 5: Shell and editor")
		if strings.Contains(d.view(), "Editor") {
			t.Errorf("the built-in editor question is asked with a team base:\n%s", d.view())
		}
		d.press("enter")
		wantView(t, d, "Question page 4 of 5: Team modules")
		for _, want := range []string{"enableRust", "enableKube", "git › sign", "enableKube: Kubernetes tools."} {
			wantView(t, d, want)
		}
		// The description follows the cursor. Rust on, kube left on,
		// git.sign left off.
		d.press("up")
		wantView(t, d, "enableRust: Rust with rustup and cargo tools.")
		d.press("space", "enter")
		wantView(t, d, "Question page 5 of 5: Team options")
		for _, want := range []string{"git › signingKey", "git: Git as the team sets it up. The GPG key that signs commits. (matching [0-9A-F]*)"} {
			wantView(t, d, want)
		}
		d.press("x")
		wantView(t, d, "homeBase.git.signingKey: must match the pattern [0-9A-F]*")
		d.press("backspace", "0", "A", "enter")
		// proxyPort: out of bounds, then fixed.
		wantView(t, d, "(a whole number from 1 to 65535)")
		d.press("ctrl+u", "0")
		wantView(t, d, "homeBase.proxyPort: must be between 1 and 65535, not 0")
		d.press("backspace", "8", "0", "enter")
		// theme: the second choice.
		d.press("down", "enter")
		d.press("enter", "r", "i", "p", "g", "r", "e", "p", "enter", "enter", "enter")
		if d.m.Step() != StepReview {
			t.Fatalf("on %s after the team's options:\n%s", d.m.Step(), d.view())
		}
		b := d.m.answers.Base
		got := map[string]string{}
		for k, v := range b.Values {
			got[k] = string(v)
		}
		want := map[string]string{"enableRust": "true", "git.signingKey": `"0A"`, "proxyPort": "80", "theme": `"light"`, "extraTools": `["ripgrep"]`}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("team values %v, want only the changed ones %v", got, want)
		}
		if !reflect.DeepEqual(b.PackageLists, []string{"extraTools"}) {
			t.Errorf("package lists %v", b.PackageLists)
		}
		for _, want := range []string{"Base layer     path:/team#homeManagerModules.base", `homeBase.git.signingKey = "0A"`, "homeBase.hook (function that evaluates to a(n) string): not asked"} {
			wantView(t, d, want)
		}
	})
	if len(*requests) != 1 || (*requests)[0].Platform != "wsl" || (*requests)[0].Base != "path:/team" {
		t.Errorf("evaluations %+v, want one for the detected platform", *requests)
	}
}

// The evaluation runs while the first pages are answered; the team's pages
// wait for it with the elapsed time, and come once it is done.
func TestWizardWaitsForTheTeamsDeclarations(t *testing.T) {
	t.Parallel()
	g := &gate{}
	opts, _ := teamOptions(t, g, nil)
	runDriven(t, opts, 100, 30, func(t *testing.T, d *driver) {
		d.press("enter")
		wantView(t, d, "Evaluating the base layer path:/team (0s)")
		acceptPagesOf(d, 3, 3, 1)
		wantView(t, d, "Your team's questions")
		wantView(t, d, "Evaluating the base layer path:/team")
		g.open()
		d.settle()
		wantView(t, d, "Question page 4 of 5: Team modules")
	})
}

// acceptPagesOf presses enter on each field of the pages given by their
// field counts.
func acceptPagesOf(d *driver, fields ...int) {
	for _, n := range fields {
		for range n {
			d.press("enter")
		}
	}
}

// A base layer that does not evaluate is named with the reason, and b goes
// on with the built-in layer's pages.
func TestWizardOffersTheBuiltinLayerWhenTheBaseFails(t *testing.T) {
	t.Parallel()
	opts, _ := teamOptions(t, nil, errors.New("error: flake 'path:/team' does not provide attribute 'homeManagerModules.base'"))
	runDriven(t, opts, 100, 30, func(t *testing.T, d *driver) {
		d.press("enter")
		wantView(t, d, "✗ The base layer path:/team could not be evaluated")
		acceptPagesOf(d, 3, 3, 1)
		wantView(t, d, "error: flake 'path:/team' does not provide")
		wantView(t, d, "Press b to go on with nixboard's built-in base layer")
		d.press("b")
		wantView(t, d, "Question page 4 of 5: Modules")
		if d.m.answers.Base != nil {
			t.Errorf("base %+v after choosing the built-in layer", d.m.answers.Base)
		}
	})
}

// A base declaring no homeBase options is refused with what was expected.
func TestWizardRefusesABaseWithoutOptions(t *testing.T) {
	t.Parallel()
	opts, _ := teamOptions(t, nil, nil)
	opts.Deps.Evaluate = func(_ context.Context, r baseopts.Request) (baseopts.Declarations, error) {
		return baseopts.Declarations{Base: r.Base}, nil
	}
	runDriven(t, opts, 100, 30, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPagesOf(d, 3, 3, 1)
		wantView(t, d, "declares no homeBase")
		wantView(t, d, "to declare options under homeBase")
	})
}

// Accessible mode asks the same team pages as line prompts, after
// evaluating the base while the person waits.
func TestAccessibleAsksTheTeamsQuestions(t *testing.T) {
	opts, _ := teamOptions(t, nil, nil)
	opts.DryRun = true
	// Eight questions keep their defaults (the shell page has one), then
	// the toggles (1 switches enableRust), then the team's options: a
	// signing key, the port and theme kept, words kept, one package, the
	// aliases and the optional kept.
	input := strings.Repeat("\n", 7) + "1\n\n" + "0A1F\n" + "\n" + "\n" + "\n" + "ripgrep\n" + "\n" + "\n" + "\n"
	r, o, out := walkPlain(t, opts, input)
	if o.Quit {
		t.Fatalf("outcome %+v\n%s", o, out)
	}
	for _, want := range []string{
		"Evaluating the base layer path:/team (homeManagerModules.base) for its questions...",
		"Page 4 of 5: Team modules",
		"  1. enableRust (off): Rust with rustup and cargo tools.",
		"  3. git › sign (off): Sign every commit.",
		"1. enableRust is now on.",
		"Page 5 of 5: Team options",
		"git › signingKey: git: Git as the team sets it up. The GPG key that signs commits. (matching [0-9A-F]*)",
		"homeBase.hook (function that evaluates to a(n) string): not asked",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	got := map[string]string{}
	for k, v := range r.answers.Base.Values {
		got[k] = string(v)
	}
	if want := map[string]string{"enableRust": "true", "git.signingKey": `"0A1F"`, "extraTools": `["ripgrep"]`}; !reflect.DeepEqual(got, want) {
		t.Errorf("team values %v, want %v", got, want)
	}
}

// The team's nixboard output orders and hides questions, opens its pages
// with its welcome and pins its release.
func TestWizardFollowsTheTeamsHints(t *testing.T) {
	t.Parallel()
	opts, _ := teamOptions(t, nil, nil)
	opts.Deps.BaseHints = func(context.Context, string) (wizardlogic.Hints, error) {
		return wizardlogic.Hints{Order: []string{"extraTools"}, Hide: []string{"proxyPort", "git.sign"}, Welcome: "Welcome to the platform team's setup.", Release: "unstable"}, nil
	}
	runDriven(t, opts, 100, 40, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPagesOf(d, 3, 3, 1)
		wantView(t, d, "Question page 4 of 5: Team modules")
		wantView(t, d, "Welcome to the platform team's setup.")
		if strings.Contains(d.view(), "git › sign") {
			t.Errorf("a hidden toggle is asked:\n%s", d.view())
		}
		d.press("enter")
		wantView(t, d, "Question page 5 of 5: Team options")
		if k := d.m.questions.focusedKey(); k != "homeBase.extraTools" {
			t.Errorf("the first team option is %s, want the one the team orders first", k)
		}
		if strings.Contains(d.view(), "proxyPort") {
			t.Errorf("a hidden option is asked:\n%s", d.view())
		}
		acceptPagesOf(d, 6)
		if d.m.Step() != StepReview {
			t.Fatalf("on %s:\n%s", d.m.Step(), d.view())
		}
		wantView(t, d, "homeBase.proxyPort")
		if d.m.answers.Release != "unstable" {
			t.Errorf("release %q, want the team's unstable", d.m.answers.Release)
		}
	})
}

// A team value from the last answers that does not fit its option is
// refused on its page, naming the option; a value for an option the team
// no longer declares is dropped.
func TestTeamValuesThatDoNotFitAreRefused(t *testing.T) {
	t.Parallel()
	opts, _ := teamOptions(t, nil, nil)
	opts.Answers.Base.Values = map[string]json.RawMessage{"proxyPort": json.RawMessage(`0`), "gone": json.RawMessage(`true`)}
	runDriven(t, opts, 100, 40, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPagesOf(d, 3, 3, 1, 1, 7)
		if d.m.Step() != StepQuestions {
			t.Fatalf("on %s with a value that does not fit:\n%s", d.m.Step(), d.view())
		}
		wantView(t, d, "homeBase.proxyPort: must be between 1 and 65535, not 0")
		d.press("ctrl+u", "2", "2", "enter")
		acceptPagesOf(d, 5)
		if d.m.Step() != StepReview {
			t.Fatalf("on %s:\n%s", d.m.Step(), d.view())
		}
		got := map[string]string{}
		for k, v := range d.m.answers.Base.Values {
			got[k] = string(v)
		}
		if want := map[string]string{"proxyPort": "22"}; !reflect.DeepEqual(got, want) {
			t.Errorf("values %v, want %v", got, want)
		}
	})
}

// With --yes the questions are skipped: the review waits for the team's
// evaluation and refuses values that do not fit, writing nothing.
func TestYesReviewWaitsAndChecksTeamValues(t *testing.T) {
	t.Parallel()
	g := &gate{}
	opts, _ := teamOptions(t, g, nil)
	opts.Yes = true
	opts.Answers.Base.Values = map[string]json.RawMessage{"proxyPort": json.RawMessage(`0`)}
	runDriven(t, opts, 100, 30, func(t *testing.T, d *driver) {
		if d.m.Step() != StepReview {
			t.Fatalf("on %s with --yes:\n%s", d.m.Step(), d.view())
		}
		if !d.m.review.waitingBase {
			t.Fatal("the review does not wait for the evaluation")
		}
		g.open()
		d.settle()
		wantView(t, d, "✗ the answers do not fit the base layer path:/team: homeBase.proxyPort: must be between 1 and 65535,")
		if d.m.Step() != StepReview {
			t.Errorf("values that do not fit were written: on %s", d.m.Step())
		}
	})
	if _, err := os.Stat(opts.Dir); !os.IsNotExist(err) {
		t.Errorf("the directory was written: %v", err)
	}
}

// Accessible mode with --yes skips the team's pages, so nothing evaluated
// the base before the review: the review evaluates it and holds the
// answers' values to its declarations, as render does, writing nothing
// when they do not fit.
func TestAccessibleYesChecksTeamValues(t *testing.T) {
	t.Parallel()
	opts, requests := teamOptions(t, nil, nil)
	opts.Yes = true
	opts.Answers.Base.Values = map[string]json.RawMessage{"proxyPort": json.RawMessage(`0`)}
	_, o, out := walkPlain(t, opts, "")
	if !o.Failed {
		t.Errorf("outcome %+v, want a failure\n%s", o, out)
	}
	if len(*requests) != 1 {
		t.Errorf("%d evaluations, want 1", len(*requests))
	}
	if !strings.Contains(out, "homeBase.proxyPort: must be between 1 and 65535") {
		t.Errorf("output does not name the value that does not fit:\n%s", out)
	}
	if _, err := os.Stat(opts.Dir); !os.IsNotExist(err) {
		t.Errorf("the directory was written: %v", err)
	}
}
