package wizard

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/internal/proc"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/tui/theme"
)

// installPhase is where the install screen is.
type installPhase int

const (
	// installChoosing lists the options.
	installChoosing installPhase = iota
	// installConfirming asks before anything runs.
	installConfirming
	// installAuthorizing has handed the terminal to `sudo -v`.
	installAuthorizing
	// installAuthFailed says why sudo did not confirm and offers to try
	// again or go back; nothing ran.
	installAuthFailed
	// installRunning streams the installer's output.
	installRunning
	// installFinished shows how the installer ended.
	installFinished
)

var installPhaseNames = [...]string{
	installChoosing:    "choosing",
	installConfirming:  "confirming",
	installAuthorizing: "authorizing",
	installAuthFailed:  "auth-failed",
	installRunning:     "running",
	installFinished:    "finished",
}

func (p installPhase) String() string {
	if p < 0 || int(p) >= len(installPhaseNames) {
		return "unknown"
	}
	return installPhaseNames[p]
}

// installScreen offers the installers, asks for consent, has sudo ask for
// the password where the installer needs root, and streams the chosen
// installer's output.
type installScreen struct {
	advice installAdvice
	choice int
	phase  installPhase
	// demo is true while and after the demo's canned transcript plays in
	// place of an installer.
	demo bool
	// sudoFirst is true when sudo asks for the password before the
	// chosen installer runs: a real installer, and the person is not root.
	sudoFirst bool
	// sudoErr is why sudo did not confirm the password (installAuthFailed),
	// and sudoProblem says it to the person, with the fix.
	sudoErr     error
	sudoProblem string
	// handOver is the `sudo -v` run the terminal was last handed to.
	handOver *terminalHandOver
	err      error
	lines    []string
	log      viewport.Model
	lineCh   chan tea.Msg
	width    int
}

// maxInstallLines bounds the installer's kept output.
const maxInstallLines = 2000

func newInstallScreen(a installAdvice) installScreen {
	v := viewport.New()
	// Installer lines and the command are often longer than the screen
	// is wide; they wrap rather than lose their end.
	v.SoftWrap = true
	return installScreen{advice: a, log: v}
}

func (s *installScreen) setSize(w, h int) {
	s.width = w
	s.log.SetWidth(w)
	s.log.SetHeight(max(h-3, 3))
}

// installLineMsg is one line of installer output; installDoneMsg ends it.
type installLineMsg struct{ line string }
type installDoneMsg struct{ err error }

// sudoReadyMsg carries the `sudo -v` process to hand the terminal to, or
// why there is none (sudo is not installed).
type sudoReadyMsg struct {
	spec proc.Spec
	err  error
}

// sudoDoneMsg says how `sudo -v` ended: nil when the credentials are
// cached for the terminal.
type sudoDoneMsg struct{ err error }

// findSudo builds the `sudo -v` process inside a command, since looking
// for sudo on PATH is I/O.
func findSudo(ctx context.Context, sudo SudoFunc) tea.Cmd {
	return func() tea.Msg {
		spec, err := sudo("-v")
		return sudoReadyMsg{spec: spec, err: err}
	}
}

// handOverToSudo pauses the wizard and gives the terminal to sudo, which
// asks for the password itself; the wizard gets the terminal back when
// sudo ends. It is tea.ExecProcess with the intro printed first.
func handOverToSudo(h *terminalHandOver) tea.Cmd {
	return tea.Exec(h, func(err error) tea.Msg {
		return sudoDoneMsg{err: err}
	})
}

// startInstaller runs the chosen installer. When sudo is not nil, the
// credentials it cached are kept fresh while the installer runs.
func startInstaller(ctx context.Context, run InstallerFunc, opt InstallOption, sudo SudoFunc) (chan tea.Msg, tea.Cmd) {
	return streamInstall(ctx, func(line func(string)) error {
		stop := keepSudoFresh(ctx, sudo, sudoRefreshEvery)
		defer stop()
		return runInstaller(ctx, run(opt), line)
	})
}

// startDemoInstall plays the demo's canned installer transcript through
// the same channel and messages as a real installer, so the log pane and
// the end of the run are the same.
func startDemoInstall(ctx context.Context, run DemoInstallFunc, opt InstallOption) (chan tea.Msg, tea.Cmd) {
	return streamInstall(ctx, func(line func(string)) error {
		if err := run(ctx, opt, line); err != nil {
			return fmt.Errorf("demo installer: %w", err)
		}
		return nil
	})
}

// streamInstall runs install in the background: its output lines and then
// its end travel through one channel, in order, one message per read that
// waitInstall re-arms.
func streamInstall(ctx context.Context, install func(line func(string)) error) (chan tea.Msg, tea.Cmd) {
	ch := make(chan tea.Msg, 64)
	send := func(msg tea.Msg) {
		select {
		case ch <- msg:
		case <-ctx.Done():
		}
	}
	return ch, func() tea.Msg {
		go func() {
			defer close(ch)
			err := install(func(l string) { send(installLineMsg{line: l}) })
			send(installDoneMsg{err: err})
		}()
		return nil
	}
}

