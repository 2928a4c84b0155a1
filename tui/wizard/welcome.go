package wizard

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/tui/doctorview"
)

// onDetected takes a detection report: the first one fills the answers,
// later ones (after an installer ran, or on r) only refresh what is shown.
func (m *Model) onDetected(r detect.Report, previous *flakegen.Answers) tea.Cmd {
	first := m.report == nil
	m.detecting = false
	m.report = &r
	m.flow.NixInstalled = r.Nix.Installed
	var eval tea.Cmd
	if first {
		m.answers = startingAnswers(r, m.opts.Answers, previous)
		withBase(&m.answers, m.opts.Base)
		m.dir = chooseConfigDir(m.opts.Dir, r)
		m.previous = previous
		m.welcome.offer(wizardlogic.DetectedChanges(previous, r.Defaults), &m.answers)
		// The team base is known: its evaluation starts now, while the
		// person reads the welcome and answers the first pages.
		eval = m.evaluateBase(m.answers)
	} else if m.step == StepWelcome {
		// r on the welcome screen: what detection finds now may differ
		// from the last run's in another way than before.
		m.welcome.reoffer(wizardlogic.DetectedChanges(m.previous, r.Defaults), &m.answers)
	}
	if r, ok := m.current().(redetector); ok {
		return tea.Batch(eval, r.redetected(m))
	}
	if m.step != StepWelcome {
		return eval
	}
	m.refreshPager()
	if first && m.flow.SkipQuestions && len(blockingChecks(r)) == 0 && r.Nix.Installed {
		return tea.Batch(eval, m.forward())
	}
	return eval
}

// withBase sets the base layer --base names (base), keeping the answers'
// values when it is the flake they already have.
func withBase(a *flakegen.Answers, base *flakegen.BaseFlake) {
	if base == nil {
		return
	}
	if a.Base != nil && a.Base.Flake == base.Flake && a.Base.Module == base.Module {
		return
	}
	b := *base
	a.Base = &b
}

// chooseConfigDir decides where the configuration goes: --dir when given, else
// the existing configuration detection found, else ~/.config/home-manager.
func chooseConfigDir(flagDir string, r detect.Report) string {
	switch {
	case flagDir != "":
		return flagDir
	case r.HomeManager.ConfigDir != nil && *r.HomeManager.ConfigDir != "":
		return *r.HomeManager.ConfigDir
	default:
		return filepath.Join(r.User.Home, ".config", "home-manager")
	}
}

// blockingChecks returns the checks that make the switch impossible (the
// report's blockers), so the welcome screen explains them first.
func blockingChecks(r detect.Report) []detect.Check {
	var out []detect.Check
	for _, b := range r.Blockers() {
		out = append(out, b.Check)
	}
	return out
}

// startingAnswers are the answers the questions start from: --answers
// when given, else the last run's (a re-run changes only what the person
// asks for), else what detection suggests.
func startingAnswers(r detect.Report, given, previous *flakegen.Answers) flakegen.Answers {
	switch {
	case given != nil:
		return *given
	case previous != nil:
		return *previous
	}
	return r.Defaults
}

// welcomeScreen shows what detection found and what to do first.
type welcomeScreen struct {
	// changes are the machine's answers that detection now finds
	// different from the last run's; useOld[i] is set when the person
	// keeps the last run's value of changes[i] (the default is the
	// detected one).
	changes []wizardlogic.DetectedChange
	useOld  []bool
}

// offer takes the detected changes and applies the default, the detected
// values, to a.
func (w *welcomeScreen) offer(changes []wizardlogic.DetectedChange, a *flakegen.Answers) {
	w.changes, w.useOld = changes, make([]bool, len(changes))
	for _, c := range changes {
		c.Apply(a, false)
	}
}

// reoffer takes the changes a later detection finds. One offered already
// (the same field, the same two values) keeps the person's choice; a new
// one, or one whose detected value moved again, is offered as on the first
// detection, its detected value applied to a. A change detection no
// longer finds leaves a as it is.
func (w *welcomeScreen) reoffer(changes []wizardlogic.DetectedChange, a *flakegen.Answers) {
	useOld := make([]bool, len(changes))
	for i, c := range changes {
		if j := slices.Index(w.changes, c); j >= 0 {
			useOld[i] = w.useOld[j]
			continue
		}
		c.Apply(a, false)
	}
	w.changes, w.useOld = changes, useOld
}

