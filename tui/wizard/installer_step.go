package wizard

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/tui/theme"
)

// InstallerFunc returns the process that runs an installer command. It is
// called only after the person agreed to run it.
type InstallerFunc func(ctx context.Context, opt InstallOption) *exec.Cmd

// ShellInstaller runs the command through /bin/sh exactly as shown.
func ShellInstaller(ctx context.Context, opt InstallOption) *exec.Cmd {
	return exec.CommandContext(ctx, "/bin/sh", "-c", opt.Command)
}

// installScreen offers the installers, asks for consent and streams the
// chosen installer's output.
type installScreen struct {
	advice     InstallAdvice
	choice     int
	confirming bool
	running    bool
	// demo is true while and after the demo's canned transcript plays in
	// place of an installer.
	demo     bool
	finished bool
	err      error
	lines    []string
	log      viewport.Model
	lineCh   chan tea.Msg
	width    int
}

// maxInstallLines bounds the installer's kept output.
const maxInstallLines = 2000

func newInstallScreen(a InstallAdvice) installScreen {
	v := viewport.New()
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

// startInstaller runs the chosen installer. Its output lines and then its
// end travel through one channel, in order, one message per read that
// waitInstall re-arms.
func startInstaller(ctx context.Context, run InstallerFunc, opt InstallOption) (chan tea.Msg, tea.Cmd) {
	ch := make(chan tea.Msg, 64)
	return ch, func() tea.Msg {
		cmd := run(ctx, opt)
		pr, pw := io.Pipe()
		cmd.Stdout, cmd.Stderr = pw, pw
		if err := cmd.Start(); err != nil {
			ch <- installDoneMsg{err: fmt.Errorf("start installer: %w", err)}
			close(ch)
			return nil
		}
		go func() {
			werr := make(chan error, 1)
			go func() {
				err := cmd.Wait()
				pw.Close()
				werr <- err
			}()
			sc := bufio.NewScanner(pr)
			sc.Buffer(make([]byte, 64*1024), 1024*1024)
			for sc.Scan() {
				ch <- installLineMsg{line: sc.Text()}
			}
			if err := <-werr; err != nil {
				ch <- installDoneMsg{err: fmt.Errorf("installer: %w", err)}
			} else {
				ch <- installDoneMsg{}
			}
			close(ch)
		}()
		return nil
	}
}

// startDemoInstall plays the demo's canned installer transcript through
// the same channel and messages as a real installer, so the log pane and
// the end of the run are the same.
func startDemoInstall(ctx context.Context, run DemoInstallFunc, opt InstallOption) (chan tea.Msg, tea.Cmd) {
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
			err := run(ctx, opt, func(l string) { send(installLineMsg{line: l}) })
			if err != nil {
				err = fmt.Errorf("demo installer: %w", err)
			}
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

func (m *Model) updateInstall(msg tea.Msg) tea.Cmd {
	s := &m.install
	switch msg := msg.(type) {
	case installLineMsg:
		atBottom := s.log.AtBottom()
		s.lines = append(s.lines, sanitizeLine(msg.line))
		if len(s.lines) > maxInstallLines {
			s.lines = s.lines[len(s.lines)-maxInstallLines:]
		}
		s.log.SetContentLines(s.lines)
		if atBottom {
			s.log.GotoBottom()
		}
		return waitInstall(s.lineCh)
	case installDoneMsg:
		s.running = false
		s.finished = true
		s.err = msg.err
		return nil
	case tea.KeyPressMsg:
		if s.running {
			var cmd tea.Cmd
			s.log, cmd = s.log.Update(msg)
			return cmd
		}
		if s.confirming {
			switch msg.String() {
			case "y", "Y":
				s.confirming = false
				opt := s.advice.Options[s.choice]
				var ch chan tea.Msg
				var cmd tea.Cmd
				switch {
				case m.opts.Deps.Installer != nil:
					ch, cmd = startInstaller(m.ctx, m.opts.Deps.Installer, opt)
				case m.opts.Deps.DemoInstall != nil:
					ch, cmd = startDemoInstall(m.ctx, m.opts.Deps.DemoInstall, opt)
				default:
					s.finished = true
					s.err = fmt.Errorf("installers do not run in this mode: run the command yourself")
					return nil
				}
				s.running = true
				s.lines = []string{"$ " + opt.Command}
				s.log.SetContentLines(s.lines)
				s.lineCh = ch
				return tea.Batch(cmd, waitInstall(ch))
			default:
				s.confirming = false
			}
			return nil
		}
		switch msg.String() {
		case "esc":
			return m.back()
		case "up", "k":
			if s.choice > 0 && !s.finished {
				s.choice--
			}
		case "down", "j":
			if s.choice < len(s.advice.Options)-1 && !s.finished {
				s.choice++
			}
		case "r":
			return m.redetect()
		case "enter":
			if s.finished || len(s.advice.Options) == 0 || !s.advice.Options[s.choice].Runnable {
				return m.redetect()
			}
			s.confirming = true
			s.demo = m.opts.Deps.Installer == nil && m.opts.Deps.DemoInstall != nil
		}
	}
	return nil
}

// redetect goes back to the welcome screen and runs detection again.
func (m *Model) redetect() tea.Cmd {
	m.step = StepWelcome
	cmd := m.startDetect()
	m.refreshPager()
	return cmd
}

func (s installScreen) keys() [][2]string {
	switch {
	case s.running:
		return [][2]string{{"↑/↓", "scroll"}, {"ctrl+c", "quit"}}
	case s.confirming:
		return [][2]string{{"y", "run it"}, {"n", "not now"}}
	case s.finished:
		return [][2]string{{"enter", "detect again"}, {"esc", "back"}, {"ctrl+c", "quit"}}
	}
	return [][2]string{{"↑/↓", "choose"}, {"enter", "run"}, {"r", "detect again"}, {"esc", "back"}, {"ctrl+c", "quit"}}
}

func (s installScreen) view(st theme.Styles, width int) string {
	var b strings.Builder
	if s.running || s.finished {
		// While the installer runs, the log takes the room.
		o := s.advice.Options[s.choice]
		title := "Installing Nix: " + o.Name
		if s.demo {
			title += " (demo: a canned transcript, nothing is installed)"
		}
		b.WriteString(st.Title.Render(ansi.Truncate(title, max(width, 10), "…")) + "\n")
		b.WriteString(s.log.View() + "\n")
		if s.finished {
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
	if s.confirming {
		ask := "Run this command now? [y/N] It downloads the installer and may ask for your password through sudo."
		if s.demo {
			ask = "Play this installer now? [y/N] This is the demo: nothing runs, nixboard plays a canned transcript of it."
		}
		b.WriteString("\n" + st.Warn.Render(wrapText(ask, width)) + "\n")
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
