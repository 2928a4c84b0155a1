package gitrepo_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/gitrepo"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// gitEnv is an environment with the real git on its PATH, a HOME of its
// own (no global configuration) and discovery stopped above root, so a
// test directory is never taken for part of a repository around it.
func gitEnv(t *testing.T, root string) []string {
	t.Helper()
	git := nixtest.RequireGit(t)
	return []string{"PATH=" + filepath.Dir(git), "HOME=" + t.TempDir(), "GIT_CEILING_DIRECTORIES=" + root}
}

func mustFind(t *testing.T, env []string) gitrepo.Git {
	t.Helper()
	g, err := gitrepo.Find(env)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestWorkTree: the work tree around a directory, and "not a repository"
// only when git says exactly that.
func TestWorkTree(t *testing.T) {
	root := t.TempDir()
	env := gitEnv(t, root)
	g := mustFind(t, env)
	ctx := t.Context()

	plain := filepath.Join(root, "plain")
	if err := os.Mkdir(plain, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := g.WorkTree(ctx, plain); !errors.Is(err, gitrepo.ErrNotRepository) {
		t.Errorf("WorkTree(plain directory) = %v, want ErrNotRepository", err)
	}

	repo := filepath.Join(root, "repo")
	sub := filepath.Join(repo, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := g.Init(ctx, repo); err != nil {
		t.Fatal(err)
	}
	wt, err := g.WorkTree(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	if wt.Top != repo || wt.Index != filepath.Join(repo, ".git", "index") {
		t.Errorf("WorkTree(%s) = %+v, want top %s and its .git/index", sub, wt, repo)
	}

	// Inside .git there is no work tree to add files to: an error, but
	// not "not a repository" (git init there would nest a repository).
	if _, err := g.WorkTree(ctx, filepath.Join(repo, ".git")); err == nil || errors.Is(err, gitrepo.ErrNotRepository) {
		t.Errorf("WorkTree(.git) = %v, want an error other than ErrNotRepository", err)
	}

	// A .git file naming a directory that is gone is a broken repository.
	broken := filepath.Join(root, "broken")
	if err := os.Mkdir(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(broken, ".git"), []byte("gitdir: "+filepath.Join(root, "gone")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := g.WorkTree(ctx, broken); err == nil || errors.Is(err, gitrepo.ErrNotRepository) {
		t.Errorf("WorkTree(broken .git file) = %v, want an error other than ErrNotRepository", err)
	}
}

// TestWorkTreeDubiousOwnership: a repository git refuses because someone
// else owns it is reported with git's own words, never as "not a
// repository".
func TestWorkTreeDubiousOwnership(t *testing.T) {
	root := t.TempDir()
	env := gitEnv(t, root)
	repo := filepath.Join(root, "repo")
	sub := filepath.Join(repo, "config")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mustFind(t, env).Init(t.Context(), repo); err != nil {
		t.Fatal(err)
	}
	g := mustFind(t, append(env, nixtest.MakeForeignRepo(t, repo)...))
	_, err := g.WorkTree(t.Context(), sub)
	if err == nil || errors.Is(err, gitrepo.ErrNotRepository) {
		t.Fatalf("WorkTree in a repository of another owner = %v, want git's refusal", err)
	}
	var ge *gitrepo.Error
	if !errors.As(err, &ge) || !strings.Contains(ge.Stderr, "dubious ownership") || !strings.Contains(err.Error(), "safe.directory") {
		t.Errorf("WorkTree error = %v, want a *gitrepo.Error with git's dubious-ownership message and its safe.directory fix", err)
	}
}

// fakeGit writes a git that prints its arguments, its working directory
// and the environment it got, and returns its directory.
func fakeGit(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\necho fake-git \"$@\"\npwd\n/usr/bin/env\n"
	if err := os.WriteFile(filepath.Join(dir, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFindUsesInjectedPath: git is the one on the given environment's
// PATH; the process's PATH plays no part, either way.
func TestFindUsesInjectedPath(t *testing.T) {
	fake := fakeGit(t)
	realGit := nixtest.RequireGit(t)
	t.Setenv("PATH", filepath.Dir(realGit)) // the process has the real git
	g, err := gitrepo.Find([]string{"PATH=/nonexistent:" + fake, "HOME=/h"})
	if err != nil {
		t.Fatal(err)
	}
	if g.Path != filepath.Join(fake, "git") {
		t.Errorf("Find = %s, want the fake git on the injected PATH", g.Path)
	}
	work := t.TempDir()
	out, err := g.Output(t.Context(), work, nil, "status", "--short")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(out), "\n")
	if lines[0] != "fake-git status --short" || lines[1] != work {
		t.Errorf("fake git printed %q, want its arguments and %s", out, work)
	}

	t.Setenv("PATH", fake) // now the process has the fake one
	if g, err := gitrepo.Find([]string{"HOME=/h"}); err == nil {
		t.Errorf("Find without PATH in the environment = %s, want git not found", g.Path)
	}
}

// TestEnvironment: git runs with the given environment only, in English,
// and without variables that would point it at another repository.
func TestEnvironment(t *testing.T) {
	fake := fakeGit(t)
	t.Setenv("NIXBOARD_PROCESS_ONLY", "leak")
	env := []string{"PATH=" + fake, "HOME=/h", "LC_ALL=de_DE.UTF-8", "GIT_DIR=/elsewhere/.git", "GIT_INDEX_FILE=/elsewhere/index", "KEEP=me"}
	out, err := mustFind(t, env).Output(t.Context(), t.TempDir(), nil, "add")
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, want := range []string{"\nHOME=/h\n", "\nKEEP=me\n", "\nLC_ALL=C\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("git's environment lacks %q:\n%s", strings.TrimSpace(want), got)
		}
	}
	for _, bad := range []string{"NIXBOARD_PROCESS_ONLY", "GIT_DIR=", "GIT_INDEX_FILE=", "de_DE"} {
		if strings.Contains(got, bad) {
			t.Errorf("git's environment has %q:\n%s", bad, got)
		}
	}
}

// TestErrors: a failing git is an *Error with its exit status and
// stderr; a cancelled context says so.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\necho 'fatal: something else' >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(dir, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	g := mustFind(t, []string{"PATH=" + dir})
	_, err := g.WorkTree(t.Context(), t.TempDir())
	var ge *gitrepo.Error
	if !errors.As(err, &ge) || ge.ExitCode != 3 || ge.Stderr != "fatal: something else" || errors.Is(err, gitrepo.ErrNotRepository) {
		t.Errorf("WorkTree with a failing git = %#v, want exit 3 and its stderr", err)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Errorf("WorkTree error %v does not wrap the *exec.ExitError", err)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := g.Run(ctx, t.TempDir(), "status"); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context = %v, want context.Canceled", err)
	}
	if err := (gitrepo.Git{}).Run(t.Context(), t.TempDir(), "status"); err == nil || !strings.Contains(err.Error(), "not on PATH") {
		t.Errorf("Run without git = %v, want git is not on PATH", err)
	}
}