// changeKeys are the number keys that switch a detected change between
// its two values, one per change.
func (w *welcomeScreen) changeKey() key.Binding {
	var keys []string
	for i := range w.changes {
		keys = append(keys, strconv.Itoa(i+1))
	}
	help := "1"
	if len(keys) > 1 {
		help = "1-" + keys[len(keys)-1]
	}
	return binding(help, "old/new value", keys...)
}

// changeLines show each detected change with the value in use.
func (w *welcomeScreen) changeLines(width int) []string {
	if len(w.changes) == 0 {
		return nil
	}
	lines := textwrap.Words("Since the last run, detection finds this machine different. The detected value is used; press the number to keep the last run's instead:", width)
	for i, c := range w.changes {
		using := c.New + " (detected)"
		if w.useOld[i] {
			using = c.Old + " (the last run's)"
		}
		lines = append(lines, textwrap.HangingBy(fmt.Sprintf("  %d. ", i+1), 5, c.String()+"; using "+using, width)...)
	}
	return lines
}

// enter draws the report as it stands; detection itself starts in Init,
// on r, and after an installer ran.
func (w *welcomeScreen) enter(*Model, Step) tea.Cmd { return nil }

var welcomeKeys = struct{ next, redetect, quit key.Binding }{
	next:     binding("enter", "continue"),
	redetect: binding("r", "detect again"),
	quit:     binding("esc", "quit"),
}

func (w *welcomeScreen) update(m *Model, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if m.detecting {
			return nil
		}
		switch {
		case len(w.changes) > 0 && key.Matches(k, w.changeKey()):
			i, _ := strconv.Atoi(k.String())
			w.useOld[i-1] = !w.useOld[i-1]
			w.changes[i-1].Apply(&m.answers, w.useOld[i-1])
			m.refreshPager()
			return nil
		case key.Matches(k, welcomeKeys.next):
			return m.forward()
		case key.Matches(k, welcomeKeys.redetect):
			cmd := m.startDetect()
			m.refreshPager()
			return cmd
		case key.Matches(k, welcomeKeys.quit):
			m.confirmQuit = true
			return nil
		}
	}
	return m.updatePager(msg)
}

func (w *welcomeScreen) view(m *Model, _, _ int) string { return m.pager.View() }

func (w *welcomeScreen) keys(m *Model) []key.Binding {
	if m.detecting {
		return []key.Binding{keyQuit}
	}
	next := welcomeKeys.next
	if m.flow.SkipQuestions && m.report != nil && m.report.Nix.Installed {
		// --yes goes on without a review: say so where enter is.
		next.SetHelp("enter", "write files")
		if m.flow.DryRun {
			next.SetHelp("enter", "dry run")
		}
	}
	if len(w.changes) > 0 {
		return []key.Binding{next, w.changeKey(), welcomeKeys.redetect, keyScroll, keyQuit}
	}
	return []key.Binding{next, welcomeKeys.redetect, keyScroll, keyQuit}
}

// accessible looks at the machine and shows the report; once Nix is
// there (now, or after the installer step), it lists what blocks the
// switch and takes the answers to start from.
func (w *welcomeScreen) accessible(r *plainRun) (bool, error) {
	if !r.detected {
		fmt.Fprintln(r.out, "nixboard: looking at this machine…")
		r.report = r.opts.Deps.Detect(r.ctx)
		r.detected = true
		fmt.Fprintln(r.out, doctorview.Render(r.report, 80, r.styles))
		r.dir = chooseConfigDir(r.opts.Dir, r.report)
		r.o = Outcome{Dir: r.dir}
		r.flow.NixInstalled = r.report.Nix.Installed
	}
	if !r.report.Nix.Installed {
		// The flow leads to the installer step.
		return false, nil
	}
	for _, c := range blockingChecks(r.report) {
		fmt.Fprintf(r.out, "Blocking problem: %s\n  fix: %s\n", c.Message, c.Fix)
	}
	r.previous = loadPrevious(r.dir)
	r.answers = startingAnswers(r.report, r.opts.Answers, r.previous)
	withBase(&r.answers, r.opts.Base)
	return false, r.askDetectedChanges(wizardlogic.DetectedChanges(r.previous, r.report.Defaults))
}

