package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/internal/shell"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/tui/theme"
)

const renderSynopsis = "nixboard render --answers FILE [--dir DIR] [--dry-run] [--on-conflict keep|new|markers] [--no-commit] [-- NIX ARGS]"

// renderOptions are render's flags.
type renderOptions struct {
	answers    string
	dir        string
	dryRun     bool
	onConflict string
	noCommit   bool
	// nixArgs, given after --, go to the nix calls that evaluate a team
	// base layer (for example --override-input nixpkgs PATH).
	nixArgs []string
}

func renderCommand(st *stdio) *cobra.Command {
	var o renderOptions
	c := &cobra.Command{
		Use:               "render --answers FILE [-- NIX ARGS]",
		Args:              nixArgsAfterDash("render", renderSynopsis),
		ValidArgsFunction: noFiles,
		RunE: func(c *cobra.Command, args []string) error {
			o.nixArgs = args
			return runRender(c.Context(), st, o)
		},
	}
	fs := c.Flags()
	fs.StringVar(&o.answers, "answers", "", "the answers FILE (JSON, the format of nixboard.json)")
	fs.StringVar(&o.dir, "dir", "", "the configuration DIR (default $XDG_CONFIG_HOME/home-manager or ~/.config/home-manager)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what would change, with unified diffs, and write nothing")
	fs.StringVar(&o.onConflict, "on-conflict", "", "for a file whose edits conflict with nixboard's changes: keep yours as it is, take the new one (yours backed up), or write the merge with conflict markers to resolve before switching (keep|new|markers); without it render asks on a terminal and refuses otherwise")
	fs.BoolVar(&o.noCommit, "no-commit", false, "write and stage the files but make no git commit of this run")
	_ = c.MarkFlagFilename("answers", "json")
	_ = c.MarkFlagDirname("dir")
	_ = c.RegisterFlagCompletionFunc("on-conflict", completeWords("keep", "new", "markers"))
	return c
}

