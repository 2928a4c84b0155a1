package switchview

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/tui/theme"
)

// ErrInterrupted is returned by Run when the screen ended before the run
// did: the person or a stop signal interrupted it.
var ErrInterrupted = errors.New("switch screen interrupted")

// Options are what Run needs besides the screen's Config: the terminal's
// streams, its environment and whether colour is off.
type Options struct {
	Config
	In  io.Reader
	Out io.Writer
	// Env is the terminal's environment (KEY=VALUE: TERM, TERM_PROGRAM,
	// SSH_TTY, ...), from which Bubble Tea learns what the terminal can
	// do: its colours, and whether to ask it for synchronized output
	// (mode 2026). Nil is an empty one, never the process's.
	Env []string
	// NoColor keeps every style plain, also after the terminal reports
	// its background.
	NoColor bool
}

// root is the tiny root model of `nixboard switch` and `replay`: it sizes
// the switch screen, follows the terminal's background, and quits once
// the run ended and the person pressed a quit key.
type root struct {
	sv      Model
	noColor bool
}

func (r root) Init() tea.Cmd {
	return tea.Batch(r.sv.Init(), tea.RequestBackgroundColor)
}

func (r root) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		r.sv.SetSize(msg.Width, msg.Height)
		return r, nil
	case tea.BackgroundColorMsg:
		r.sv.SetStyles(theme.New(msg.IsDark(), r.noColor))
		return r, nil
	case tea.KeyPressMsg:
		if r.sv.Done() && r.sv.QuitKey(msg) {
			return r, tea.Quit
		}
	}
	var cmd tea.Cmd
	r.sv, cmd = r.sv.Update(msg)
	return r, cmd
}

func (r root) View() tea.View {
	v := tea.NewView(r.sv.View())
	v.AltScreen = true
	return v
}

// ProgramEnv is env for tea.WithEnvironment: Bubble Tea reads the
// process's environment (os.Environ) when it is given nil, so nil becomes
// an empty environment.
func ProgramEnv(env []string) []string {
	if env == nil {
		return []string{}
	}
	return env
}

// Run shows the screen on the terminal until the run ended and the person
// quit, and returns the result. However the screen ends, no process of a
// live run outlives it. It returns ErrInterrupted when the screen ended
// before the run did (Ctrl-C on a live run is a key the screen confirms;
// a stop signal ends ctx).
func Run(ctx context.Context, o Options) (DoneMsg, error) {
	cfg := o.Config
	cfg.Styles = theme.New(true, o.NoColor)
	sv := New(cfg)
	// Signals are the caller's: a stop signal ends ctx, which ends the
	// program and interrupts the run. Bubble Tea's own handler would end
	// the program on its own, in a race with that.
	p := tea.NewProgram(root{sv: sv, noColor: o.NoColor}, tea.WithContext(ctx), tea.WithInput(o.In), tea.WithOutput(o.Out), tea.WithoutSignalHandler(), tea.WithEnvironment(ProgramEnv(o.Env)))
	final, err := p.Run()
	r, _ := final.(root)
	if cfg.Run != nil && !r.sv.Done() {
		// Interrupt returns once the run is over, also when ctx started
		// the interrupt already.
		cfg.Run.Interrupt()
	}
	if errors.Is(err, tea.ErrInterrupted) {
		return DoneMsg{}, ErrInterrupted
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return DoneMsg{}, fmt.Errorf("switch screen: %w", err)
	}
	if !r.sv.Done() {
		return DoneMsg{}, ErrInterrupted
	}
	return r.sv.Result(), nil
}
