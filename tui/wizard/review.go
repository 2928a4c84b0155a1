package wizard

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/flakegen"
)

// reviewScreen holds what the review shows: the normalised answers, the
// notes Normalize made, validation problems and the plan of file changes.
type reviewScreen struct {
	planning bool
	answers  flakegen.Answers
	notes    []string
	problems flakegen.ValidationErrors
	plan     *flakegen.Plan
	err      error
}

// planDoneMsg carries the plan computed for the review.
type planDoneMsg struct {
	plan *flakegen.Plan
	err  error
}

// startReview normalises and validates the answers and computes the plan
// in a command: nothing is written.
func (m *Model) startReview() tea.Cmd {
	a := m.answers
	notes := a.Normalize()
	m.answers = a
	m.review = reviewScreen{answers: a, notes: notes}
	if err := a.Validate(); err != nil {
		var ve flakegen.ValidationErrors
		if errors.As(err, &ve) {
			m.review.problems = ve
		} else {
			m.review.err = err
		}
		m.refreshPager()
		return nil
	}
	m.review.planning = true
	m.refreshPager()
	dir := m.dir
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		p, err := flakegen.NewPlan(dir, a)
		return planDoneMsg{plan: p, err: err}
	})
}

func (m *Model) updateReview(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case planDoneMsg:
		m.review.planning = false
		m.review.plan, m.review.err = msg.plan, msg.err
		m.refreshPager()
		if m.opts.Yes && m.flow.SkipQuestions && msg.err == nil {
			return m.goTo(m.flow.Next(StepReview))
		}
		return nil
	case tea.KeyPressMsg:
		switch msg.String() {
		case "esc":
			return m.back()
		case "enter":
			if m.review.ready() {
				return m.goTo(m.flow.Next(StepReview))
			}
			return nil
		}
	}
	return m.updatePager(msg)
}

// ready says whether the review may go forward: the plan exists and there
// is nothing to fix.
func (r reviewScreen) ready() bool {
	return !r.planning && r.err == nil && len(r.problems) == 0 && r.plan != nil
}

func (m *Model) reviewBody(width int) string {
	s := m.styles
	r := m.review
	var b strings.Builder
	prevRef := (*flakegen.Answers)(nil)
	if m.previous != nil {
		prevRef = m.previous
	}
	for _, line := range ReviewSummary(r.answers, m.dir, prevRef) {
		b.WriteString(line + "\n")
	}
	if len(r.notes) > 0 {
		b.WriteString("\n" + s.Warn.Render("Adjusted for this machine:") + "\n")
		for _, n := range r.notes {
			b.WriteString("  • " + wrapText(n, width-4) + "\n")
		}
	}
	if len(r.problems) > 0 {
		b.WriteString("\n" + s.Fail.Render("These answers need fixing (esc to go back):") + "\n")
		for _, p := range r.problems {
			b.WriteString("  " + s.Fail.Render("✗ "+p.Field) + fmt.Sprintf(" %q: ", p.Value) + wrapText(p.Problem, width-6) + "\n")
		}
		return b.String()
	}
	if r.err != nil {
		b.WriteString("\n" + s.Fail.Render("✗ "+r.err.Error()) + "\n")
		return b.String()
	}
	if r.planning {
		b.WriteString("\n" + m.spinner.View() + " Working out what would change…\n")
		return b.String()
	}
	b.WriteString("\n" + s.Title.Render("Files in "+m.dir) + "\n")
	for _, f := range PlanRows(r.plan) {
		b.WriteString(fmt.Sprintf("  %-10s %s\n", f.Action, f.Path))
		if f.Note != "" {
			b.WriteString("             " + s.Subtle.Render(f.Note) + "\n")
		}
	}
	if m.flow.DryRun {
		b.WriteString("\n" + s.Warn.Render("Dry run: nothing will be written.") + "\n")
	} else {
		b.WriteString("\n" + s.Subtle.Render("Nothing has been written yet.") + "\n")
	}
	for _, f := range PlanRows(r.plan) {
		if f.Diff == "" {
			continue
		}
		b.WriteString("\n" + s.Accent.Render("── "+f.Path) + "\n")
		for _, line := range strings.Split(strings.TrimRight(f.Diff, "\n"), "\n") {
			switch {
			case strings.HasPrefix(line, "+"):
				line = s.OK.Render(line)
			case strings.HasPrefix(line, "-"):
				line = s.Fail.Render(line)
			}
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
