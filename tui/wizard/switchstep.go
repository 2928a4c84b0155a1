package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/switchview"
	"github.com/nixboard/nixboard/tui/theme"
)

// SwitchFunc prepares the switch of a written configuration and returns
// the switch screen's configuration (a live run, or the demo's replay). It
// runs inside a tea.Cmd.
type SwitchFunc func(ctx context.Context, dir string, a flakegen.Answers, styles theme.Styles) (switchview.Config, error)

// switchScreen embeds the switch view of the switch issue.
type switchScreen struct {
	sv       switchview.Model
	started  bool
	finished bool
	ok       bool
	reason   string
	hints    []nixlog.Hint
	logPath  string
	took     time.Duration
	err      error
	w, h     int

	// blocked holds what detection found that makes this switch
	// impossible; the switch waits for the person: t tries it anyway,
	// enter finishes without it, r checks the machine again.
	blocked []detect.Blocker
	// tryAnyway is set when the person asked to switch despite them.
	tryAnyway bool
	// skipped is set when the person finished without switching.
	skipped bool
}

func (s *switchScreen) setSize(w, h int) {
	s.w, s.h = w, h
	if s.started {
		s.sv.SetSize(w, h)
	}
}

func (s switchScreen) view() string {
	switch {
	case s.err != nil:
		return "✗ The switch could not start: " + s.err.Error()
	case !s.started:
		return "Preparing the switch…"
	}
	return s.sv.View()
}

func (s switchScreen) keys() [][2]string {
	if s.blocked != nil {
		return [][2]string{{"enter", "finish without switching"}, {"t", "try anyway"}, {"r", "check again"}, {"ctrl+c", "quit"}}
	}
	if s.started {
		// The switch view knows its mode: a live run stops, a replay
		// (the demo) ends. Its keys are the only key help shown.
		return s.sv.Keys()
	}
	return [][2]string{{"ctrl+c", "quit"}}
}

// blockedBody tells the person, before anything starts, that the switch
// cannot succeed and why.
func (m *Model) blockedBody(width int) string {
	s := m.styles
	lines := []string{s.Fail.Render(wrapText("The switch was not started: it cannot succeed until these are fixed.", width))}
	// What to do comes first: a long fix may not fit below it.
	if m.detecting {
		lines = append(lines, m.spinner.View()+" Checking the machine again…")
	} else {
		lines = append(lines, wrapText("Your files are written. Press enter to finish and switch later, r to check again after fixing, or t to try the switch anyway.", width))
	}
	lines = append(lines, "")
	lines = append(lines, m.blockerLines(m.sw.blocked, width)...)
	return strings.Join(lines, "\n") + "\n"
}

// switchReadyMsg carries the prepared switch configuration.
type switchReadyMsg struct {
	cfg switchview.Config
	err error
}

func (m *Model) startSwitch() tea.Cmd {
	try := m.sw.tryAnyway
	m.sw = switchScreen{w: m.sw.w, h: m.sw.h, tryAnyway: try}
	if bs := m.blockers(); len(bs) > 0 && !try {
		// Detection already knows this switch would fail: say so now,
		// instead of letting it fail later with another message.
		m.sw.blocked = bs
		return nil
	}
	start := m.opts.Deps.Switch
	if start == nil {
		m.sw.err = fmt.Errorf("no switch is available in this mode")
		return nil
	}
	ctx, dir, a, st := m.ctx, m.dir, m.answers, m.styles
	return func() tea.Msg {
		cfg, err := start(ctx, dir, a, st)
		return switchReadyMsg{cfg: cfg, err: err}
	}
}

func (m *Model) updateSwitch(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && m.sw.blocked != nil && !m.detecting {
		switch k.String() {
		case "t":
			m.sw.tryAnyway = true
			return m.startSwitch()
		case "enter":
			m.sw.skipped = true
			return m.goTo(StepDone)
		case "r":
			return m.startDetect()
		}
		return nil
	}
	switch msg := msg.(type) {
	case switchReadyMsg:
		if msg.err != nil {
			m.sw.err = msg.err
			m.sw.finished = true
			m.sw.reason = msg.err.Error()
			return m.goTo(StepDone)
		}
		cfg := msg.cfg
		cfg.Embedded = true
		m.sw.sv = switchview.New(cfg)
		m.sw.sv.SetSize(m.bodySize())
		m.sw.started = true
		return m.sw.sv.Init()
	case switchview.DoneMsg:
		m.sw.finished = true
		m.sw.ok = msg.Diagnosis.OK && !msg.Interrupted
		m.sw.reason = msg.Diagnosis.Reason
		if msg.Interrupted && m.sw.reason == "" {
			m.sw.reason = "stopped"
		}
		m.sw.hints = msg.Diagnosis.Hints
		m.sw.logPath = msg.LogPath
		m.sw.took = msg.Summary.Elapsed
		return m.goTo(StepDone)
	}
	if !m.sw.started {
		return nil
	}
	var cmd tea.Cmd
	m.sw.sv, cmd = m.sw.sv.Update(msg)
	return cmd
}

// RealSwitch prepares a live switch of dir with the switch issue's runner:
// files tracked by git, the profile directory made, then home-manager.
func RealSwitch(env []string) SwitchFunc {
	return func(ctx context.Context, dir string, a flakegen.Answers, st theme.Styles) (switchview.Config, error) {
		p, err := nixrun.NewPlan(nixrun.SwitchOptions{Dir: dir, ConfigName: a.ConfigName(), Env: env})
		if err != nil {
			return switchview.Config{}, err
		}
		if err := nixrun.Prepare(ctx, p); err != nil {
			return switchview.Config{}, err
		}
		run, err := nixrun.Start(ctx, p)
		if err != nil {
			return switchview.Config{}, err
		}
		return switchview.Config{Source: run, Run: run, Title: "switch " + p.ConfigName, Styles: st}, nil
	}
}

// DemoSwitch replays the embedded recorded switch at its recorded pace, as
// if it ran for the person the answers describe: the recording's
// placeholders become their user name, home directory and host name.
func DemoSwitch(speed float64) SwitchFunc {
	return func(_ context.Context, _ string, a flakegen.Answers, st theme.Styles) (switchview.Config, error) {
		id := nixlog.DemoIdentity{User: a.HomeBase.Username, Home: a.HomeBase.HomeDirectory, Host: a.Hostname}
		return switchview.Config{Replay: nixlog.DemoReplayFor(id, speed), Title: "switch " + a.ConfigName() + " (recorded)", Styles: st}, nil
	}
}
