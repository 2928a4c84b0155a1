package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/tui/theme"
)

// RunAccessible runs the wizard as plain line prompts a screen reader can
// follow: it walks the same steps as the screen (screens.list) with the
// same Flow, each step as its line-prompt form: detection, the installer
// when Nix is missing, the questions (huh's accessible mode, with the same
// form and validators), review and write, then the switch in plain output.
// out should be a colorprofile writer so no colour leaks into a pipe.
func RunAccessible(ctx context.Context, in io.Reader, out io.Writer, opts Options) (Outcome, error) {
	return newPlainRun(ctx, in, out, opts).walk(newScreens(opts.DirRoot).list())
}

func newPlainRun(ctx context.Context, in io.Reader, out io.Writer, opts Options) *plainRun {
	return &plainRun{
		ctx: ctx, in: &lineReader{r: bufio.NewReader(in)}, out: out, opts: opts,
		styles: theme.New(true, true),
		flow: Flow{
			SkipQuestions: opts.Answers != nil && opts.Yes,
			DryRun:        opts.DryRun,
			// Without a plain switch the run ends with the command to
			// switch, as --no-switch does.
			NoSwitch: opts.NoSwitch || opts.Deps.PlainSwitch == nil,
		},
	}
}

// walk runs the steps from the welcome step on, as the flow leads, until
// one stops the run or the flow has no step after.
func (r *plainRun) walk(steps []screen) (Outcome, error) {
	for s := StepWelcome; ; {
		stop, err := steps[s].accessible(r)
		if err != nil || stop {
			return r.o, err
		}
		next := r.flow.Next(s)
		if next == s {
			return r.o, nil
		}
		s = next
	}
}

// plainRun is what the steps of an accessible run share.
type plainRun struct {
	ctx    context.Context
	in     io.Reader
	out    io.Writer
	opts   Options
	styles theme.Styles
	flow   Flow

	// detected is set once the welcome step looked at the machine.
	detected bool
	report   detect.Report
	answers  flakegen.Answers
	previous *flakegen.Answers
	dir      string
	plan     *flakegen.Plan
	blockers []detect.Blocker
	o        Outcome
}

// printBlockers lists what makes the switch impossible, as plain lines.
func printBlockers(out io.Writer, blockers []detect.Blocker) {
	for _, b := range blockers {
		fmt.Fprintf(out, "  ✗ %s\n    why: %s\n", b.Message, b.Reason)
		for _, l := range strings.Split(b.Fix, "\n") {
			if strings.TrimSpace(l) != "" {
				fmt.Fprintln(out, "    "+l)
			}
		}
	}
}

// askAccessible asks the questions form in huh's accessible mode.
func askAccessible(in io.Reader, out io.Writer, a flakegen.Answers, dir, home, root string) (flakegen.Answers, string, error) {
	f, v := buildQuestionsForm(a, dir, home, root, 0, true)
	keepOnEmpty(v.checks)
	if err := f.WithAccessible(true).WithInput(in).WithOutput(out).Run(); err != nil {
		return a, dir, err
	}
	v.apply(&a, &dir)
	return a, dir, nil
}

// lineReader hands out at most one line per Read. huh's accessible prompts
// wrap the input in a new bufio.Scanner for every question; without this,
// the first scanner would swallow the answers to the later questions when
// they arrive through a pipe.
type lineReader struct{ r *bufio.Reader }

func (l *lineReader) Read(p []byte) (int, error) {
	line, err := l.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		err = nil
	}
	n := copy(p, line)
	if n < len(line) {
		// The rest stays for the next Read.
		rest := strings.NewReader(string(line[n:]))
		l.r = bufio.NewReader(io.MultiReader(rest, l.r))
	}
	if n > 0 {
		return n, nil
	}
	return 0, err
}
