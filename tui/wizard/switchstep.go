package wizard

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/flakegen"
)

// SwitchFunc starts the switch of a written configuration.
type SwitchFunc func(ctx context.Context, dir string, a flakegen.Answers) (tea.Cmd, error)

// switchScreen embeds the switch view.
type switchScreen struct {
	finished bool
	ok       bool
	reason   string
	hints    []string
	logPath  string
	w, h     int
}

func (s *switchScreen) setSize(w, h int) { s.w, s.h = w, h }

func (s switchScreen) view() string { return "Switching…" }

func (s switchScreen) keys() [][2]string { return [][2]string{{"ctrl+c", "stop"}} }

func (m *Model) startSwitch() tea.Cmd {
	m.sw = switchScreen{w: m.sw.w, h: m.sw.h}
	return nil
}

func (m *Model) updateSwitch(msg tea.Msg) tea.Cmd { return nil }
