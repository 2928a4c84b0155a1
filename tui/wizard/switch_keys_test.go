package wizard

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/tui/theme"
)

// The switch step shows one key help, the switch view's, right for its
// mode: the demo's recorded switch ends with ctrl+c ("end replay"), there
// is no second line saying ctrl+c stops it.
func TestSwitchStepShowsOneKeyHelp(t *testing.T) {
	dm, err := NewDemoMachine("wsl-ubuntu", 0)
	if err != nil {
		t.Fatal(err)
	}
	a := dm.Detect(context.Background()).Defaults
	cfg, err := DemoSwitch(0)(context.Background(), t.TempDir(), a, theme.New(true, true))
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(context.Background(), Options{Demo: true, NoColor: true})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.step = StepSwitch
	m.Update(switchReadyMsg{cfg: cfg})
	if !m.sw.started {
		t.Fatal("the switch did not start")
	}
	screen := ansi.Strip(m.View().Content)
	if n := strings.Count(screen, "ctrl+c"); n != 1 {
		t.Errorf("ctrl+c is offered %d times, want once:\n%s", n, screen)
	}
	if !strings.Contains(screen, "ctrl+c end replay") || strings.Contains(screen, "ctrl+c stop") {
		t.Errorf("the key help does not fit a replay:\n%s", screen)
	}
	lines := strings.Split(screen, "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "end replay") {
		t.Errorf("the key help is not the footer's last line %q:\n%s", last, screen)
	}

	// While the preparation runs there is nothing to stop yet: ctrl+c
	// asks to quit, as on every other step.
	*m.sw = switchScreen{}
	if got := m.sw.keys(m); len(got) != 1 || got[0].Help().Key != "ctrl+c" || got[0].Help().Desc != "quit" {
		t.Errorf("keys while preparing = %+v", got)
	}
}
