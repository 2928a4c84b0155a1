package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/internal/wizardlogic"
)

// writeScreen is the short step that applies the reviewed plan.
type writeScreen struct {
	busy bool
	err  error
	// took is how long writing (and committing) the files took: the time
	// the last screen reports when no switch follows.
	took time.Duration
}

type writeDoneMsg struct {
	err error
	// commit is the line that says what the run's commit did ("" when
	// nothing was said, or --no-commit).
	commit string
	// took is how long the write took.
	took time.Duration
}

// enter applies the reviewed plan in a command.
func (s *writeScreen) enter(m *Model, _ Step) tea.Cmd {
	*s = writeScreen{busy: true}
	ctx, plan, root, previous, noCommit, now := m.ctx, m.review.plan, m.opts.DirRoot, m.previous, m.opts.NoCommit, m.opts.Deps.Now
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		began := now()
		msg := write(ctx, plan, root, previous, noCommit)
		msg.took = now().Sub(began)
		return msg
	})
}

// write applies plan inside root and commits the run (unless noCommit).
func write(ctx context.Context, plan *flakegen.Plan, root string, previous *flakegen.Answers, noCommit bool) writeDoneMsg {
	if plan == nil {
		return writeDoneMsg{err: fmt.Errorf("nothing to write: the review has no plan")}
	}
	if err := wizardlogic.DirInside(plan.Dir, root); err != nil {
		return writeDoneMsg{err: err}
	}
	if err := plan.Apply(ctx); err != nil || noCommit {
		return writeDoneMsg{err: err}
	}
	if plan.HasMarkers() {
		// A run with conflict markers is not applied yet: the
		// person commits once the markers are resolved.
		return writeDoneMsg{commit: "Not committed: the configuration has conflict markers to resolve first."}
	}
	line, err := wizardlogic.CommitRun(ctx, plan, previous)
	return writeDoneMsg{err: err, commit: line}
}

var writeBack = binding("esc", "back")

func (s *writeScreen) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case writeDoneMsg:
		s.busy = false
		s.err = msg.err
		s.took = msg.took
		m.outcome.Commit = msg.commit
		if msg.err != nil {
			m.outcome.Failed = true
			m.refreshPager()
			return nil
		}
		if p := m.review.plan; p != nil {
			// The answers just written are now the last run's: a return
			// to the review compares with them, and is no first run.
			a := p.Answers
			m.previous = &a
		}
		if m.review.plan != nil && m.review.plan.HasMarkers() && !m.flow.DryRun {
			// The configuration does not evaluate with markers in it:
			// stop before the switch, on the summary that says which
			// files to resolve and how to switch afterwards.
			return m.goTo(StepDone)
		}
		return m.forward()
	case tea.KeyPressMsg:
		if key.Matches(msg, writeBack) && !s.busy {
			m.outcome.Failed = false
			return m.goTo(StepReview)
		}
	}
	return nil
}

func (s *writeScreen) view(m *Model, _, _ int) string { return m.pager.View() }

func (s *writeScreen) keys(*Model) []key.Binding {
	if s.err != nil {
		return []key.Binding{writeBack, keyQuit}
	}
	return []key.Binding{keyQuit}
}

func (s *writeScreen) body(m *Model, width int) string {
	if s.busy {
		return strings.Join(textwrap.Hanging(m.spinner.View()+" ", "Writing the configuration to "+wizardlogic.TildePath(m.dir, m.home())+"…", width), "\n") + "\n"
	}
	if s.err != nil {
		return m.styles.Fail.Render("✗ Writing failed") + "\n" + wrapText(s.err.Error(), width) +
			"\n\n" + wrapText("Nothing you had was lost: nixboard writes each file atomically and keeps a backup of any file it did not write.", width) +
			"\nPress esc to go back to the review.\n"
	}
	return ""
}

// accessible asks before writing (unless --yes) and applies the plan.
func (s *writeScreen) accessible(r *plainRun) (bool, error) {
	write := r.opts.Yes
	if !write {
		if err := r.confirm("Write these files?", &write); err != nil {
			return true, err
		}
	}
	if !write {
		fmt.Fprintln(r.out, "Nothing was written.")
		r.o.Quit = true
		return true, nil
	}
	if err := wizardlogic.DirInside(r.dir, r.opts.DirRoot); err != nil {
		r.o.Failed = true
		return true, err
	}
	if err := r.plan.Apply(r.ctx); err != nil {
		r.o.Failed = true
		return true, fmt.Errorf("write %s: %w", r.dir, err)
	}
	r.written = true
	fmt.Fprintln(r.out, "Wrote the configuration to "+r.dir+".")
	if r.plan.HasMarkers() {
		// The configuration does not evaluate with markers in it: stop
		// before the switch (and before the commit of an applied run).
		for _, l := range wizardlogic.MarkerLines(r.plan, r.dir, r.report.User.Home) {
			fmt.Fprintln(r.out, l)
		}
		r.o.Step = StepDone
		return true, nil
	}
	if !r.opts.NoCommit {
		line, err := wizardlogic.CommitRun(r.ctx, r.plan, r.previous)
		if err != nil {
			r.o.Failed = true
			return true, err
		}
		if line != "" {
			fmt.Fprintln(r.out, line)
		}
	}
	r.o.Step = StepWrite
	return false, nil
}
