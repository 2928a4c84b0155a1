package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/nixboard/nixboard/tui/switchview"
)

// Run runs the wizard's screens on the terminal (in, out) until the person
// is done or quits, and returns the model to read its Outcome and
// FinalMessage from. Signals are the caller's: a stop signal ends ctx.
func Run(ctx context.Context, in io.Reader, out io.Writer, opts Options) (*Model, error) {
	m := newModel(ctx, opts)
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out), tea.WithoutSignalHandler(), tea.WithEnvironment(switchview.ProgramEnv(opts.TermEnv))}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	if _, err := tea.NewProgram(m, popts...).Run(); err != nil && !errors.Is(err, tea.ErrInterrupted) {
		return m, fmt.Errorf("wizard: %w", err)
	}
	return m, nil
}

// AccessibleOutput is out for the accessible runner: huh's line prompts
// write colour even to a pipe unless their output goes through a
// colorprofile writer, which follows environ (TERM, NO_COLOR, ...) and is
// plain with noColor.
func AccessibleOutput(out io.Writer, environ []string, noColor bool) io.Writer {
	w := colorprofile.NewWriter(out, environ)
	if noColor {
		w.Profile = colorprofile.Ascii
	}
	return w
}
