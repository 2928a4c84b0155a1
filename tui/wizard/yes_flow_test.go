package wizard

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// With --answers FILE --yes on a terminal the welcome screen stops only
// when something needs the person (here a Nix too old to switch). What it
// says enter does is what enter does: the files are written without a
// review, one key press, no second one on a review screen.
func TestYesWelcomeSaysWhatEnterDoes(t *testing.T) {
	nixtest.RequireGit(t)
	r := tooOldNix(t.TempDir())
	opts := testOptions(t, r)
	a := r.Defaults
	opts.Answers, opts.Yes = &a, true
	tm, _ := start(t, opts, 100, 30)
	var seen bytes.Buffer
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen.Write(b)
		return bytes.Contains(seen.Bytes(), []byte("enter to write the files without a review"))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	if bytes.Contains(seen.Bytes(), []byte("review them.")) {
		t.Errorf("the welcome screen still promises a review:\n%s", seen.String())
	}
	if !strings.Contains(ansi.Strip(seen.String()), "enter write files") {
		t.Errorf("the key help does not say enter writes:\n%s", seen.String())
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitText(t, tm, "Configuration written to")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if o := m.Outcome(); o.Step != StepDone || o.Failed || o.Quit {
		t.Errorf("outcome %+v, want done", o)
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "flake.nix")); err != nil {
		t.Errorf("the files were not written: %v", err)
	}
}
