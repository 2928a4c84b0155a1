package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/internal/shell"
	"github.com/nixboard/nixboard/internal/textwrap"
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
	sv switchview.Model
	// hist and est are the run's build history and estimate (nil for the
	// demo's recording); the durations are saved when the run ends.
	hist     *eta.History
	est      *eta.Feed
	started  bool
	finished bool
	ok       bool
	reason   string
	hints    []nixlog.Hint
	logPath  string
	took     time.Duration
	err      error
	w, h     int
	// stopped is set when the person stopped the run (ctrl+c): it did not
	// fail, whatever the unfinished log looks like.
	stopped bool

	// blocked holds what detection found that makes this switch
	// impossible; the switch waits for the person: t tries it anyway,
	// enter finishes without it, r checks the machine again.
	blocked []detect.Blocker
	// tryAnyway is set when the person asked to switch despite them.
	tryAnyway bool
	// skipped is set when the person finished without switching.
	skipped bool

	// phase is where a switch with a preview is: the build of the
	// generation (the live log), reading what it would change, the
	// question, then the switch itself. Without Deps.Preview (the demo)
	// the switch starts at phaseSwitch.
	phase switchPhase
	// preview is what the switch would change, once read.
	preview *nixrun.Preview
	// declined is set when the person answered no to the preview.
	declined bool
	// refused is set when the person stopped at a preview whose switch
	// cannot go on (nixrun.Preview.Stop: files home-manager refuses to
	// move aside).
	refused bool
}

// switchPhase is a stage of the switch step.
type switchPhase int

const (
	phaseSwitch switchPhase = iota
	phaseBuild
	phaseInspect
	phaseAsk
)

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
	case s.phase == phaseInspect:
		return m.spinner.View() + " Built. Reading what the switch would change (home-manager's dry run, nix store diff-closures)…"
	case s.phase == phaseAsk:
		return m.pager.View()
	case !s.started:
		return "Preparing the switch…"
	}
	return s.sv.View()
}

// switchAskKeys answer the preview.
var switchAskKeys = struct{ yes, no, scroll key.Binding }{
	yes:    binding("y", "activate"),
	no:     binding("n", "not now"),
	scroll: keyScroll,
}

// switchStopKeys answer a preview whose switch cannot go on: there is no
// y, since home-manager would stop on the files in the way.
var switchStopKeys = struct{ retry, stop key.Binding }{
	retry: binding("r", "check again after fixing"),
	stop:  binding("n", "stop"),
}

// stops is true when the preview found files that stop the switch.
func (s *switchScreen) stops() bool {
	return s.phase == phaseAsk && s.preview != nil && !s.preview.Stop().OK
}

// body is the preview while the step asks whether to activate it; the
// pager scrolls it.
func (s *switchScreen) body(m *Model, width int) string {
	if s.phase != phaseAsk || s.preview == nil {
		// Not text in the pager: what the step draws itself.
		return s.view(m, width, 0)
	}
	st := m.styles
	lines := textwrap.Words("The generation is built; nothing on this machine has changed yet. This is what the switch will do:", width)
	lines = append(lines, "")
	for _, l := range previewLines(*s.preview, m.home()) {
		indent := len(l) - len(strings.TrimLeft(l, " "))
		for _, w := range textwrap.Hanging(strings.Repeat(" ", indent), strings.TrimLeft(l, " "), width) {
			switch {
			case strings.HasPrefix(strings.TrimSpace(w), "+ "):
				w = st.OK.Render(w)
			case strings.HasPrefix(strings.TrimSpace(w), "- "):
				w = st.Fail.Render(w)
			case indent == 0:
				w = st.Title.Render(w)
			}
			lines = append(lines, w)
		}
	}
	if d := s.preview.Stop(); !d.OK {
		lines = append(lines, "", st.Fail.Render(wrapText("The switch cannot go on until this is dealt with: "+d.Reason+".", width)), "What to do:")
		for _, h := range d.Hints {
			lines = append(lines, textwrap.Hanging("  • ", h.Title, width)...)
			for _, l := range strings.Split(strings.TrimRight(h.Detail, "\n"), "\n") {
				lines = append(lines, textwrap.Hanging("    ", l, width)...)
			}
			if h.Fix != "" {
				lines = append(lines, textwrap.CommandLines(h.Fix, 4, width)...)
			}
		}
		lines = append(lines, "", wrapText("Press r to check again once they are dealt with, or n to stop: the configuration stays written, and nothing on this machine changed.", width))
	}
	return strings.Join(lines, "\n") + "\n"
}

// switchBlockedKeys are the keys of a switch that waits for the person.
var switchBlockedKeys = struct{ finish, try, redetect key.Binding }{
	finish:   binding("enter", "finish without switching"),
	try:      binding("t", "try anyway"),
	redetect: binding("r", "check again"),
}