// runRender renders the flake for an answers file: it validates, prints
// what happens to each file and applies the plan, or with --dry-run prints
// the diffs and writes nothing.
//
// A file whose edits conflict with nixboard's changes is settled by
// --on-conflict; without it render asks on a terminal and otherwise
// refuses (exit status 1, like every refusal: nothing is written), naming
// each file and the three choices. --on-conflict markers writes the merge
// with conflict markers and exits 1, since the configuration cannot be
// switched to before they are resolved.
func runRender(ctx context.Context, st *stdio, o renderOptions) error {
	var resolution flakegen.Resolution
	if o.onConflict != "" {
		r, ok := flakegen.ParseResolution(o.onConflict)
		if !ok {
			return usagef("--on-conflict takes keep, new or markers, not %q (usage: %s)", o.onConflict, renderSynopsis)
		}
		resolution = r
	}
	if o.answers == "" {
		return usagef("render needs --answers FILE (usage: %s)", renderSynopsis)
	}
	// The hint after writing names the directory only when the person
	// chose one: `nixboard switch` alone finds the default itself.
	switchHint := "nixboard switch"
	if o.dir != "" {
		switchHint += " --dir " + shell.Quote(o.dir)
	} else {
		d, err := defaultConfigDir(st.getenv)
		if err != nil {
			return err
		}
		o.dir = d
	}

	a, err := flakegen.Load(o.answers)
	if err != nil {
		return reportInvalid(st, err)
	}
	for _, note := range a.Normalize() {
		fmt.Fprintf(st.err, "note: %s\n", safetext.Line(note))
	}
	if err := checkTeamBase(ctx, st, a, o.answers, o.nixArgs); err != nil {
		return err
	}
	// The last run's answers, for the commit message (nil: a first run).
	var previous *flakegen.Answers
	if old, err := flakegen.Load(filepath.Join(o.dir, "nixboard.json")); err == nil {
		previous = &old
	}
	plan, err := flakegen.NewPlan(ctx, o.dir, a, personEnv(st))
	if err != nil {
		return reportInvalid(st, err)
	}

	paint := newPainter(st)
	if o.dryRun {
		fmt.Fprintf(st.out, "dry run, nothing is written: %s for homeConfigurations.%q (%s, release %s)\n", safetext.Line(plan.Dir), plan.ConfigName, a.System, a.Release)
	} else {
		fmt.Fprintf(st.out, "rendering %s for homeConfigurations.%q (%s, release %s)\n", safetext.Line(plan.Dir), plan.ConfigName, a.System, a.Release)
	}
	printPlan(st, paint, plan)
	// A dry run without a choice only reports the conflicts (Problems).
	if conflicts := plan.Conflicts(); len(conflicts) > 0 && (resolution != 0 || !o.dryRun) {
		if err := resolveConflicts(st, paint, plan, conflicts, resolution); err != nil {
			return err
		}
	}
	if o.dryRun {
		for _, f := range plan.Files {
			if f.Diff != "" {
				fmt.Fprint(st.out, "\n"+paint.diff(safetext.Text(f.Diff)))
			}
		}
		if problems := plan.Problems(); problems != nil {
			fmt.Fprintf(st.err, "nixboard: %s\n", safetext.Text(problems.Error()))
			return exitError{1}
		}
		fmt.Fprintf(st.out, "\nwould be: %s; nothing was written\n", summary(plan))
		return nil
	}
	changed := plan.Changed() || plan.GitInit
	if err := plan.Apply(ctx); err != nil {
		var refused *flakegen.RefusedError
		if errors.As(err, &refused) {
			fmt.Fprintf(st.err, "nixboard: %s\n", safetext.Text(err.Error()))
			return exitError{1}
		}
		return err
	}
	if !o.noCommit {
		if err := commitRun(ctx, st, plan, previous); err != nil {
			return err
		}
	}
	status := "done: " + summary(plan)
	if !changed {
		status = "already up to date: " + summary(plan)
	}
	if plan.HasMarkers() {
		fmt.Fprintln(st.out, status)
		var files []string
		for _, f := range plan.Files {
			if f.Action == flakegen.ActionMarkers {
				files = append(files, safetext.Line(f.Path))
			}
		}
		fmt.Fprintf(st.err, "nixboard: %s %s conflict markers: resolve them (keep the lines you want, delete the <<<<<<<, |||||||, ======= and >>>>>>> lines; your own file is in its .nixboard-backup) before you switch, then run: %s\n",
			strings.Join(files, ", "), map[bool]string{true: "has", false: "have"}[len(files) == 1], safetext.Line(switchHint))
		return exitError{1}
	}
	fmt.Fprintf(st.out, "%s\nnext: %s, or home-manager switch --flake %s\n", status, safetext.Line(switchHint), safetext.Line(shell.Quote(plan.Dir+"#"+plan.ConfigName)))
	return nil
}

// conflictChoices explains the three answers to a conflict, as flags.
const conflictChoices = `  --on-conflict keep      keep your file as it is, without nixboard's changes to it
  --on-conflict new       take nixboard's new file; yours is kept as FILE.nixboard-backup
  --on-conflict markers   write the merge with conflict markers (yours is kept as a backup too), and resolve them before you switch
`

// resolveConflicts settles every conflict of the plan: with r when
// --on-conflict gave one, by asking on a terminal, or not at all, which
// refuses (exit status 1) naming each file and the choices.
func resolveConflicts(st *stdio, paint painter, plan *flakegen.Plan, conflicts []flakegen.FileChange, r flakegen.Resolution) error {
	if r == 0 && !st.interactive() {
		var b strings.Builder
		b.WriteString("nixboard: nothing was written: your edits conflict with the changes nixboard makes to\n")
		for _, f := range conflicts {
			fmt.Fprintf(&b, "  %s (%s)\n", safetext.Line(f.Path), textwrap.Count(f.ConflictCount(), "conflict", "conflicts"))
		}
		b.WriteString("render again with one of\n" + conflictChoices + "(nixboard render --dry-run --on-conflict markers shows the merge)\n")
		fmt.Fprint(st.err, b.String())
		return exitError{1}
	}
	in := bufio.NewReader(st.in)
	for _, f := range conflicts {
		choice := r
		if choice == 0 {
			var err error
			if choice, err = askConflict(st, paint, in, f); err != nil {
				return err
			}
		}
		if err := plan.Resolve(f.Path, choice); err != nil {
			return err
		}
		for _, c := range plan.Files {
			if c.Path == f.Path {
				fmt.Fprintln(st.out, "  "+paint.action(c.Action, fmt.Sprintf("%-9s", c.Action))+" "+safetext.Line(c.Path)+": "+safetext.Line(c.Reason))
			}
		}
	}
	return nil
}

