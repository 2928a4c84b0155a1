package flakegen

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// gitOnlyEnv is an environment whose PATH holds git (and the basic tools)
// and whose HOME is empty, so no global git configuration plays a part.
func gitOnlyEnv(t *testing.T, git string) []string {
	t.Helper()
	return []string{"PATH=" + filepath.Dir(git) + ":/usr/bin:/bin", "HOME=" + t.TempDir()}
}

// TestPlanInRefusedRepository: a configuration directory inside a
// repository git refuses (another user owns it: "dubious ownership") is
// a git blocker that names git's reason, not a directory outside any
// repository: no git init (which would nest a repository inside the
// person's), and nothing written.
func TestPlanInRefusedRepository(t *testing.T) {
	git := nixtest.RequireGit(t)
	root := t.TempDir()
	repo := filepath.Join(root, "dotfiles")
	dir := filepath.Join(repo, "home-manager")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := gitOnlyEnv(t, git)
	if out, err := exec.Command(git, "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	env = append(env, nixtest.MakeForeignRepo(t, repo)...)

	p, err := NewPlan(t.Context(), dir, sample(), env)
	if err != nil {
		t.Fatal(err)
	}
	if p.GitInit {
		t.Error("the plan runs git init inside a repository git refused")
	}
	var reason string
	for _, b := range p.Blockers {
		if b.What == "git" {
			reason = b.Reason
		}
	}
	if !strings.Contains(reason, "dubious ownership") || !strings.Contains(reason, "safe.directory") || !strings.Contains(reason, dir) {
		t.Errorf("git blocker = %q, want git's dubious-ownership refusal with its safe.directory fix, naming %s", reason, dir)
	}
	var refused *RefusedError
	if err := p.Apply(t.Context()); !errors.As(err, &refused) {
		t.Fatalf("Apply = %v, want a RefusedError", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("%s after the refusal holds %v (%v), want nothing: no files, no nested .git", dir, entries, err)
	}
}

// TestPlanUsesInjectedGit: git is the one on the PATH of the environment
// given to NewPlan, for planning and for Apply's git init and git add,
// whatever the process's PATH says; without git there, NewPlan fails even
// though the process has one.
func TestPlanUsesInjectedGit(t *testing.T) {
	git := nixtest.RequireGit(t)
	bin := t.TempDir()
	calls := filepath.Join(t.TempDir(), "calls")
	script := "#!/bin/sh\necho \"$*\" >>" + calls + "\nexec " + git + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir()) // the process itself finds no git

	dir := filepath.Join(t.TempDir(), "hm")
	env := []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + t.TempDir()}
	p, err := NewPlan(t.Context(), dir, sample(), env)
	if err != nil {
		t.Fatal(err)
	}
	if !p.GitInit {
		t.Errorf("plan of a new directory outside any repository: GitInit false, blockers %v", p.Blockers)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	got := string(log)
	for _, want := range []string{"rev-parse --is-inside-work-tree", "init --quiet " + dir, "add -- "} {
		if !strings.Contains(got, want) {
			t.Errorf("the injected git was not run for %q; its calls:\n%s", want, got)
		}
	}
	if out, err := exec.Command(git, "-C", dir, "ls-files", "flake.nix").Output(); err != nil || strings.TrimSpace(string(out)) != "flake.nix" {
		t.Errorf("flake.nix tracked: %q, %v", out, err)
	}

	t.Setenv("PATH", filepath.Dir(git)+":/usr/bin:/bin") // now the process has git
	if _, err := NewPlan(t.Context(), filepath.Join(t.TempDir(), "hm"), sample(), []string{"HOME=/nonexistent"}); err == nil || !strings.Contains(err.Error(), "git is needed") {
		t.Errorf("NewPlan with no git on the given PATH = %v, want git is needed", err)
	}
}

// TestApplyAfterCancel: a context that is done before Apply stops it
// before it writes anything.
func TestApplyAfterCancel(t *testing.T) {
	nixtest.RequireGit(t)
	dir := filepath.Join(t.TempDir(), "hm")
	p := mustPlan(t, dir, sample())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := p.Apply(ctx); err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("Apply with a cancelled context = %v, want nothing was written", err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s exists after a cancelled Apply: %v", dir, err)
	}
}
