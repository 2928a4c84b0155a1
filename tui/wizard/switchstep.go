package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/wizardlogic"
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

func (s *switchScreen) view(m *Model, width, _ int) string {
	switch {
	case s.blocked != nil:
		return s.blockedBody(m, width)
	case s.err != nil:
		return "✗ The switch could not start: " + s.err.Error()
	case !s.started:
		return "Preparing the switch…"
	}
	return s.sv.View()
}

// switchBlockedKeys are the keys of a switch that waits for the person.
var switchBlockedKeys = struct{ finish, try, redetect key.Binding }{
	finish:   binding("enter", "finish without switching"),
	try:      binding("t", "try anyway"),
	redetect: binding("r", "check again"),
}

func (s *switchScreen) keys(*Model) []key.Binding {
	if s.blocked != nil {
		return []key.Binding{switchBlockedKeys.finish, switchBlockedKeys.try, switchBlockedKeys.redetect, keyQuit}
	}
	if s.started {
		// The switch view knows its mode: a live run stops, a replay
		// (the demo) ends. Its keys are the only key help shown.
		return bindings(s.sv.Keys())
	}
	return []key.Binding{keyQuit}
}

// takesKeys: a running switch gets every key, ctrl+c included.
func (s *switchScreen) takesKeys() bool { return s.started && !s.finished }

func (s *switchScreen) quitQuestion() (string, []key.Binding) {
	return "Stop the switch and quit?", []key.Binding{binding("y", "stop and quit"), binding("any other key", "keep going")}
}

func (s *switchScreen) prompt() string {
	if !s.started {
		return ""
	}
	return s.sv.Prompt()
}

// redetected is "check again" on the blocked switch: it starts when
// nothing blocks it now.
func (s *switchScreen) redetected(m *Model) tea.Cmd {
	if s.blocked == nil {
		return nil
	}
	return s.start(m)
}

// blockedBody tells the person, before anything starts, that the switch
// cannot succeed and why.
func (s *switchScreen) blockedBody(m *Model, width int) string {
	st := m.styles
	lines := []string{st.Fail.Render(wrapText("The switch was not started: it cannot succeed until these are fixed.", width))}
	// What to do comes first: a long fix may not fit below it.
	if m.detecting {
		lines = append(lines, m.spinner.View()+" Checking the machine again…")
	} else {
		lines = append(lines, wrapText("Your files are written. Press enter to finish and switch later, r to check again after fixing, or t to try the switch anyway.", width))
	}
	lines = append(lines, "")
	lines = append(lines, m.blockerLines(s.blocked, width)...)
	return strings.Join(lines, "\n") + "\n"
}

// switchReadyMsg carries the prepared switch configuration.
type switchReadyMsg struct {
	cfg switchview.Config
	err error
}

func (s *switchScreen) enter(m *Model, _ Step) tea.Cmd { return s.start(m) }

// start starts the switch, unless detection knows it cannot succeed and
// the person did not ask to try anyway.
func (s *switchScreen) start(m *Model) tea.Cmd {
	*s = switchScreen{w: s.w, h: s.h, tryAnyway: s.tryAnyway}
	if bs := m.blockers(); len(bs) > 0 && !s.tryAnyway {
		// Detection already knows this switch would fail: say so now,
		// instead of letting it fail later with another message.
		s.blocked = bs
		return nil
	}
	start := m.opts.Deps.Switch
	if start == nil {
		s.err = fmt.Errorf("no switch is available in this mode")
		return nil
	}
	ctx, dir, a, st := m.ctx, m.dir, m.answers, m.styles
	return func() tea.Msg {
		cfg, err := start(ctx, dir, a, st)
		return switchReadyMsg{cfg: cfg, err: err}
	}
}

func (s *switchScreen) update(m *Model, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && s.blocked != nil && !m.detecting {
		switch {
		case key.Matches(k, switchBlockedKeys.try):
			s.tryAnyway = true
			return s.start(m)
		case key.Matches(k, switchBlockedKeys.finish):
			s.skipped = true
			return m.forward()
		case key.Matches(k, switchBlockedKeys.redetect):
			return m.startDetect()
		}
		return nil
	}
	switch msg := msg.(type) {
	case switchReadyMsg:
		if msg.err != nil {
			s.err = msg.err
			s.finished = true
			s.reason = msg.err.Error()
			return m.forward()
		}
		cfg := msg.cfg
		cfg.Embedded = true
		s.sv = switchview.New(cfg)
		s.sv.SetSize(m.bodySize())
		s.started = true
		return s.sv.Init()
	case switchview.DoneMsg:
		s.finished = true
		s.ok = msg.Diagnosis.OK && !msg.Interrupted
		s.reason = msg.Diagnosis.Reason
		if msg.Interrupted && s.reason == "" {
			s.reason = "stopped"
		}
		s.hints = msg.Diagnosis.Hints
		s.logPath = msg.LogPath
		s.took = msg.Summary.Elapsed
		return m.forward()
	}
	if !s.started {
		return nil
	}
	var cmd tea.Cmd
	s.sv, cmd = s.sv.Update(msg)
	return cmd
}

// accessible runs the switch with plain output. When detection knows it
// cannot succeed, it starts only when the person asks for it (never with
// --yes alone).
func (s *switchScreen) accessible(r *plainRun) (bool, error) {
	if len(r.blockers) > 0 {
		try := false
		if !r.opts.Yes {
			if err := r.confirm("The switch cannot succeed until the problems above are fixed. Try it anyway?", &try); err != nil {
				return true, err
			}
		}
		if !try {
			fmt.Fprintln(r.out, "The switch was not started. Once the problems above are fixed, switch with: nixboard switch --dir "+wizardlogic.ShellPath(r.dir, r.report.User.Home))
			r.o.Step = StepDone
			// Nobody chose to skip it under --yes: the run did not set up
			// the environment, which the exit status says.
			r.o.Failed = r.opts.Yes
			return true, nil
		}
	}
	r.switching = true
	if err := r.opts.Deps.PlainSwitch(r.ctx, r.dir, r.out); err != nil {
		r.o.Failed = true
		return true, err
	}
	return false, nil
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
