package wizard

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/internal/wizardlogic"
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
	// A new review asks again before a switch that cannot succeed.
	m.sw.tryAnyway = false
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
	ctx, dir, env := m.ctx, m.dir, m.opts.Deps.Env
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		p, err := flakegen.NewPlan(ctx, dir, a, env)
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
	home := m.home()
	var b strings.Builder
	line := func(ls ...string) {
		for _, l := range ls {
			b.WriteString(l + "\n")
		}
	}
	// What blocks the switch is shown below the files (the summary and the
	// files come first at 80x24); the key help says the switch will wait.
	bs := m.blockers()
	line(wizardlogic.ReviewSummary(r.answers, m.dir, home, m.previous, width)...)
	if len(r.notes) > 0 {
		line("", s.Warn.Render("Adjusted for this machine:"))
		for _, n := range r.notes {
			line(textwrap.Hanging("  • ", n, width)...)
		}
	}
	if len(r.problems) > 0 {
		line("", s.Fail.Render("These answers need fixing (esc to go back):"))
		for _, p := range r.problems {
			ls := textwrap.HangingBy("  ✗ ", 4, fmt.Sprintf("%s %q: %s", p.Field, p.Value, p.Problem), width)
			ls[0] = "  " + s.Fail.Render(strings.TrimPrefix(ls[0], "  "))
			line(ls...)
		}
		return b.String()
	}
	if r.err != nil {
		line("")
		for _, l := range textwrap.Hanging("✗ ", r.err.Error(), width) {
			line(s.Fail.Render(l))
		}
		return b.String()
	}
	if r.planning {
		line("", m.spinner.View()+" Working out what would change…")
		return b.String()
	}
	line("")
	for _, l := range textwrap.HangingBy("Files in ", 2, wizardlogic.TildePath(m.dir, home), width) {
		line(s.Title.Render(l))
	}
	for _, f := range wizardlogic.PlanRows(r.plan) {
		line(textwrap.HangingBy(fmt.Sprintf("  %-10s ", f.Action), 13, f.Path, width)...)
		if f.Note != "" {
			for _, l := range textwrap.Hanging(strings.Repeat(" ", 13), f.Note, width) {
				line(s.Subtle.Render(l))
			}
		}
	}
	if m.flow.DryRun {
		line("", s.Warn.Render("Dry run: nothing will be written."))
	} else {
		line("", s.Subtle.Render("Nothing has been written yet."))
	}
	if len(bs) > 0 {
		line("", s.Fail.Render("The switch cannot succeed until these are fixed:"))
		line(m.blockerLines(bs, width)...)
		next := "The files can be written now; the switch waits until these are fixed, or until you ask to try it anyway."
		if m.flow.NoSwitch || m.flow.DryRun {
			next = "Fix these before you switch."
		}
		line(s.Subtle.Render(wrapText(next, width)))
	}
	for _, f := range wizardlogic.PlanRows(r.plan) {
		if f.Diff == "" {
			continue
		}
		line("", s.Accent.Render("── "+f.Path))
		for _, l := range strings.Split(strings.TrimRight(f.Diff, "\n"), "\n") {
			switch {
			case strings.HasPrefix(l, "+"):
				l = s.OK.Render(l)
			case strings.HasPrefix(l, "-"):
				l = s.Fail.Render(l)
			}
			line(l)
		}
	}
	return b.String()
}

// blockers are what makes a switch impossible, as detection reported it.
func (m *Model) blockers() []detect.Blocker {
	if m.report == nil {
		return nil
	}
	return m.report.Blockers()
}

// blockerLines shows each blocker: what doctor found, why it stops the
// switch, and its fix as commands to paste.
func (m *Model) blockerLines(bs []detect.Blocker, width int) []string {
	s := m.styles
	var out []string
	for _, b := range bs {
		ls := textwrap.Hanging("  ✗ ", b.Message, width)
		ls[0] = "  " + s.Fail.Render("✗") + strings.TrimPrefix(ls[0], "  ✗")
		out = append(out, ls...)
		for _, l := range textwrap.Hanging("    why: ", b.Reason, width) {
			out = append(out, s.Subtle.Render(l))
		}
		for _, fix := range strings.Split(b.Fix, "\n") {
			if strings.TrimSpace(fix) == "" {
				continue
			}
			for _, l := range textwrap.CommandLines(fix, 4, width) {
				out = append(out, s.Accent.Render(l))
			}
		}
	}
	return out
}

// home is the person's home directory as detection found it, for showing
// paths under it as ~/....
func (m *Model) home() string {
	if m.report == nil {
		return ""
	}
	return m.report.User.Home
}
