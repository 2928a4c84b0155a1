package wizard

import (
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
// same stepFlow, each step as its line-prompt form: detection, the installer
// when Nix is missing, the questions (huh's accessible mode, with the same
// form and validators), review and write, then the switch in plain output.
// out should be a colorprofile writer so no colour leaks into a pipe.
func RunAccessible(ctx context.Context, in io.Reader, out io.Writer, opts Options) (Outcome, error) {
	return newPlainRun(ctx, in, out, opts).walk(newScreens(opts.DirRoot).list())
}

func newPlainRun(ctx context.Context, in io.Reader, out io.Writer, opts Options) *plainRun {
	lines := newLineReader(ctx, in)
	return &plainRun{
		ctx: ctx, in: lines, lines: lines, out: out, opts: opts,
		styles: theme.New(true, true),
		flow: stepFlow{
			SkipQuestions: opts.Answers != nil && opts.Yes,
			DryRun:        opts.DryRun,
			// Without a plain switch the run ends with the command to
			// switch, as --no-switch does.
			NoSwitch: opts.NoSwitch || opts.Deps.PlainSwitch == nil,
		},
	}
}

// walk runs the steps from the welcome step on, as the flow leads, until
// one stops the run or the flow has no step after. When the person stops
// the run (ctrl+c, or the end of the input) it says what was written and
// ends as a quit.
func (r *plainRun) walk(steps []screen) (Outcome, error) {
	defer r.lines.close()
	for s := StepWelcome; ; {
		stop, err := steps[s].accessible(r)
		stopped := r.lines.stopped() || r.ctx.Err() != nil
		if errors.Is(err, errStopped) || (stopped && (stop || err != nil)) {
			fmt.Fprintln(r.out, "\n"+r.stoppedText())
			r.o.Quit = true
			return r.o, nil
		}
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
	ctx context.Context
	// in is lines, for the prompts that read it as a stream (huh's).
	in     io.Reader
	lines  *lineReader
	out    io.Writer
	opts   Options
	styles theme.Styles
	flow   stepFlow

	// detected is set once the welcome step looked at the machine.
	detected bool
	report   detect.Report
	answers  flakegen.Answers
	previous *flakegen.Answers
	dir      string
	plan     *flakegen.Plan
	blockers []detect.Blocker
	// teamSrc is the team base's declarations, once evaluated.
	teamSrc *teamSource
	// written is set once the configuration is written, switching once
	// the switch started.
	written, switching bool
	o                  Outcome
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