func (s *switchScreen) keys(*Model) []key.Binding {
	switch {
	case s.stops():
		return []key.Binding{switchStopKeys.retry, switchStopKeys.stop, switchAskKeys.scroll, keyQuit}
	case s.phase == phaseAsk:
		return []key.Binding{switchAskKeys.yes, switchAskKeys.no, switchAskKeys.scroll, keyQuit}
	case s.phase == phaseInspect:
		return []key.Binding{keyQuit}
	}
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
	if s.stops() {
		return "The switch cannot go on until the files in the way are dealt with."
	}
	if s.phase == phaseAsk {
		return "Activate this generation?"
	}
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

// previewDoneMsg carries what the built generation's switch would change.
type previewDoneMsg struct {
	preview nixrun.Preview
	err     error
}

// switchReadyMsg carries the prepared switch configuration.
type switchReadyMsg struct {
	cfg switchview.Config
	err error
	// hist is this machine's build history the screen's estimate reads
	// (nil: none); the run's durations are saved into it at its end.
	hist *eta.History
}

// withHistory gives a real run (one with a Run, not the demo's recording)
// the time-left estimate of this machine's build history, as `nixboard
// switch` has. It does I/O: it runs inside the command that starts the run.
func withHistory(msg switchReadyMsg, env []string) switchReadyMsg {
	if msg.err != nil || msg.cfg.Run == nil || msg.cfg.Estimate != nil {
		return msg
	}
	if path, err := eta.HistoryPath(func(k string) string { return shell.Getenv(env, k) }); err == nil {
		// A history that cannot be opened leaves the estimate to what
		// it sees in this run.
		if h, err := eta.OpenHistory(path, nil); err == nil {
			msg.hist = h
		}
	}
	msg.cfg.Estimate = eta.NewFeed(msg.hist, eta.FeedOptions{Now: msg.cfg.Now})
	return msg
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
	if p := m.opts.Deps.Preview; p != nil {
		// Build first and show what the switch would change; the switch
		// itself starts only once the person agrees.
		s.phase = phaseBuild
		ctx, dir, a, st, env := m.ctx, m.dir, m.answers, m.styles, m.opts.Deps.Env
		return func() tea.Msg {
			run, err := p.StartBuild(ctx, dir, a)
			if err != nil {
				return switchReadyMsg{err: err}
			}
			return withHistory(switchReadyMsg{cfg: switchview.Config{Source: run, Run: run, Title: "build " + a.ConfigName() + " (nothing changes yet)", Styles: st}}, env)
		}
	}
	return s.startSwitch(m)
}

// startSwitch starts the switch itself: after the preview, or at once
// without one (the demo's recorded switch).
func (s *switchScreen) startSwitch(m *Model) tea.Cmd {
	s.phase = phaseSwitch
	s.started, s.finished = false, false
	start := m.opts.Deps.Switch
	if start == nil {
		s.err = fmt.Errorf("no switch is available in this mode")
		return nil
	}
	ctx, dir, a, st, env := m.ctx, m.dir, m.answers, m.styles, m.opts.Deps.Env
	return func() tea.Msg {
		cfg, err := start(ctx, dir, a, st)
		return withHistory(switchReadyMsg{cfg: cfg, err: err}, env)
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
	if k, ok := msg.(tea.KeyPressMsg); ok && s.stops() {
		switch {
		case key.Matches(k, switchStopKeys.retry):
			// The generation is built: the dry run alone says again
			// what is in the way.
			return s.inspect(m)
		case key.Matches(k, switchStopKeys.stop):
			s.refused, s.skipped = true, true
			return m.forward()
		}
		return m.updatePager(msg)
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && s.phase == phaseAsk {
		switch {
		case key.Matches(k, switchAskKeys.yes):
			return s.startSwitch(m)
		case key.Matches(k, switchAskKeys.no):
			// The configuration is written and nothing else changed:
			// the summary gives the command to switch later.
			s.declined, s.skipped = true, true
			return m.forward()
		}
		return m.updatePager(msg)
	}
	switch msg := msg.(type) {
	case previewDoneMsg:
		if msg.err != nil {
			s.finished = true
			s.reason = msg.err.Error()
			return m.forward()
		}
		s.phase, s.preview = phaseAsk, &msg.preview
		if m.opts.Yes && !s.stops() {
			// --yes agrees to the switch, not to one that would stop.
			return s.startSwitch(m)
		}
		m.pager.GotoTop()
		m.refreshPager()
		return nil
	case switchReadyMsg:
		if msg.err != nil {
			s.err = msg.err
			s.finished = true
			s.reason = msg.err.Error()
			return m.forward()
		}
		cfg := msg.cfg
		cfg.Embedded = true
		s.hist, s.est = msg.hist, cfg.Estimate
		s.sv = switchview.New(cfg)
		s.sv.SetSize(m.bodySize())
		s.started = true
		return s.sv.Init()
	case switchview.DoneMsg:
		save := s.saveHistory()
		if s.phase == phaseBuild && msg.Diagnosis.OK && !msg.Interrupted {
			// Built: read what the switch would change, in a command.
			s.started = false
			return tea.Batch(save, s.inspect(m))
		}
		s.finished = true
		s.ok = msg.Diagnosis.OK && !msg.Interrupted
		s.reason = msg.Diagnosis.Reason
		s.hints = msg.Diagnosis.Hints
		if msg.Interrupted {
			// A log cut short by the person's ctrl+c says nothing about
			// why a switch fails: the reason is that it was stopped.
			s.stopped = true
			s.reason = "stopped"
			s.hints = nil
		}
		s.logPath = msg.LogPath
		s.took = msg.Summary.Elapsed
		return tea.Batch(save, m.forward())
	}
	if !s.started {
		return nil
	}
	var cmd tea.Cmd
	s.sv, cmd = s.sv.Update(msg)
	return cmd
}

// inspect reads what the switch of the built generation would change (its
// dry run and its packages), in a command.
func (s *switchScreen) inspect(m *Model) tea.Cmd {
	s.phase = phaseInspect
	p, ctx, dir, a := m.opts.Deps.Preview, m.ctx, m.dir, m.answers
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		v, err := p.Inspect(ctx, dir, a)
		return previewDoneMsg{preview: v, err: err}
	})
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
	if p := r.opts.Deps.Preview; p != nil {
		v, err := plainPreview(r.ctx, p, r.dir, r.answers, r.out)
		if err != nil {
			r.o.Failed = true
			return true, err
		}
		for {
			fmt.Fprintln(r.out, "\nThe generation is built; nothing on this machine has changed yet. This is what the switch will do:")
			for _, l := range previewLines(v, r.report.User.Home) {
				fmt.Fprintln(r.out, l)
			}
			stop := v.StopLines()
			if len(stop) == 0 {
				break
			}
			// No question of activating it: home-manager would stop on
			// these files. --yes does not agree to that either.
			for _, l := range stop {
				fmt.Fprintln(r.out, l)
			}
			retry := false
			if !r.opts.Yes {
				c, err := r.askChoice("The switch cannot go on", "deal with the files in the way first", []huh.Option[string]{
					huh.NewOption("Check again after fixing", "retry"),
					huh.NewOption("Stop", "stop"),
				}, "stop")
				if err != nil {
					return true, err
				}
				retry = c == "retry"
			}
			if !retry {
				fmt.Fprintln(r.out, "The switch was not started: nothing on this machine changed. Once the files are dealt with, switch with: nixboard switch --dir "+wizardlogic.ShellPath(r.dir, r.report.User.Home))
				r.o.Step = StepDone
				r.o.Failed = r.opts.Yes
				return true, nil
			}
			// The generation is built: the dry run alone says again what
			// is in the way.
			fmt.Fprintln(r.out, "Reading again what the switch would change…")
			if v, err = p.Inspect(r.ctx, r.dir, r.answers); err != nil {
				r.o.Failed = true
				return true, err
			}
		}
		agree := r.opts.Yes
		if !agree {
			if err := r.confirm("Activate this generation?", &agree); err != nil {
				return true, err
			}
		}
		if !agree {
			fmt.Fprintln(r.out, "The switch was not started: nothing on this machine changed. The configuration is written to "+r.dir+"; switch to it with: nixboard switch --dir "+wizardlogic.ShellPath(r.dir, r.report.User.Home))
			r.o.Step = StepDone
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

// previewLines are the preview's lines with the paths under home shown as
// ~/..., as the person knows them.
func previewLines(v nixrun.Preview, home string) []string {
	lines := v.Lines()
	if home == "" || home == "/" {
		return lines
	}
	home = strings.TrimSuffix(home, "/") + "/"
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, home, "~/")
	}
	return lines
}

// plainPreview builds the generation with plain progress lines (each
// change of the build's progress line, as the screen's header shows it)
// and reads what its switch would change.
func plainPreview(ctx context.Context, p Previewer, dir string, a flakegen.Answers, out io.Writer) (nixrun.Preview, error) {
	fmt.Fprintln(out, "\nBuilding the generation the switch would activate; nothing changes yet.")
	run, err := p.StartBuild(ctx, dir, a)
	if err != nil {
		return nixrun.Preview{}, err
	}
	s := nixlog.NewState(nixlog.Options{})
	last := ""
	for {
		batch, err := run.Next()
		s.FeedLines(batch)
		if line := nixlog.StripANSI(nixlog.ProgressLine(s.Header())); line != last && line != "" {
			fmt.Fprintln(out, line)
			last = line
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nixrun.Preview{}, fmt.Errorf("preview: the build's output: %w", err)
		}
	}
	_ = run.Wait() // the diagnosis judges the exit status
	if d := run.Diagnose(s); !d.OK {
		return nixrun.Preview{}, fmt.Errorf("the build failed: %s (full log: %s)", d.Reason, run.LogPath())
	}
	fmt.Fprintln(out, "Built. Reading what the switch would change…")
	return p.Inspect(ctx, dir, a)
}

// Previewer builds the generation a switch would activate and says what
// the switch would change on this machine, before anything changes.
type Previewer interface {
	// StartBuild prepares the configuration for a switch (files tracked
	// by git, the profile directory) and starts the build of its
	// generation, whose log the switch screen shows live.
	StartBuild(ctx context.Context, dir string, a flakegen.Answers) (*nixrun.Run, error)
	// Inspect, once the build succeeded, runs the generation's dry-run
	// activation and compares its packages with the active generation.
	Inspect(ctx context.Context, dir string, a flakegen.Answers) (nixrun.Preview, error)
}

// HostSwitch is the switch of this machine with the switch issue's runner:
// files tracked by git, the profile directory made, then home-manager;
// before it, the build and the preview (Previewer).
type HostSwitch struct {
	// Env is the person's environment, for every command.
	Env []string
	// ExtraArgs are passed to nix and home-manager after the standard
	// flags (a test's --override-input of fixture inputs).
	ExtraArgs []string
}

func (h HostSwitch) plan(dir string, a flakegen.Answers) (nixrun.Plan, error) {
	return nixrun.NewPlan(nixrun.SwitchOptions{Dir: dir, ConfigName: a.ConfigName(), Env: h.Env, ExtraArgs: h.ExtraArgs})
}

// Switch starts the live switch of dir. After a preview, home-manager's
// build finds the generation already built and activates it.
func (h HostSwitch) Switch(ctx context.Context, dir string, a flakegen.Answers, st theme.Styles) (switchview.Config, error) {
	p, err := h.plan(dir, a)
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

// StartBuild starts `nix build` of the generation into the plan's
// PreviewLink, a garbage-collector root.
func (h HostSwitch) StartBuild(ctx context.Context, dir string, a flakegen.Answers) (*nixrun.Run, error) {
	p, err := h.plan(dir, a)
	if err != nil {
		return nil, err
	}
	if err := nixrun.Prepare(ctx, p); err != nil {
		return nil, err
	}
	link := p.PreviewLink()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	b, err := p.BuildPlan(link)
	if err != nil {
		return nil, err
	}
	return nixrun.Start(ctx, b)
}

// Inspect reads what the switch of the generation StartBuild built would
// change.
func (h HostSwitch) Inspect(ctx context.Context, dir string, a flakegen.Answers) (nixrun.Preview, error) {
	p, err := h.plan(dir, a)
	if err != nil {
		return nixrun.Preview{}, err
	}
	gen, err := filepath.EvalSymlinks(p.PreviewLink())
	if err != nil {
		return nixrun.Preview{}, fmt.Errorf("preview: the build left no generation at %s: %w", p.PreviewLink(), err)
	}
	return p.DryRun(ctx, gen)
}

// RealSwitch prepares a live switch of dir (HostSwitch.Switch).
func RealSwitch(env []string) SwitchFunc { return HostSwitch{Env: env}.Switch }

// DemoSwitch replays the embedded recorded switch at its recorded pace, as
// if it ran for the person the answers describe: the recording's
// placeholders become their user name, home directory and host name.
func DemoSwitch(speed float64) SwitchFunc {
	return func(_ context.Context, _ string, a flakegen.Answers, st theme.Styles) (switchview.Config, error) {
		id := nixlog.DemoIdentity{User: a.HomeBase.Username, Home: a.HomeBase.HomeDirectory, Host: a.Hostname}
		return switchview.Config{Replay: nixlog.DemoReplayFor(id, speed), Title: "switch " + a.ConfigName() + " (recorded)", Styles: st}, nil
	}
}

// saveHistory is the command that records the ended run's build durations
// into this machine's history, for the next estimate; nil without one. A
// save that fails loses only those durations: the estimate is advice, and
// the switch's result does not depend on it.
func (s *switchScreen) saveHistory() tea.Cmd {
	if s.hist == nil || s.est == nil {
		return nil
	}
	hist, est, state := s.hist, s.est, s.sv.State()
	s.hist = nil
	return func() tea.Msg {
		est.Finish(state)
		_ = hist.Save()
		return nil
	}
}
