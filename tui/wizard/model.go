package wizard

import (
	"context"
	"io"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/tui/theme"
)

// Options configure one wizard run. Everything the wizard reaches outside
// itself comes in through Deps, so tests and the demo mode can replace it.
type Options struct {
	// Dir is where the configuration is written (--dir). Empty means the
	// existing configuration detection found, else ~/.config/home-manager.
	Dir string
	// Answers pre-fill the questions (--answers).
	Answers *flakegen.Answers
	// Base, when set, is the team base layer to onboard onto (--base,
	// --base-module): it replaces the starting answers' base.
	Base *flakegen.BaseFlake
	// AnswersFile is the file Answers came from, for the commands the
	// wizard suggests (render --answers FILE --on-conflict ...).
	AnswersFile string
	// Yes skips the questions when Answers is set (--yes).
	Yes bool
	// NoSwitch stops after writing; DryRun stops after the review.
	NoSwitch bool
	DryRun   bool
	// NoCommit writes without committing the run (--no-commit).
	NoCommit bool
	// Demo marks a demo run: the header says so and times come from Deps.Now.
	Demo bool
	// DirRoot, when set (the demo's temporary directory), is the only
	// place the wizard writes: the directory question refuses any other,
	// and writing checks again.
	DirRoot string
	// NoColor switches colours off (any non-empty NO_COLOR).
	NoColor bool
	// TermEnv is the terminal's environment (TERM, TERM_PROGRAM,
	// SSH_TTY, ...) Bubble Tea learns the terminal's abilities from; nil
	// is an empty one, never the process's.
	TermEnv []string
	Deps    Deps
}

// Deps are the wizard's doors to the outside world. Each runs inside a
// tea.Cmd, never in Update.
type Deps struct {
	// Detect examines the machine.
	Detect func(ctx context.Context) detect.Report
	// Installer returns the process that runs a Nix installer command. It
	// is only called after the person agreed. Nil means installers cannot
	// run here (the demo), and the screen says so.
	Installer InstallerFunc
	// Sudo returns `sudo -v`, to which the terminal is handed so it asks
	// for the password before an Installer that needs root runs (the
	// person is not root). Nil means Installer needs no credentials (a
	// test's fake installer).
	Sudo SudoFunc
	// DemoInstall stands in for Installer in the demo (when Installer is
	// nil): it plays a canned installer transcript into the same log pane
	// and then gives the simulated machine Nix. Nothing real runs.
	DemoInstall DemoInstallFunc
	// Switch starts the switch for a written configuration.
	Switch SwitchFunc
	// Preview builds the generation the switch would activate and says
	// what the switch would change, before it changes anything; the
	// switch (Switch, PlainSwitch) runs only once the person agrees. Nil
	// (the demo, whose switch is a recording) switches without a preview.
	Preview Previewer
	// PlainSwitch runs the switch with plain output (accessible mode).
	PlainSwitch func(ctx context.Context, dir string, out io.Writer) error
	// Env is the environment git runs with while the configuration is
	// planned and written (git is looked up on its PATH); nil is an empty
	// one, in which git is not found.
	Env []string
	// Now is the clock; the demo mode passes a fixed one.
	Now func() time.Time
	// Evaluate evaluates a team base layer's homeBase declarations, in
	// the background; nil means a team base cannot be evaluated here, and
	// the wizard offers the built-in layer.
	Evaluate EvaluateFunc
	// BaseHints reads a team flake's optional nixboard output; nil reads
	// none.
	BaseHints HintsFunc
	// HoldInterrupt, while the terminal is handed over to sudo, tells
	// the program's signal handling that a SIGINT is the terminal's
	// ctrl+c meant for sudo, not a request to stop nixboard; the
	// returned function ends that. Nil when nothing needs telling.
	HoldInterrupt func() (release func())
}

// Outcome is how a wizard run ended, for the command to pick an exit status.
type Outcome struct {
	// Step is the step the wizard ended on.
	Step Step
	// Quit is true when the person quit before the end.
	Quit bool
	// Failed is true when writing or the switch failed.
	Failed bool
	// Dir is the configuration directory; LogPath the switch log, if any.
	Dir     string
	LogPath string
	// Commit says what the write step committed, or why it did not.
	Commit string
}

// Model is the wizard's root model. It owns the step, the window size and
// the styles, and pushes size and styles down to the screens.
type Model struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc

	step   Step
	flow   stepFlow
	width  int
	height int
	isDark bool
	styles theme.Styles

	confirmQuit bool
	quitting    bool
	outcome     Outcome

	// Detection.
	detecting bool
	spinner   spinner.Model
	report    *detect.Report

	// Answers as they stand; previous is the last run's, when there was one.
	answers  flakegen.Answers
	previous *flakegen.Answers
	dir      string

	pager viewport.Model
	// screens are the steps, and steps the same screens in order:
	// steps[s] is the screen of Step s.
	screens
	steps []screen

	started time.Time

	// baseEval is the evaluation of the team base, when there is one.
	baseEval baseEval
}