// askDetectedChanges shows each answer about the machine that detection
// now finds different from the last run's and asks which to use (the
// detected value unless the person says otherwise; --yes takes it).
func (r *plainRun) askDetectedChanges(changes []wizardlogic.DetectedChange) error {
	if len(changes) == 0 {
		return nil
	}
	fmt.Fprintln(r.out, "\nSince the last run, detection finds this machine different:")
	for _, c := range changes {
		fmt.Fprintln(r.out, "  "+c.String())
	}
	for _, c := range changes {
		useOld := false
		if !r.opts.Yes {
			v, err := r.askChoice("The "+c.Title, "the last run used "+c.Old+"; detection finds "+c.New, []huh.Option[string]{
				huh.NewOption(c.New+" (detected)", "new"),
				huh.NewOption(c.Old+" (the last run's)", "old"),
			}, "new")
			if err != nil {
				return err
			}
			useOld = v == "old"
		}
		c.Apply(&r.answers, useOld)
		if useOld {
			fmt.Fprintf(r.out, "%s: keeping %s\n", c.Title, c.Old)
		} else {
			fmt.Fprintf(r.out, "%s: using %s\n", c.Title, c.New)
		}
	}
	return nil
}

func (w *welcomeScreen) body(m *Model, width int) string {
	s := m.styles
	var b strings.Builder
	if m.detecting || m.report == nil {
		b.WriteString(m.spinner.View() + " Looking at this machine: platform, Nix, home-manager, git…\n")
		return b.String()
	}
	r := *m.report
	// What to do comes first: the fixes of what blocks the switch can be
	// longer than the screen.
	switch {
	case !r.Nix.Installed:
		b.WriteString(s.Accent.Render("Nix is not installed. Press enter to see how to install it.") + "\n")
	case m.flow.SkipQuestions:
		b.WriteString(s.Accent.Render(wrapText(m.yesText(), width)) + "\n")
	default:
		b.WriteString(s.Accent.Render("Press enter to answer a few questions about your setup.") + "\n")
	}
	if ls := m.welcome.changeLines(width); len(ls) > 0 {
		b.WriteString("\n" + s.Warn.Render(strings.Join(ls, "\n")) + "\n")
	}
	if blockers := r.Blockers(); len(blockers) > 0 {
		b.WriteString("\n" + s.Fail.Render("Before the switch can work, fix these:") + "\n")
		b.WriteString(strings.Join(m.blockerLines(blockers, width), "\n") + "\n")
		b.WriteString(s.Subtle.Render(wrapText("You can still answer the questions and write the files now; press r after fixing to check again.", width)) + "\n")
	}
	b.WriteString("\n")
	b.WriteString(doctorview.Render(r, width, s))
	return b.String()
}

// loadPrevious reads the answers of the last run from the configuration
// directory; nil when there are none (first run, or not nixboard's).
func loadPrevious(dir string) *flakegen.Answers {
	a, err := flakegen.Load(filepath.Join(dir, "nixboard.json"))
	if err != nil {
		return nil
	}
	return &a
}

// yesText says what enter does on the welcome screen after --answers FILE
// --yes: it goes ahead without the questions and without a review, as
// --yes means everywhere (run without --yes to review the files first).
func (m *Model) yesText() string {
	switch {
	case m.flow.DryRun:
		return "Answers were given with --yes: press enter to see what would change (dry run: nothing is written)."
	case m.flow.NoSwitch:
		return "Answers were given with --yes: press enter to write the files without a review (run without --yes to review them first)."
	case len(m.blockers()) > 0:
		return "Answers were given with --yes: press enter to write the files without a review (run without --yes to review them first); the switch waits for the problems below."
	}
	return "Answers were given with --yes: press enter to write the files without a review and switch (run without --yes to review them first)."
}
