package wizard

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixboard/nixboard/detect"
)

// TestWizardAfterWriteNotFirstRun: once the files are written, going back
// to the review (esc on the last screen) no longer says that this is the
// first run with no earlier answers: the answers just written are the
// last run's.
func TestWizardAfterWriteNotFirstRun(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	runDriven(t, opts, 100, 40, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPages(t, d, 1, 5)
		wantView(t, d, "First run here")
		d.press("enter")
		wantView(t, d, "when you are ready")
		d.press("esc")
		if d.m.Step() != StepReview {
			t.Fatalf("esc on done: on %s", d.m.Step())
		}
		if v := d.view(); strings.Contains(v, "First run here") || !strings.Contains(v, "Same answers as the last run") {
			t.Errorf("the review after the write:\n%s", v)
		}
	})
}

// TestWizardNoSwitchReportsWriteTime: with --no-switch the last screen
// says how long writing took, not how long the person spent on the
// questions.
func TestWizardNoSwitchReportsWriteTime(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := testOptions(t, fakeReport("/home/alice"))
	opts.Deps.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	runDriven(t, opts, 100, 40, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPages(t, d, 1, 5)
		// The person read the review for ten minutes.
		mu.Lock()
		now = now.Add(10 * time.Minute)
		mu.Unlock()
		d.press("enter")
		v := d.view()
		if !strings.Contains(v, "Configuration written to") {
			t.Fatalf("not done:\n%s", v)
		}
		if strings.Contains(v, "10m") || !strings.Contains(v, "(0s)") {
			t.Errorf("the write's time is not the session's:\n%s", v)
		}
	})
}

// TestWizardDoneFlakesOff: detection found flakes off in the person's own
// Nix configuration; the last screen, which offers `home-manager switch
// --flake`, repeats the nix.conf fix that command needs.
func TestWizardDoneFlakesOff(t *testing.T) {
	t.Parallel()
	const fix = "mkdir -p ~/.config/nix && echo 'extra-experimental-features = nix-command flakes' >> ~/.config/nix/nix.conf"
	r := fakeReport("/home/alice")
	off, on := false, true
	r.Nix.Flakes, r.Nix.NixCommand = &off, &on
	r.Checks = append(r.Checks, detect.Check{ID: "nix.flakes", Status: detect.StatusWarn, Message: "flakes is turned off", Fix: fix})
	opts := testOptions(t, r)
	runDriven(t, opts, 120, 40, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPages(t, d, 1, 5)
		d.press("enter")
		v := shellContinuation.ReplaceAllString(d.view(), " ")
		if !strings.Contains(v, "home-manager switch --flake") || !strings.Contains(v, fix) {
			t.Errorf("the last screen lacks the flakes fix:\n%s", d.view())
		}
	})
}

// TestUsernameQuestionWarnsAboutOtherUser: the user name question says so
// when the answer is not the login name ($USER), which home-manager's
// activation requires, and the warning follows what is typed.
func TestUsernameQuestionWarnsAboutOtherUser(t *testing.T) {
	t.Parallel()
	r := fakeReport("/home/alice")
	a := r.Defaults
	a.HomeBase.Username = "bob"
	opts := testOptions(t, r)
	opts.Answers = &a
	runDriven(t, opts, 100, 40, func(t *testing.T, d *driver) {
		d.press("enter")
		wantView(t, d, "Question page 1")
		if v := d.view(); !strings.Contains(v, "logged in as alice") || !strings.Contains(v, "not bob") {
			t.Fatalf("the question does not warn about bob:\n%s", v)
		}
		// Typing the login name takes the warning away.
		d.press("ctrl+u", "alice")
		if v := d.view(); strings.Contains(v, "logged in as") {
			t.Errorf("the warning stays after typing alice:\n%s", v)
		}
	})
}