// newModel builds the wizard. It does no I/O: detection starts in Init.
func newModel(ctx context.Context, opts Options) *Model {
	ctx, cancel := context.WithCancel(ctx)
	if opts.Deps.Now == nil {
		opts.Deps.Now = time.Now
	}
	m := &Model{
		opts:    opts,
		ctx:     ctx,
		cancel:  cancel,
		step:    StepWelcome,
		isDark:  true,
		width:   80,
		height:  24,
		spinner: spinner.New(spinner.WithSpinner(spinner.Dot)),
		pager:   viewport.New(),
	}
	m.flow = stepFlow{
		NixInstalled:  true,
		SkipQuestions: opts.Answers != nil && opts.Yes,
		DryRun:        opts.DryRun,
		NoSwitch:      opts.NoSwitch,
	}
	m.styles = theme.New(m.isDark, opts.NoColor)
	m.screens = newScreens(opts.DirRoot)
	m.steps = m.screens.list()
	m.pager.SoftWrap = true
	return m
}

// Step returns the step the wizard is on.
func (m *Model) Step() Step { return m.step }

// Answers returns the answers as they stand.
func (m *Model) Answers() flakegen.Answers { return m.answers }

// Outcome says how the run ended; valid after the program returned.
func (m *Model) Outcome() Outcome {
	o := m.outcome
	o.Step = m.step
	o.Dir = m.dir
	return o
}

// Init starts detection behind the first frame: the spinner draws at once
// and the report arrives as a message.
func (m *Model) Init() tea.Cmd {
	m.started = m.opts.Deps.Now()
	return tea.Batch(tea.RequestBackgroundColor, m.startDetect())
}

// detectDoneMsg carries a detection report and the answers of the last
// run found in the configuration directory, if any.
type detectDoneMsg struct {
	report   detect.Report
	previous *flakegen.Answers
}

func (m *Model) startDetect() tea.Cmd {
	m.detecting = true
	ctx, detectFn, flagDir := m.ctx, m.opts.Deps.Detect, m.opts.Dir
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		r := detectFn(ctx)
		return detectDoneMsg{report: r, previous: loadPrevious(chooseConfigDir(flagDir, r))}
	})
}

// Update is the root of the message flow.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.styles = theme.New(m.isDark, m.opts.NoColor)
		return m, m.questions.setDark(m.isDark)
	case tea.KeyPressMsg:
		if t, ok := m.current().(keyTaker); ok && t.takesKeys() {
			// The switch view asks before stopping a run and stops its
			// process group itself; the wizard then shows the result.
			return m, m.updateStep(msg)
		}
		if cmd, handled := m.handleGlobalKey(msg); handled {
			return m, cmd
		}
	case spinner.TickMsg:
		if !m.detecting && !m.write.busy && !m.review.planning && m.sw.phase != phaseInspect && !m.baseEval.running {
			return m, nil
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case detectDoneMsg:
		return m, m.onDetected(msg.report, msg.previous)
	case baseEvaluatedMsg:
		// Every step keeps the result; the questions act on it.
		m.evaluated(msg)
	}
	return m, m.updateStep(msg)
}

// handleGlobalKey deals with the keys that work on every step: the
// quit confirmation and ctrl+c.
func (m *Model) handleGlobalKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if m.confirmQuit {
		switch msg.String() {
		case "y", "Y", "ctrl+c":
			return m.quit(), true
		default:
			m.confirmQuit = false
			return nil, true
		}
	}
	if msg.String() == "ctrl+c" {
		m.confirmQuit = true
		return nil, true
	}
	return nil, false
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	if m.step != StepDone || !m.done.finished {
		m.outcome.Quit = true
	}
	m.cancel()
	return tea.Quit
}

// resize pushes the body's size down to every screen.
func (m *Model) resize() {
	w, h := m.bodySize()
	m.pager.SetWidth(w)
	m.pager.SetHeight(h)
	m.questions.setSize(w, h)
	m.install.setSize(w, h)
	m.sw.setSize(w, h)
	// Text in the pager is wrapped to the width: wrap it again, or the
	// pager's soft wrap breaks its words where the new width ends.
	m.refreshPager()
}

// bodySize is the room between the header and the key help.
func (m *Model) bodySize() (int, int) {
	return max(m.width, 20), max(m.height-headerHeight-footerHeight, 3)
}

const (
	headerHeight = 2
	footerHeight = 2
)

// current is the screen of the step the wizard is on.
func (m *Model) current() screen { return m.steps[m.step] }

// goTo enters a step and starts whatever the step needs.
func (m *Model) goTo(s Step) tea.Cmd {
	from := m.step
	m.step = s
	m.pager.GotoTop()
	cmd := m.current().enter(m, from)
	m.refreshPager()
	return cmd
}

// forward goes to the step after the current one.
func (m *Model) forward() tea.Cmd { return m.goTo(m.flow.Next(m.step)) }

// updateStep hands a message to the current step's screen.
func (m *Model) updateStep(msg tea.Msg) tea.Cmd { return m.current().update(m, msg) }

// updatePager scrolls the body of text screens.
func (m *Model) updatePager(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.pager, cmd = m.pager.Update(msg)
	return cmd
}

