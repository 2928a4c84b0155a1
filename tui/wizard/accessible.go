package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/tui/doctorview"
	"github.com/nixboard/nixboard/tui/theme"
)

// RunAccessible runs the wizard as plain line prompts a screen reader can
// follow: the same detection, questions (huh's accessible mode, with the
// same forms and validators), review and write, then the switch in plain
// output. out should be a colorprofile writer so no colour leaks into a
// pipe.
func RunAccessible(ctx context.Context, in io.Reader, out io.Writer, opts Options) (Outcome, error) {
	in = &lineReader{r: bufio.NewReader(in)}
	st := theme.New(true, true)
	fmt.Fprintln(out, "nixboard: looking at this machine…")
	r := opts.Deps.Detect(ctx)
	fmt.Fprintln(out, doctorview.Render(r, 80, st))
	dir := ConfigDir(opts.Dir, r)
	o := Outcome{Dir: dir}
	if !r.Nix.Installed {
		var installed bool
		var err error
		if r, installed, err = installAccessible(ctx, in, out, r, opts.Deps); err != nil || !installed {
			o.Quit = err == nil
			return o, err
		}
	}
	for _, c := range BlockingChecks(r) {
		fmt.Fprintf(out, "Blocking problem: %s\n  fix: %s\n", c.Message, c.Fix)
	}
	a := r.Defaults
	if opts.Answers != nil {
		a = *opts.Answers
	}
	previous := loadPrevious(dir)
	if !(opts.Answers != nil && opts.Yes) {
		var err error
		a, dir, err = askAccessible(in, out, a, dir, r.User.Home, opts.DirRoot)
		if err != nil {
			return o, err
		}
		o.Dir = dir
	}
	notes := a.Normalize()
	fmt.Fprintln(out, "\nReview")
	for _, l := range wizardlogic.ReviewSummary(a, dir, r.User.Home, previous, 0) {
		fmt.Fprintln(out, l)
	}
	for _, n := range notes {
		fmt.Fprintln(out, "note: "+n)
	}
	plan, err := flakegen.NewPlan(ctx, dir, a, opts.Deps.Env)
	if err != nil {
		return o, err
	}
	for _, row := range wizardlogic.PlanRows(plan) {
		fmt.Fprintf(out, "%-10s %s %s\n", row.Action, row.Path, row.Note)
	}
	for _, row := range wizardlogic.PlanRows(plan) {
		if row.Diff != "" {
			fmt.Fprint(out, "\n"+row.Diff)
		}
	}
	blockers := r.Blockers()
	if len(blockers) > 0 {
		fmt.Fprintln(out, "\nThe switch cannot succeed yet: doctor found")
		printBlockers(out, blockers)
	}
	if opts.DryRun {
		fmt.Fprintln(out, "\nDry run: nothing was written.")
		o.Step = StepDone
		return o, nil
	}
	write := opts.Yes
	if !write {
		confirm := huh.NewConfirm().Title("Write these files?").Value(&write)
		if err := huh.NewForm(huh.NewGroup(confirm)).WithAccessible(true).WithInput(in).WithOutput(out).Run(); err != nil {
			return o, err
		}
	}
	if !write {
		fmt.Fprintln(out, "Nothing was written.")
		o.Quit = true
		return o, nil
	}
	if err := wizardlogic.DirInside(dir, opts.DirRoot); err != nil {
		o.Failed = true
		return o, err
	}
	if err := plan.Apply(ctx); err != nil {
		o.Failed = true
		return o, fmt.Errorf("write %s: %w", dir, err)
	}
	fmt.Fprintln(out, "Wrote the configuration to "+dir+".")
	if !opts.NoCommit {
		line, err := wizardlogic.CommitRun(ctx, plan, previous)
		if err != nil {
			o.Failed = true
			return o, err
		}
		if line != "" {
			fmt.Fprintln(out, line)
		}
	}
	o.Step = StepWrite
	if opts.NoSwitch || opts.Deps.PlainSwitch == nil {
		fmt.Fprintln(out, "Switch to it with: "+wizardlogic.SwitchCommand(dir, r.User.Home, a))
		o.Step = StepDone
		return o, nil
	}
	if len(blockers) > 0 {
		// Detection already knows the switch would fail: it starts only
		// when the person asks for it (never with --yes alone).
		try := false
		if !opts.Yes {
			confirm := huh.NewConfirm().Title("The switch cannot succeed until the problems above are fixed. Try it anyway?").Value(&try)
			if err := huh.NewForm(huh.NewGroup(confirm)).WithAccessible(true).WithInput(in).WithOutput(out).Run(); err != nil {
				return o, err
			}
		}
		if !try {
			fmt.Fprintln(out, "The switch was not started. Once the problems above are fixed, switch with: nixboard switch --dir "+wizardlogic.ShellPath(dir, r.User.Home))
			o.Step = StepDone
			// Nobody chose to skip it under --yes: the run did not set up
			// the environment, which the exit status says.
			o.Failed = opts.Yes
			return o, nil
		}
	}
	if err := opts.Deps.PlainSwitch(ctx, dir, out); err != nil {
		o.Failed = true
		return o, err
	}
	o.Step = StepDone
	for _, l := range wizardlogic.DoneLines(wizardlogic.DoneInfo{Answers: a, Dir: dir, Home: r.User.Home}, 0) {
		fmt.Fprintln(out, l)
	}
	return o, nil
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

// askAccessible asks every question page in huh's accessible mode.
func askAccessible(in io.Reader, out io.Writer, a flakegen.Answers, dir, home, root string) (flakegen.Answers, string, error) {
	run := func(f *huh.Form) error {
		return f.WithAccessible(true).WithInput(in).WithOutput(out).Run()
	}
	idf, idp := buildIdentityForm(a)
	keepOnEmpty(idp.checks)
	if err := run(idf); err != nil {
		return a, dir, err
	}
	idp.apply(&a)
	pf, pp := buildPlaceForm(a, dir, home, root)
	keepOnEmpty(pp.checks)
	if err := run(pf); err != nil {
		return a, dir, err
	}
	pp.apply(&a, &dir)
	sf, sp := buildShellForm(a)
	if err := run(sf); err != nil {
		return a, dir, err
	}
	sp.apply(&a)
	mf, mp := buildModulesForm(a, 0, true)
	if err := run(mf); err != nil {
		return a, dir, err
	}
	mp.apply(&a)
	ef, ep := buildExtrasForm(a)
	keepOnEmpty(ep.checks)
	if err := run(ef); err != nil {
		return a, dir, err
	}
	ep.apply(&a)
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