// askConflict shows the merge of one conflicting file and asks what to do
// with it, until the answer is one of the three words. The end of input
// refuses, as without a terminal.
func askConflict(st *stdio, paint painter, in *bufio.Reader, f flakegen.FileChange) (flakegen.Resolution, error) {
	fmt.Fprintf(st.out, "\n%s: your edits conflict with nixboard's changes (%s); the merge, with conflict markers:\n\n%s\n",
		safetext.Line(f.Path), textwrap.Count(f.ConflictCount(), "conflict", "conflicts"), paint.paint(sgrFaint, safetext.Text(string(f.Merged()))))
	for {
		fmt.Fprintf(st.out, "%s: keep (yours as it is), new (nixboard's, yours backed up) or markers (write the merge, resolve before switching)? ", safetext.Line(f.Path))
		line, err := in.ReadString('\n')
		if r, ok := flakegen.ParseResolution(strings.ToLower(strings.TrimSpace(line))); ok {
			return r, nil
		}
		if err != nil {
			fmt.Fprint(st.out, "\n")
			fmt.Fprintf(st.err, "nixboard: nothing was written: no choice for %s; render again with one of\n%s", safetext.Line(f.Path), conflictChoices)
			return 0, exitError{1}
		}
		fmt.Fprintln(st.out, "please answer keep, new or markers")
	}
}

// printPlan prints one line per file, its path relative to the directory,
// what happens to it and why.
func printPlan(st *stdio, paint painter, plan *flakegen.Plan) {
	for _, f := range plan.Files {
		line := "  " + paint.action(f.Action, fmt.Sprintf("%-9s", f.Action)) + " " + safetext.Line(f.Path)
		if f.Reason != "" {
			line += ": " + safetext.Line(f.Reason)
		}
		fmt.Fprintln(st.out, line)
	}
	if plan.GitInit {
		fmt.Fprintln(st.out, "  "+paint.action(flakegen.ActionCreate, "git init ")+" .: the directory becomes a git repository (flakes only see files git tracks)")
	}
	for _, b := range plan.Blockers {
		fmt.Fprintln(st.out, "  "+paint.action(flakegen.ActionRefuse, fmt.Sprintf("%-9s", flakegen.ActionRefuse))+" "+safetext.Line(b.What)+": "+safetext.Line(b.Reason))
	}
}

// summary counts the files by what happens to them, in a fixed order.
func summary(plan *flakegen.Plan) string {
	count := map[flakegen.Action]int{}
	for _, f := range plan.Files {
		count[f.Action]++
	}
	var parts []string
	for _, c := range []struct {
		action flakegen.Action
		word   string
	}{
		{flakegen.ActionCreate, "created"}, {flakegen.ActionUpdate, "updated"},
		{flakegen.ActionUnchanged, "unchanged"}, {flakegen.ActionKeep, "kept"},
		{flakegen.ActionMerge, "merged"}, {flakegen.ActionBackup, "backed up"},
		{flakegen.ActionMarkers, "written with conflict markers"}, {flakegen.ActionRemove, "removed"},
		{flakegen.ActionConflict, "in conflict"}, {flakegen.ActionRefuse, "refused"},
	} {
		if n := count[c.action]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c.word))
		}
	}
	if plan.GitInit {
		parts = append(parts, "git init")
	}
	return strings.Join(parts, ", ")
}

// painter colours the render output on a terminal. It uses the terminal's
// own 16 ANSI colours, which the terminal's theme already fits to a light or
// dark background, and nothing at all when stdout is not a terminal or
// NO_COLOR is set, so pipes and files get plain text.
type painter struct{ on bool }

