package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/nixboard/nixboard/flakegen"
)

const renderSynopsis = "nixboard render --answers FILE [--dir DIR] [--dry-run]"

// runRender renders the flake for an answers file: it validates, prints
// what happens to each file and applies the plan, or with --dry-run prints
// the diffs and writes nothing.
func runRender(_ context.Context, st *stdio, args []string) error {
	fs := newFlagSet(st, "render", renderSynopsis)
	answersPath := fs.String("answers", "", "the answers `FILE` (JSON, the format of nixboard.json)")
	dir := fs.String("dir", "", "the configuration `DIR` (default $XDG_CONFIG_HOME/home-manager or ~/.config/home-manager)")
	dryRun := fs.Bool("dry-run", false, "print what would change, with unified diffs, and write nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("render takes no arguments, got %q (usage: %s)", fs.Arg(0), renderSynopsis)
	}
	if *answersPath == "" {
		return usagef("render needs --answers FILE (usage: %s)", renderSynopsis)
	}
	if *dir == "" {
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
		fmt.Fprintf(st.err, "note: %s\n", note)
	}
	plan, err := flakegen.NewPlan(*dir, a)
	if err != nil {
		return reportInvalid(st, err)
	}

	verb := "rendering"
	if *dryRun {
		verb = "dry run, nothing is written:"
	}
	fmt.Fprintf(st.out, "%s %s for homeConfigurations.%q (%s, %s)\n", verb, plan.Dir, plan.ConfigName, a.System, a.Release)
	for _, f := range plan.Files {
		line := fmt.Sprintf("  %-9s %s", f.Action, f.Path)
		if f.Reason != "" {
			line += ": " + f.Reason
		}
		fmt.Fprintln(st.out, line)
	}
	if plan.GitInit {
		fmt.Fprintf(st.out, "  git init  %s\n", plan.Dir)
	}
	if *dryRun {
		for _, f := range plan.Files {
			if f.Diff != "" {
				fmt.Fprint(st.out, "\n"+f.Diff)
			}
		}
		if refused := plan.Refused(); len(refused) > 0 {
			fmt.Fprintln(st.err, (&flakegen.RefusedError{Files: refused}).Error())
			return exitError{1}
		}
		return nil
	}
	changed := plan.Changed()
	if err := plan.Apply(); err != nil {
		var refused *flakegen.RefusedError
		if errors.As(err, &refused) {
			fmt.Fprintf(st.err, "nixboard: %v\n", err)
			return exitError{1}
		}
		return err
	}
	status := "done"
	if !changed {
		status = "already up to date"
	}
	fmt.Fprintf(st.out, "%s; next: nixboard switch, or home-manager switch --flake %s#%s\n", status, plan.Dir, plan.ConfigName)
	return nil
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
		fmt.Fprintf(st.err, "  %s\n", e.Error())
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
