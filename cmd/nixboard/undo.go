package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
)

const undoSynopsis = "nixboard undo [--dir DIR] [--plain] [--dry-run]"

// undoOptions are undo's flags.
type undoOptions struct {
	dir    string
	plain  bool
	dryRun bool
}

func undoCommand(st *stdio) *cobra.Command {
	var o undoOptions
	c := &cobra.Command{
		Use:               "undo",
		Args:              noArgs("undo", undoSynopsis),
		ValidArgsFunction: noFiles,
		RunE:              func(c *cobra.Command, _ []string) error { return runUndo(c.Context(), st, o) },
	}
	fs := c.Flags()
	fs.StringVar(&o.dir, "dir", "", "the configuration DIR (default ~/.config/home-manager)")
	fs.BoolVar(&o.plain, "plain", false, "print plain progress lines instead of the live screen")
	fs.BoolVar(&o.dryRun, "dry-run", false, "say what undo would do, and do nothing")
	_ = c.MarkFlagDirname("dir")
	return c
}

// runUndo goes back to the previous applied run: a new commit restoring
// that run's files (history is never rewritten), then home-manager's own
// rollback to the generation that run produced (the profile pointed back
// at it, its activate script run; nothing is built). It refuses, changing
// nothing, when the repository has uncommitted changes or the directory
// was changed by a commit that is not an applied run. Undo is itself an
// applied run: undo twice and the undone run is back.
func runUndo(ctx context.Context, st *stdio, o undoOptions) error {
	if o.dir == "" {
		d, err := defaultConfigDir(st.getenv)
		if err != nil {
			return err
		}
		o.dir = d
	}
	refuse := func(format string, a ...any) error {
		fmt.Fprintf(st.err, "nixboard: undo: %s; nothing was changed\n", safetext.Line(fmt.Sprintf(format, a...)))
		return exitError{1}
	}
	repo, err := openConfigRepo(ctx, st, o.dir)
	if err != nil {
		return err
	}
	log, err := repo.commits(ctx)
	if err != nil {
		return err
	}
	runs, err := repo.runs(ctx)
	if err != nil {
		return err
	}
	if len(runs) < 2 {
		return refuse("%s has %s: there is no previous run to go back to", repo.dir, textwrap.Count(len(runs), "applied run", "applied runs"))
	}
	if log[0].Hash != runs[0].Hash {
		return refuse("commit %s (%s) changed %s after the last applied run, and undo would revert it too", log[0].Hash[:7], log[0].Subject, repo.dir)
	}
	own, err := repo.ownChanges(ctx, func(string) bool { return true })
	if err != nil {
		return err
	}
	if len(own) > 0 {
		return refuse("the repository has uncommitted changes (%s): commit or stash them first", strings.Join(own, ", "))
	}
	last, prev := runs[0], runs[1]
	env := personEnv(st)
	profile := nixrun.HomeManagerProfile(env)
	gen, genErr := previousGeneration(profile, prev)

	message := fmt.Sprintf("nixboard: undo %q\n\nRestores the files of %s (%s).\n\n%s: undo\n", last.Subject, prev.Hash[:12], prev.Subject, flakegen.RunTrailer)
	if o.dryRun {
		fmt.Fprintf(st.out, "dry run, nothing is changed:\n")
		fmt.Fprintf(st.out, "would restore the files of %s %s as a new commit: nixboard: undo %q\n", prev.Hash[:7], safetext.Line(prev.Subject), safetext.Line(last.Subject))
		if genErr != nil {
			fmt.Fprintf(st.out, "would not switch: %s\n", safetext.Line(genErr.Error()))
		} else {
			fmt.Fprintf(st.out, "would point %s at generation %d and run %s/activate --driver-version 1\n", safetext.Line(profile), gen.Number, safetext.Line(gen.Path))
		}
		return nil
	}
	if err := repo.git.RestoreFrom(ctx, repo.dir, prev.Hash, "."); err != nil {
		return fmt.Errorf("undo: restore the files of %s: %w", prev.Hash[:7], err)
	}
	hash, err := repo.git.Commit(ctx, repo.dir, message, nil, identity(repo.dir))
	if err != nil {
		return fmt.Errorf("undo: the files of %s are restored but not committed: %w", prev.Hash[:7], err)
	}
	fmt.Fprintf(st.out, "committed %s: nixboard: undo %q (the files of %s)\n", hash[:7], safetext.Line(last.Subject), prev.Hash[:7])
	if genErr != nil {
		fmt.Fprintf(st.out, "not switched back: %s; run nixboard switch to build the restored configuration\n", safetext.Line(genErr.Error()))
		return exitError{1}
	}
	if err := nixrun.SwitchGeneration(ctx, env, profile, gen.Number); err != nil {
		return err
	}
	plan, err := nixrun.ActivatePlan(repo.dir, gen, env)
	if err != nil {
		return err
	}
	run, err := nixrun.Start(ctx, plan)
	if err != nil {
		return err
	}
	if o.plain || !st.interactive() {
		fmt.Fprintf(st.out, "generation %d: running %s\n", gen.Number, safetext.Line(plan.Command()))
		title := fmt.Sprintf("undo: generation %d", gen.Number)
		err = followRun(ctx, run, nil, nixlog.NewState(nixlog.Options{}), run.Diagnose, nixlog.StartInfo{Title: title}, run.LogPath(), plainView(st.out), nil)
	} else {
		err = runScreen(ctx, st, screenConfig{title: fmt.Sprintf("undo: generation %d", gen.Number), source: run, run: run, record: true})
	}
	if err != nil {
		return err
	}
	recordGeneration(ctx, st, repo.dir)
	return nil
}

// previousGeneration is the generation prev produced, when it was recorded
// and is still in the profile (not removed by home-manager
// expire-generations or garbage collection).
func previousGeneration(profile string, prev appliedRun) (nixrun.Generation, error) {
	if prev.Generation == 0 {
		return nixrun.Generation{}, fmt.Errorf("no home-manager generation was recorded for %s (it was never switched to)", prev.Hash[:7])
	}
	gens, err := nixrun.Generations(profile)
	if err != nil {
		return nixrun.Generation{}, err
	}
	for _, g := range gens {
		if g.Number == prev.Generation && (prev.GenerationPath == "" || g.Path == prev.GenerationPath) {
			return g, nil
		}
	}
	return nixrun.Generation{}, errors.New("generation " + fmt.Sprint(prev.Generation) + " of " + profile + " is gone (removed since)")
}