func newPainter(st *stdio) painter {
	return painter{on: st.outTTY && !theme.NoColor(st.getenv)}
}

const (
	sgrReset  = "\x1b[0m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
	sgrRed    = "\x1b[31m"
	sgrCyan   = "\x1b[36m"
	sgrFaint  = "\x1b[2m"
	sgrBold   = "\x1b[1m"
)

func (p painter) paint(sgr, s string) string {
	if !p.on || sgr == "" {
		return s
	}
	return sgr + s + sgrReset
}

// action colours an action word: green for new content, yellow where a
// file of the person's moves or goes, red for refusal, faint for nothing.
func (p painter) action(a flakegen.Action, s string) string {
	switch a {
	case flakegen.ActionCreate, flakegen.ActionUpdate, flakegen.ActionMerge:
		return p.paint(sgrGreen, s)
	case flakegen.ActionBackup, flakegen.ActionRemove, flakegen.ActionMarkers:
		return p.paint(sgrYellow, s)
	case flakegen.ActionRefuse, flakegen.ActionConflict:
		return p.paint(sgrRed+sgrBold, s)
	case flakegen.ActionUnchanged, flakegen.ActionKeep:
		return p.paint(sgrFaint, s)
	}
	return s
}

// diff colours a unified diff line by line.
func (p painter) diff(d string) string {
	if !p.on {
		return d
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(d, "\n") {
		body := strings.TrimSuffix(line, "\n")
		nl := line[len(body):]
		switch {
		case strings.HasPrefix(body, "+++"), strings.HasPrefix(body, "---"):
			body = p.paint(sgrBold, body)
		case strings.HasPrefix(body, "@@"):
			body = p.paint(sgrCyan, body)
		case strings.HasPrefix(body, "+"):
			body = p.paint(sgrGreen, body)
		case strings.HasPrefix(body, "-"):
			body = p.paint(sgrRed, body)
		}
		b.WriteString(body + nl)
	}
	return b.String()
}

// reportInvalid prints every validation problem, one per line, and turns
// them into exit status 1; other errors pass through.
func reportInvalid(st *stdio, err error) error {
	var verr flakegen.ValidationErrors
	if !errors.As(err, &verr) {
		return err
	}
	fmt.Fprintf(st.err, "nixboard: invalid answers, nothing was written:\n")
	for _, e := range verr {
		fmt.Fprintf(st.err, "  %s\n", safetext.Line(e.Error()))
	}
	return exitError{1}
}

// checkTeamBase holds the values of answers with a team base to what the
// team's module declares, evaluated with nix (nixArgs passed on), before
// anything is written. Values that do not fit exit 1 like any invalid
// answers, naming each option (homeBase.git.signingKey: ...); so does a
// base layer that cannot be evaluated, with nix's reason.
func checkTeamBase(ctx context.Context, st *stdio, a flakegen.Answers, file string, nixArgs []string) error {
	if a.Base == nil {
		return nil
	}
	if err := a.Validate(); err != nil {
		return reportInvalid(st, err)
	}
	decl, err := st.evaluator()(ctx, baseRequest(a, nixArgs, personEnv(st)))
	if err != nil {
		fmt.Fprintf(st.err, "nixboard: %s\nnothing was written\n", safetext.Text(err.Error()))
		return exitError{1}
	}
	if err := a.CheckBase(decl); err != nil {
		fmt.Fprintf(st.err, "nixboard: %s\nnothing was written; fix base.values in %s\n", safetext.Text(err.Error()), safetext.Line(file))
		return exitError{1}
	}
	return nil
}

// defaultConfigDir is where home-manager looks for a flake:
// $XDG_CONFIG_HOME/home-manager, or ~/.config/home-manager.
func defaultConfigDir(getenv func(string) string) (string, error) {
	if x := getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "home-manager"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", usagef("HOME is not set; pass --dir DIR")
	}
	return filepath.Join(home, ".config", "home-manager"), nil
}