func waitInstall(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// enter offers the installers detection advises.
func (s *installScreen) enter(m *Model, _ Step) tea.Cmd {
	*s = newInstallScreen(adviseInstall(*m.report))
	s.setSize(m.bodySize())
	return nil
}

func (s *installScreen) view(m *Model, width, _ int) string { return s.draw(m.styles, width) }

// accessible is the install step as line prompts: after an installer ran,
// the flow leads back to the welcome step with the new report.
func (s *installScreen) accessible(r *plainRun) (bool, error) {
	report, installed, err := installAccessible(r.ctx, r.in, r.out, r.report, r.opts.Deps)
	r.report = report
	if err != nil || !installed {
		r.o.Quit = err == nil
		return true, err
	}
	// The installer ran: go on, as the old flow did, even when the new
	// report does not see Nix yet in this process's environment.
	r.flow.NixInstalled = true
	return false, nil
}

func (s *installScreen) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case installLineMsg:
		atBottom := s.log.AtBottom()
		// No escape of an installer's may move the cursor or retitle
		// the terminal: the same stripping as the accessible mode's.
		s.addLines(nixlog.StripANSI(msg.line))
		if atBottom {
			s.log.GotoBottom()
		}
		return waitInstall(s.lineCh)
	case installDoneMsg:
		s.phase = installFinished
		s.err = msg.err
		return nil
	case sudoReadyMsg:
		if s.phase != installAuthorizing {
			return nil
		}
		if msg.err != nil {
			m.sudoFailed(msg.err)
			return nil
		}
		s.handOver = &terminalHandOver{ctx: m.ctx, intro: sudoIntro, spec: msg.spec, hold: m.opts.Deps.HoldInterrupt}
		return handOverToSudo(s.handOver)
	case sudoDoneMsg:
		if s.phase != installAuthorizing {
			return nil
		}
		if msg.err != nil {
			m.sudoFailed(msg.err)
			return nil
		}
		return m.runInstaller("sudo accepted your password; the installer's own sudo calls use it.")
	case tea.KeyPressMsg:
		return s.key(m, msg)
	}
	return nil
}

// key handles a key on the install screen, by phase.
func (s *installScreen) key(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	switch s.phase {
	case installRunning:
		var cmd tea.Cmd
		s.log, cmd = s.log.Update(msg)
		return cmd
	case installAuthorizing:
		// sudo has the terminal; keys that arrive before it takes it
		// are not the wizard's.
		return nil
	case installConfirming:
		if k := msg.String(); k != "y" && k != "Y" {
			s.phase = installChoosing
			return nil
		}
		opt := s.advice.Options[s.choice]
		switch {
		case m.opts.Deps.Installer != nil:
			if s.sudoFirst {
				return m.authorize()
			}
			return m.runInstaller()
		case m.opts.Deps.DemoInstall != nil:
			ch, cmd := startDemoInstall(m.ctx, m.opts.Deps.DemoInstall, opt)
			s.startLog(ch)
			return tea.Batch(cmd, waitInstall(ch))
		}
		s.phase = installFinished
		s.err = fmt.Errorf("installers do not run in this mode: run the command yourself")
		return nil
	case installAuthFailed:
		switch msg.String() {
		case "enter", "r":
			return m.authorize()
		case "esc":
			s.phase, s.sudoErr, s.sudoProblem = installChoosing, nil, ""
		}
		return nil
	}
	switch msg.String() {
	case "esc":
		return m.back()
	case "up", "k":
		if s.choice > 0 && s.phase == installChoosing {
			s.choice--
		}
	case "down", "j":
		if s.choice < len(s.advice.Options)-1 && s.phase == installChoosing {
			s.choice++
		}
	case "r":
		return m.redetect()
	case "enter":
		if s.phase == installFinished || len(s.advice.Options) == 0 || !s.advice.Options[s.choice].Runnable {
			return m.redetect()
		}
		s.phase = installConfirming
		s.demo = m.opts.Deps.Installer == nil && m.opts.Deps.DemoInstall != nil
		s.sudoFirst = m.opts.Deps.Installer != nil && m.opts.Deps.Sudo != nil && needsSudo(*m.report, s.advice.Options[s.choice])
	}
	return nil
}

// authorize asks sudo for the password, with the terminal handed over,
// before an installer that needs root runs.
func (m *Model) authorize() tea.Cmd {
	s := m.install
	s.phase, s.sudoErr, s.handOver = installAuthorizing, nil, nil
	return findSudo(m.ctx, m.opts.Deps.Sudo)
}

// sudoFailed keeps why sudo did not confirm the password; nothing runs.
func (m *Model) sudoFailed(err error) {
	s := m.install
	s.phase, s.sudoErr = installAuthFailed, err
	s.sudoProblem = sudoProblem(err, m.report.User.Name)
}