// refreshPager sets the pager's content to the current step's body, when
// the step's body is text in the pager.
func (m *Model) refreshPager() {
	if p, ok := m.current().(pagedScreen); ok {
		w, _ := m.bodySize()
		m.pager.SetContent(p.body(m, w))
	}
}

// View draws the header, the current step and the key help. It is the only
// place that returns a tea.View.
func (m *Model) View() tea.View {
	if m.quitting {
		return tea.NewView("")
	}
	w, h := m.bodySize()
	body := fitHeight(m.current().view(m, w, h), h)
	v := tea.NewView(lipgloss.JoinVertical(lipgloss.Left, m.header(), body, m.footer()))
	v.AltScreen = true
	v.WindowTitle = "nixboard"
	return v
}

// header shows where the person is in the flow.
func (m *Model) header() string {
	title := m.styles.Title.Render("nixboard")
	if m.opts.Demo {
		title += m.styles.Subtle.Render(" (demo)")
	}
	steps := []Step{StepWelcome, StepQuestions, StepReview, StepWrite, StepSwitch, StepDone}
	var parts []string
	for _, s := range steps {
		name := s.Title()
		switch {
		case s == m.step || (s == StepWelcome && m.step == StepInstall):
			parts = append(parts, m.styles.Selected.Render("["+name+"]"))
		default:
			parts = append(parts, m.styles.Subtle.Render(name))
		}
	}
	line := title + "  " + strings.Join(parts, m.styles.Subtle.Render(" › "))
	if ansi.StringWidth(line) > m.width {
		line = title + "  " + m.styles.Selected.Render(m.step.Title())
	}
	return ansi.Truncate(line, m.width, "…") + "\n" + m.styles.Subtle.Render(strings.Repeat("─", max(m.width, 1)))
}

// footer is the key help, or the quit question.
func (m *Model) footer() string {
	rule := m.styles.Subtle.Render(strings.Repeat("─", max(m.width, 1)))
	if m.confirmQuit {
		question, keys := "Quit nixboard?", []key.Binding{binding("y", "quit"), binding("any other key", "stay")}
		if a, ok := m.current().(quitAsker); ok {
			question, keys = a.quitQuestion()
		}
		return rule + "\n" + m.promptLine(m.styles.Warn.Render(question), keys)
	}
	var prompt string
	if p, ok := m.current().(prompter); ok {
		if text := p.prompt(); text != "" {
			prompt = m.styles.Warn.Render(text)
		}
	}
	return rule + "\n" + m.promptLine(prompt, quitFirst(m.current().keys(m)))
}

// promptLine is a question (or nothing) and the key help on one line: the
// help drops the keys at its end that do not fit, and when even the first
// does not fit beside the question, the question gives way, cut.
func (m *Model) promptLine(question string, keys []key.Binding) string {
	h := newKeyHelp(m.styles)
	if question == "" {
		h.SetWidth(m.width)
		return h.ShortHelpView(keys)
	}
	h.SetWidth(max(m.width-ansi.StringWidth(question)-1, 0))
	help := h.ShortHelpView(keys)
	if first := h.ShortHelpView(keys[:min(1, len(keys))]); help == "" || ansi.StringWidth(first) > ansi.StringWidth(help) {
		h.SetWidth(m.width)
		help = h.ShortHelpView(keys[:min(1, len(keys))])
		return ansi.Truncate(question, max(m.width-ansi.StringWidth(help)-1, 0), "…") + " " + help
	}
	return question + " " + help
}

// quitFirst puts the keys that quit in front, as one entry ("esc/ctrl+c
// quit"), so a help line too narrow for every key keeps the way out.
func quitFirst(keys []key.Binding) []key.Binding {
	var quit []string
	out := []key.Binding{{}}
	for _, k := range keys {
		if k.Enabled() && k.Help().Desc == "quit" {
			quit = append(quit, k.Help().Key)
		} else {
			out = append(out, k)
		}
	}
	if len(quit) == 0 {
		return out[1:]
	}
	out[0] = binding(strings.Join(quit, "/"), "quit")
	return out
}

// newKeyHelp is the key help drawn in the wizard's styles, as the switch
// view draws its own.
func newKeyHelp(st theme.Styles) help.Model { return st.Help(" · ") }

// fitHeight pads or cuts s to exactly h lines so the key help stays at the
// bottom of the screen.
func fitHeight(s string, h int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// back goes to the step before, where there is one.
func (m *Model) back() tea.Cmd {
	s, ok := m.flow.Back(m.step)
	if !ok {
		return nil
	}
	return m.goTo(s)
}

// FinalMessage is what stays on the terminal after the wizard's alternate
// screen closes: the summary of the last screen. The demo's names no
// directory: the demo removes its own as it ends.
func FinalMessage(m *Model) string {
	w, _ := m.bodySize()
	d := m.doneInfo()
	d.Demo = m.opts.Demo
	return ansi.Strip(strings.Join(wizardlogic.DoneLines(d, min(w, 100)), "\n")) + "\n"
}
