package wizard

import (
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/tui/doctorview"
)

// onDetected takes a detection report: the first one fills the answers,
// later ones (after an installer ran, or on r) only refresh what is shown.
func (m *Model) onDetected(r detect.Report, previous *flakegen.Answers) tea.Cmd {
	first := m.report == nil
	m.detecting = false
	m.report = &r
	m.flow.NixInstalled = r.Nix.Installed
	if first {
		m.answers = r.Defaults
		if m.opts.Answers != nil {
			m.answers = *m.opts.Answers
		}
		m.dir = ConfigDir(m.opts.Dir, r)
		m.previous = previous
	}
	if m.step == StepSwitch && m.sw.blocked != nil {
		// "Check again" on the blocked switch: start it if nothing blocks now.
		return m.startSwitch()
	}
	if m.step != StepWelcome {
		return nil
	}
	m.refreshPager()
	if first && m.flow.SkipQuestions && len(BlockingChecks(r)) == 0 && r.Nix.Installed {
		return m.goTo(m.flow.Next(StepWelcome))
	}
	return nil
}

// ConfigDir decides where the configuration goes: --dir when given, else
// the existing configuration detection found, else ~/.config/home-manager.
func ConfigDir(flagDir string, r detect.Report) string {
	switch {
	case flagDir != "":
		return flagDir
	case r.HomeManager.ConfigDir != nil && *r.HomeManager.ConfigDir != "":
		return *r.HomeManager.ConfigDir
	default:
		return filepath.Join(r.User.Home, ".config", "home-manager")
	}
}

// BlockingChecks returns the checks that make the switch impossible (the
// report's blockers), so the welcome screen explains them first.
func BlockingChecks(r detect.Report) []detect.Check {
	var out []detect.Check
	for _, b := range r.Blockers() {
		out = append(out, b.Check)
	}
	return out
}

func (m *Model) updateWelcome(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if m.detecting {
			return nil
		}
		switch k.String() {
		case "enter":
			return m.goTo(m.flow.Next(StepWelcome))
		case "r":
			cmd := m.startDetect()
			m.refreshPager()
			return cmd
		case "esc":
			m.confirmQuit = true
			return nil
		}
	}
	return m.updatePager(msg)
}

func (m *Model) welcomeBody(width int) string {
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
