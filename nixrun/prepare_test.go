package nixrun

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// TestPrepareInRefusedRepository: a configuration inside a repository
// that git refuses (another user owns it: "dubious ownership") stops the
// switch with git's reason; it never runs git init there, which would
// nest a new repository inside the person's.
func TestPrepareInRefusedRepository(t *testing.T) {
	git := nixtest.RequireGit(t)
	repo := t.TempDir()
	dir := filepath.Join(repo, "home-manager")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "flake.nix"), []byte("{ outputs = _: { }; }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "nixboard.json"), []byte(`{"homeBase":{"username":"ada"},"hostname":"box","system":"x86_64-linux","platform":"linux"}`), 0o644)
	if out, err := exec.Command(git, "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	env := append([]string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir(), "PATH=" + filepath.Dir(git) + ":/usr/bin:/bin"}, nixtest.MakeForeignRepo(t, repo)...)
	p, err := NewPlan(SwitchOptions{Dir: dir, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	err = Prepare(t.Context(), p)
	if err == nil || !strings.Contains(err.Error(), "dubious ownership") || !strings.Contains(err.Error(), "safe.directory") {
		t.Errorf("Prepare in a repository of another owner = %v, want git's dubious-ownership refusal", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
		t.Errorf("Prepare ran git init inside the refused repository: %s/.git exists", dir)
	}
}

// TestPrepareUsesPlanGit: Prepare runs the git the plan found on its
// environment's PATH, with that environment, not one the process's PATH
// would find.
func TestPrepareUsesPlanGit(t *testing.T) {
	git := nixtest.RequireGit(t)
	dir := writeConfig(t)
	bin := t.TempDir()
	calls := filepath.Join(t.TempDir(), "calls")
	script := "#!/bin/sh\necho \"$NIXBOARD_MARK $*\" >>" + calls + "\nexec " + git + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", t.TempDir()) // the process itself finds no git
	p, err := NewPlan(SwitchOptions{Dir: dir, Env: []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir(), "PATH=" + bin + ":/usr/bin:/bin", "NIXBOARD_MARK=injected"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Git != filepath.Join(bin, "git") {
		t.Fatalf("plan's git = %q, want the one on the injected PATH", p.Git)
	}
	if err := Prepare(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"injected rev-parse", "injected init", "injected add -- "} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the plan's git was not run with its environment for %q; calls:\n%s", want, log)
		}
	}
}
