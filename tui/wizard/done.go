package wizard

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/nixlog"
)

// writeScreen is the short step that applies the plan.
type writeScreen struct {
	busy bool
	err  error
}

type writeDoneMsg struct {
	err    error
	commit string
}

// startWrite applies the reviewed plan in a command.
func (m *Model) startWrite() tea.Cmd {
	m.write = writeScreen{busy: true}
	m.refreshPager()
	ctx, plan, root, previous, noCommit := m.ctx, m.review.plan, m.opts.DirRoot, m.previous, m.opts.NoCommit
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		if plan == nil {
			return writeDoneMsg{err: fmt.Errorf("nothing to write: the review has no plan")}
		}
		if err := wizardlogic.DirInside(plan.Dir, root); err != nil {
			return writeDoneMsg{err: err}
		}
		if err := plan.Apply(ctx); err != nil || noCommit {
			return writeDoneMsg{err: err}
		}
		line, err := wizardlogic.CommitRun(ctx, plan, previous)
		return writeDoneMsg{err: err, commit: line}
	})
}

func (m *Model) updateWrite(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case writeDoneMsg:
		m.write.busy = false
		m.write.err = msg.err
		m.outcome.Commit = msg.commit
		if msg.err != nil {
			m.outcome.Failed = true
			m.refreshPager()
			return nil
		}
		return m.goTo(m.flow.Next(StepWrite))
	case tea.KeyPressMsg:
		if msg.String() == "esc" && !m.write.busy {
			m.outcome.Failed = false
			return m.goTo(StepReview)
		}
	}
	return nil
}

func (m *Model) writeBody(width int) string {
	if m.write.busy {
		return strings.Join(textwrap.Hanging(m.spinner.View()+" ", "Writing the configuration to "+wizardlogic.TildePath(m.dir, m.home())+"…", width), "\n") + "\n"
	}
	if m.write.err != nil {
		return m.styles.Fail.Render("✗ Writing failed") + "\n" + wrapText(m.write.err.Error(), width) +
			"\n\n" + wrapText("Nothing you had was lost: nixboard writes each file atomically and keeps a backup of any file it did not write.", width) +
			"\nPress esc to go back to the review.\n"
	}
	return ""
}

// doneScreen is the summary at the end.
type doneScreen struct {
	finished bool
	failed   bool
	reason   string
	hints    []nixlog.Hint
	logPath  string
	took     time.Duration
}

// finish records how the run ended for the summary.
func (m *Model) finish() {
	m.done.finished = true
	m.done.took = m.opts.Deps.Now().Sub(m.started)
	if m.sw.finished {
		m.done.failed = !m.sw.ok
		m.done.reason = m.sw.reason
		m.done.hints = m.sw.hints
		m.done.logPath = m.sw.logPath
		m.outcome.LogPath = m.sw.logPath
		if m.opts.Demo {
			// The demo's clock is fixed; the recording says how long it took.
			m.done.took = m.sw.took
		}
	}
	m.outcome.Failed = m.done.failed
}

func (m *Model) updateDone(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "q", "enter":
			if k.String() == "enter" && m.done.failed {
				return nil
			}
			return m.quit()
		case "r":
			if m.done.failed {
				m.done = doneScreen{}
				return m.goTo(StepSwitch)
			}
		case "esc":
			m.done = doneScreen{}
			m.outcome.Failed = false
			return m.back()
		}
	}
	return m.updatePager(msg)
}

func (m *Model) doneBody(width int) string {
	return strings.Join(wizardlogic.DoneLines(wizardlogic.DoneInfo{
		Answers:  m.answers,
		Dir:      m.dir,
		Home:     m.home(),
		DryRun:   m.flow.DryRun,
		NoSwitch: m.flow.NoSwitch || m.sw.skipped,
		Blocked:  m.sw.skipped,
		Failed:   m.done.failed,
		Reason:   m.done.reason,
		Hints:    m.done.hints,
		LogPath:  m.done.logPath,
		Took:     m.done.took,
	}, width), "\n")
}
