package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/internal/shell"
	"github.com/nixboard/nixboard/tui/theme"
)

const renderSynopsis = "nixboard render --answers FILE [--dir DIR] [--dry-run] [--no-commit]"

// runRender renders the flake for an answers file: it validates, prints
// what happens to each file and applies the plan, or with --dry-run prints
// the diffs and writes nothing.
func runRender(ctx context.Context, st *stdio, args []string) error {
	fs := newFlagSet(st, "render", renderSynopsis)
	answersPath := fs.String("answers", "", "the answers `FILE` (JSON, the format of nixboard.json)")
	dir := fs.String("dir", "", "the configuration `DIR` (default $XDG_CONFIG_HOME/home-manager or ~/.config/home-manager)")
	dryRun := fs.Bool("dry-run", false, "print what would change, with unified diffs, and write nothing")
	noCommit := fs.Bool("no-commit", false, "write and stage the files but make no git commit of this run")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("render takes no arguments, got %q (usage: %s)", fs.Arg(0), renderSynopsis)
	}
	if *answersPath == "" {
		return usagef("render needs --answers FILE (usage: %s)", renderSynopsis)
	}
	// The hint after writing names the directory only when the person
	// chose one: `nixboard switch` alone finds the default itself.
	switchHint := "nixboard switch"
	if *dir != "" {
		switchHint += " --dir " + shell.Quote(*dir)
	} else {
		d, err := defaultConfigDir(st.getenv)
		if err != nil {
			return err
		}
		*dir = d
	}

	a, err := flakegen.Load(*answersPath)
	if err != nil {
		return reportInvalid(st, err)
	}
	for _, note := range a.Normalize() {
		fmt.Fprintf(st.err, "note: %s\n", safetext.Line(note))
	}
	// The last run's answers, for the commit message (nil: a first run).
	var previous *flakegen.Answers
	if old, err := flakegen.Load(filepath.Join(*dir, "nixboard.json")); err == nil {
		previous = &old
	}
	plan, err := flakegen.NewPlan(ctx, *dir, a, personEnv(st))
	if err != nil {
		return reportInvalid(st, err)
	}

	paint := newPainter(st)
	if *dryRun {
		fmt.Fprintf(st.out, "dry run, nothing is written: %s for homeConfigurations.%q (%s, release %s)\n", safetext.Line(plan.Dir), plan.ConfigName, a.System, a.Release)
	} else {
		fmt.Fprintf(st.out, "rendering %s for homeConfigurations.%q (%s, release %s)\n", safetext.Line(plan.Dir), plan.ConfigName, a.System, a.Release)
	}
	printPlan(st, paint, plan)
	if *dryRun {
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
	if !*noCommit {
		if err := commitRun(ctx, st, plan, previous); err != nil {
			return err
		}
	}
	status := "done: " + summary(plan)
	if !changed {
		status = "already up to date: " + summary(plan)
	}
	fmt.Fprintf(st.out, "%s\nnext: %s, or home-manager switch --flake %s\n", status, safetext.Line(switchHint), safetext.Line(shell.Quote(plan.Dir+"#"+plan.ConfigName)))
	return nil
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
		{flakegen.ActionBackup, "backed up"}, {flakegen.ActionRemove, "removed"},
		{flakegen.ActionRefuse, "refused"},
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
	case flakegen.ActionCreate, flakegen.ActionUpdate:
		return p.paint(sgrGreen, s)
	case flakegen.ActionBackup, flakegen.ActionRemove:
		return p.paint(sgrYellow, s)
	case flakegen.ActionRefuse:
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