// runInstaller starts the chosen installer, its command and any notes at
// the top of the log.
func (m *Model) runInstaller(notes ...string) tea.Cmd {
	s := m.install
	var sudo SudoFunc
	if s.sudoFirst {
		sudo = m.opts.Deps.Sudo
	}
	ch, cmd := startInstaller(m.ctx, m.opts.Deps.Installer, s.advice.Options[s.choice], sudo)
	s.startLog(ch, notes...)
	return tea.Batch(cmd, waitInstall(ch))
}

// startLog switches the screen to the log of a run reading from ch.
func (s *installScreen) startLog(ch chan tea.Msg, notes ...string) {
	s.phase = installRunning
	s.lines = nil
	s.addLines(notes...)
	s.addLines("$ " + s.advice.Options[s.choice].Command)
	s.lineCh = ch
}

// addLines appends lines to the log, keeping the last maxInstallLines.
func (s *installScreen) addLines(lines ...string) {
	s.lines = append(s.lines, lines...)
	if len(s.lines) > maxInstallLines {
		s.lines = s.lines[len(s.lines)-maxInstallLines:]
	}
	s.log.SetContentLines(s.lines)
}

// redetect goes on to the welcome step, the step after the installer's,
// and runs detection again there.
func (m *Model) redetect() tea.Cmd {
	cmd := m.startDetect()
	return tea.Batch(cmd, m.forward())
}

func (s *installScreen) keys(*Model) []key.Binding {
	back := binding("esc", "back")
	switch s.phase {
	case installRunning:
		return []key.Binding{keyScroll, keyQuit}
	case installConfirming:
		return []key.Binding{binding("y", "run it"), binding("n", "not now")}
	case installAuthorizing:
		return []key.Binding{binding("ctrl+c", "at sudo's prompt: cancel sudo")}
	case installAuthFailed:
		return []key.Binding{binding("enter", "try sudo again"), back, keyQuit}
	case installFinished:
		return []key.Binding{binding("enter", "detect again"), back, keyQuit}
	}
	return []key.Binding{binding("↑/↓", "choose", "up", "down"), binding("enter", "run"), binding("r", "detect again"), back, keyQuit}
}

// confirmQuestion is the question before anything runs: what will happen,
// including whether sudo asks for the password first.
func (s installScreen) confirmQuestion() string {
	switch {
	case s.demo:
		return "Play this installer now? [y/N] This is the demo: nothing runs, nixboard plays a canned transcript of it."
	case s.sudoFirst:
		return "Run this command now? [y/N] First sudo asks for your password on this terminal (nixboard never sees it); then the installer downloads and runs here."
	}
	return "Run this command now? [y/N] It downloads the installer and runs it."
}

func (s *installScreen) draw(st theme.Styles, width int) string {
	var b strings.Builder
	if s.phase == installRunning || s.phase == installFinished {
		// While the installer runs, the log takes the room.
		o := s.advice.Options[s.choice]
		title := "Installing Nix: " + o.Name
		if s.demo {
			title += " (demo: a canned transcript, nothing is installed)"
		}
		b.WriteString(st.Title.Render(ansi.Truncate(title, max(width, 10), "…")) + "\n")
		b.WriteString(s.log.View() + "\n")
		if s.phase == installFinished {
			if s.err != nil {
				b.WriteString(st.Fail.Render("✗ "+ansi.Truncate(s.err.Error(), width-2, "…")) + "\n")
			} else {
				b.WriteString(st.OK.Render("✓ The installer finished. Press enter to check the machine again.") + "\n")
			}
		}
		return b.String()
	}
	b.WriteString(st.Title.Render("Nix is not installed") + "\n")
	b.WriteString(wrapText(s.advice.Intro, width) + "\n\n")
	for i, o := range s.advice.Options {
		mark := "  "
		name := o.Name
		if i == s.choice {
			mark = st.Selected.Render("> ")
			name = st.Selected.Render(name)
		}
		b.WriteString(mark + name + "\n")
		indented(&b, st.Subtle, o.Why, width)
		if i == s.choice {
			// Every line of a long command keeps the indent, so it reads
			// as one block and copies as one command.
			indented(&b, st.Accent, o.Command, width)
			if !o.Runnable {
				b.WriteString("    " + st.Warn.Render("Run this yourself (it restarts WSL), then re-run nixboard.") + "\n")
			}
		}
	}
	switch s.phase {
	case installConfirming:
		b.WriteString("\n" + st.Warn.Render(wrapText(s.confirmQuestion(), width)) + "\n")
	case installAuthorizing:
		b.WriteString("\n" + st.Warn.Render(wrapText("sudo is asking for your password on this terminal…", width)) + "\n")
	case installAuthFailed:
		b.WriteString("\n" + st.Fail.Render(wrapText("✗ "+s.sudoProblem, width)) + "\n")
		b.WriteString(st.Subtle.Render(wrapText("Press enter to try sudo again, or esc to go back to the options.", width)) + "\n")
	}
	return b.String()
}

// indented writes text wrapped to width with a four-space indent on every
// line.
func indented(b *strings.Builder, style lipgloss.Style, text string, width int) {
	for _, l := range strings.Split(ansi.Wrap(text, max(width-4, 10), ""), "\n") {
		b.WriteString("    " + style.Render(l) + "\n")
	}
}
