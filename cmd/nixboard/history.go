package main

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/gitrepo"
	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/nixrun"
)

// History is kept in the configuration's own git repository: each applied
// run is one commit carrying the trailer `Nixboard-Run: render` (or
// `undo`), made after the files are written and before the switch. The
// home-manager generation a run produced is only known once its switch
// succeeded, so it is recorded then as a git note on that commit (ref
// refs/notes/nixboard), which changes neither the commit nor the files:
//
//	Nixboard-Generation: 7
//	Nixboard-Generation-Path: /nix/store/…-home-manager-generation

const (
	noteGeneration = "Nixboard-Generation"
	notePath       = "Nixboard-Generation-Path"
)

// appliedRun is one applied run as history lists it.
type appliedRun struct {
	gitrepo.LogEntry
	// Generation and GenerationPath are the recorded home-manager
	// generation (0 and "" when none was recorded).
	Generation     int
	GenerationPath string
}

// configRepo is the git repository a configuration directory is in.
type configRepo struct {
	git gitrepo.Git
	dir string
	top string
	// rel is dir relative to top, slash-separated ("." at the top).
	rel string
}

func openConfigRepo(ctx context.Context, st *stdio, dir string) (configRepo, error) {
	git, err := gitrepo.Find(personEnv(st))
	if err != nil {
		return configRepo{}, fmt.Errorf("git is needed for the history of %s: %w", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return configRepo{}, err
	}
	wt, err := git.WorkTree(ctx, abs)
	if err != nil {
		return configRepo{}, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return configRepo{}, err
	}
	rel, err := filepath.Rel(wt.Top, real)
	if err != nil {
		return configRepo{}, err
	}
	return configRepo{git: git, dir: abs, top: wt.Top, rel: filepath.ToSlash(rel)}, nil
}

// inDir says a top-relative path is inside the configuration directory.
func (r configRepo) inDir(p string) bool {
	return r.rel == "." || p == r.rel || strings.HasPrefix(p, r.rel+"/")
}

// commits lists every commit that touched the directory, newest first.
func (r configRepo) commits(ctx context.Context) ([]gitrepo.LogEntry, error) {
	return r.git.Log(ctx, r.dir, flakegen.RunTrailer, ".")
}

// runs lists the applied runs, newest first.
func (r configRepo) runs(ctx context.Context) ([]appliedRun, error) {
	log, err := r.commits(ctx)
	if err != nil {
		return nil, err
	}
	var out []appliedRun
	for _, e := range log {
		if e.Trailer == "" {
			continue
		}
		run := appliedRun{LogEntry: e}
		for _, line := range strings.Split(e.Note, "\n") {
			k, v, _ := strings.Cut(line, ":")
			v = strings.TrimSpace(v)
			switch strings.TrimSpace(k) {
			case noteGeneration:
				run.Generation, _ = strconv.Atoi(v)
			case notePath:
				run.GenerationPath = v
			}
		}
		out = append(out, run)
	}
	return out, nil
}

// ownChanges lists the staged or modified paths of the repository
// (top-relative) for which keep says true.
func (r configRepo) ownChanges(ctx context.Context, keep func(string) bool) ([]string, error) {
	status, err := r.git.Status(ctx, r.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range status {
		if e.Changed() && keep(e.Path) {
			out = append(out, e.Path)
		}
	}
	return out, nil
}

// identity is the commit identity the answers in dir name, for a
// repository without one of its own.
func identity(dir string) gitrepo.Identity {
	a, err := flakegen.Load(filepath.Join(dir, "nixboard.json"))
	if err != nil {
		return gitrepo.Identity{}
	}
	return gitrepo.Identity{Name: a.Git.Name, Email: a.Git.Email}
}

// recordGeneration notes the current home-manager generation on the
// newest applied run of dir after a switch of it succeeded, when that run
// is what was switched: the newest commit of the directory, and no change
// in the directory beyond the flake.lock the switch may have written. It
// says what it did in one line.
func recordGeneration(ctx context.Context, st *stdio, dir string) {
	repo, err := openConfigRepo(ctx, st, dir)
	if err != nil {
		return
	}
	log, err := repo.commits(ctx)
	if err != nil || len(log) == 0 || log[0].Trailer == "" {
		return
	}
	lock := path.Join(repo.rel, "flake.lock")
	changed, err := repo.ownChanges(ctx, func(p string) bool { return repo.inDir(p) && p != lock })
	if err != nil {
		return
	}
	if len(changed) > 0 {
		fmt.Fprintf(st.out, "history: generation not recorded: %s has uncommitted changes (%s)\n", safetext.Line(repo.dir), safetext.Line(strings.Join(changed, ", ")))
		return
	}
	g, ok, err := nixrun.CurrentGeneration(nixrun.HomeManagerProfile(personEnv(st)))
	if err != nil || !ok {
		return
	}
	note := fmt.Sprintf("%s: %d\n%s: %s\n", noteGeneration, g.Number, notePath, g.Path)
	if err := repo.git.SetNote(ctx, repo.dir, log[0].Hash, note, identity(repo.dir)); err != nil {
		fmt.Fprintf(st.err, "nixboard: history: %s\n", safetext.Line(err.Error()))
		return
	}
	fmt.Fprintf(st.out, "history: generation %d recorded for %s %s\n", g.Number, log[0].Hash[:7], safetext.Line(log[0].Subject))
}

const historySynopsis = "nixboard history [--dir DIR]"

// historyOptions are history's flags.
type historyOptions struct {
	dir string
}

func historyCommand(st *stdio) *cobra.Command {
	var o historyOptions
	c := &cobra.Command{
		Use:               "history",
		Args:              noArgs("history", historySynopsis),
		ValidArgsFunction: noFiles,
		RunE:              func(c *cobra.Command, _ []string) error { return runHistory(c.Context(), st, o) },
	}
	fs := c.Flags()
	fs.StringVar(&o.dir, "dir", "", "the configuration DIR (default ~/.config/home-manager)")
	_ = c.MarkFlagDirname("dir")
	return c
}

// runHistory lists the applied runs of the configuration, newest first:
// commit, date, the home-manager generation it produced, and the change.
func runHistory(ctx context.Context, st *stdio, o historyOptions) error {
	if o.dir == "" {
		d, err := defaultConfigDir(st.getenv)
		if err != nil {
			return err
		}
		o.dir = d
	}
	repo, err := openConfigRepo(ctx, st, o.dir)
	if err != nil {
		return err
	}
	runs, err := repo.runs(ctx)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		fmt.Fprintf(st.out, "no applied runs in %s yet (each nixboard render or wizard run is committed there)\n", safetext.Line(repo.dir))
		return nil
	}
	for _, r := range runs {
		gen := "generation ?"
		if r.Generation > 0 {
			gen = fmt.Sprintf("generation %d", r.Generation)
		}
		fmt.Fprintf(st.out, "%s  %s  %-14s  %s\n", r.Hash[:7], r.Time.Local().Format("2006-01-02 15:04"), gen, safetext.Line(r.Subject))
	}
	return nil
}

// commitRun commits an applied plan as one run (wizardlogic.CommitRun)
// and prints the line that says what it did.
func commitRun(ctx context.Context, st *stdio, plan *flakegen.Plan, previous *flakegen.Answers) error {
	line, err := wizardlogic.CommitRun(ctx, plan, previous)
	if err != nil {
		return err
	}
	if line != "" {
		fmt.Fprintln(st.out, safetext.Line(line))
	}
	return nil
}
