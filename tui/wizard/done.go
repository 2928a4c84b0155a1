package wizard

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/nixlog"
)

// doneScreen is the summary at the end.
type doneScreen struct {
	finished bool
	failed   bool
	stopped  bool
	reason   string
	hints    []nixlog.Hint
	logPath  string
	took     time.Duration
}

// enter records how the run ended for the summary.
func (d *doneScreen) enter(m *Model, _ Step) tea.Cmd {
	m.finish()
	return nil
}

// finish records how the run ended for the summary.
func (m *Model) finish() {
	m.done.finished = true
	m.done.took = m.opts.Deps.Now().Sub(m.started)
	if !m.sw.finished || m.sw.skipped {
		// No switch ran: the time to report is the write's, not the
		// time the person spent on the questions.
		m.done.took = m.write.took
	}
	if m.sw.finished {
		m.done.failed = !m.sw.ok
		m.done.stopped = m.sw.stopped
		m.done.reason = m.sw.reason
		m.done.hints = m.sw.hints
		m.done.logPath = m.sw.logPath
		m.outcome.LogPath = m.sw.logPath
		if m.opts.Demo {
			// The demo's clock is fixed; the recording says how long it took.
			m.done.took = m.sw.took
		}
	}
	// A demo stopped by the person did not fail: nothing was to be set up.
	m.outcome.Failed = m.done.failed && !(m.opts.Demo && m.done.stopped)
}

var doneKeys = struct{ quit, retry, back, scroll key.Binding }{
	quit:   binding("q/enter", "quit", "q", "enter"),
	retry:  binding("r", "retry"),
	back:   binding("esc", "back to review"),
	scroll: keyScroll,
}

func (d *doneScreen) update(m *Model, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, doneKeys.quit):
			if k.String() == "enter" && d.failed {
				return nil
			}
			return m.quit()
		case key.Matches(k, doneKeys.retry):
			if d.failed {
				*d = doneScreen{}
				return m.goTo(StepSwitch)
			}
		case key.Matches(k, doneKeys.back):
			*d = doneScreen{}
			m.outcome.Failed = false
			return m.back()
		}
	}
	return m.updatePager(msg)
}

func (d *doneScreen) view(m *Model, _, _ int) string { return m.pager.View() }

func (d *doneScreen) keys(*Model) []key.Binding {
	if d.failed {
		q := doneKeys.quit
		q.SetKeys("q")
		q.SetHelp("q", "quit")
		return []key.Binding{doneKeys.retry, doneKeys.back, q}
	}
	return []key.Binding{doneKeys.quit, doneKeys.back, doneKeys.scroll}
}

// accessible ends the run: after a dry run it says nothing was written;
// without a switch it gives the command to switch; after the switch the
// summary.
func (d *doneScreen) accessible(r *plainRun) (bool, error) {
	r.o.Step = StepDone
	switch {
	case r.flow.DryRun:
		fmt.Fprintln(r.out, "\nDry run: nothing was written.")
	case r.opts.Demo:
		// The demo's directory is removed as it ends: the text does not
		// send the person there.
		fmt.Fprintln(r.out)
		for _, l := range wizardlogic.DoneLines(wizardlogic.DoneInfo{Answers: r.answers, Demo: true, NoSwitch: r.flow.NoSwitch}, 0) {
			fmt.Fprintln(r.out, l)
		}
	case r.flow.NoSwitch:
		if fix := flakesFix(&r.report); fix != "" {
			fmt.Fprintln(r.out, "Flakes are off in your own Nix configuration (nixboard turned them on for its own runs only): turn them on once with: "+fix)
		}
		fmt.Fprintln(r.out, "Switch to it with: "+wizardlogic.SwitchCommand(r.dir, r.report.User.Home, r.answers))
	default:
		for _, l := range wizardlogic.DoneLines(wizardlogic.DoneInfo{Answers: r.answers, Dir: r.dir, Home: r.report.User.Home, FlakesFix: flakesFix(&r.report)}, 0) {
			fmt.Fprintln(r.out, l)
		}
	}
	return true, nil
}

func (d *doneScreen) body(m *Model, width int) string {
	return strings.Join(wizardlogic.DoneLines(m.doneInfo(), width), "\n")
}

// doneInfo is what the done screen reports on. While the screen is shown
// the demo's directory exists, so it names it as any run does; the text
// left on the terminal afterwards does not (FinalMessage). A demo whose
// recorded switch failed or was stopped gets the demo's text on the screen
// too: `nixboard switch --dir` on the demo's directory would run a real
// switch of a configuration made for a simulated machine.
func (m *Model) doneInfo() wizardlogic.DoneInfo {
	return wizardlogic.DoneInfo{
		Answers:  m.answers,
		Demo:     m.opts.Demo && m.done.failed,
		Dir:      m.dir,
		Home:     m.home(),
		DryRun:   m.flow.DryRun,
		NoSwitch: m.flow.NoSwitch || m.sw.skipped,
		Blocked:  m.sw.skipped && !m.sw.declined && !m.sw.refused,
		Declined: m.sw.declined,
		Refused:  m.sw.refused,
		Failed:   m.done.failed,
		Stopped:  m.done.stopped,
		Reason:   m.done.reason,
		Hints:    m.done.hints,
		LogPath:  m.done.logPath,
		Took:     m.done.took,
		Markers:  m.markerLines(),

		FlakesFix: flakesFix(m.report),
	}
}

// flakesFix is the fix of the nix.flakes check when detection found flakes
// or nix-command off in the person's own Nix configuration, else "".
func flakesFix(r *detect.Report) string {
	if r == nil || r.Nix.Flakes == nil || r.Nix.NixCommand == nil || (*r.Nix.Flakes && *r.Nix.NixCommand) {
		return ""
	}
	for _, c := range r.Checks {
		if c.ID == "nix.flakes" {
			return c.Fix
		}
	}
	return ""
}

// markerLines say which files have conflict markers to resolve before the
// switch, when the run wrote any (nil otherwise).
func (m *Model) markerLines() []string {
	p := m.review.plan
	if p == nil || !p.HasMarkers() || m.flow.DryRun || m.step != StepDone {
		return nil
	}
	return wizardlogic.MarkerLines(p, m.dir, m.home())
}
