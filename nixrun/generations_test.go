package nixrun_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/nixrun"
)

// TestGenerationsFromRealProfile makes a profile with real nix-env --set,
// as home-manager does, reads its generations back, and rolls it back the
// way home-manager switch --rollback does: no new generation.
func TestGenerationsFromRealProfile(t *testing.T) {
	t.Parallel()
	nixtest.Require(t)
	home := t.TempDir()
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + home, "NIX_CONFIG=" + nixtest.OfflineConfig}
	nixCmd := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	var gens []string
	for i, withActivate := range []bool{true, false} {
		src := filepath.Join(t.TempDir(), "home-manager-generation")
		os.MkdirAll(src, 0o755)
		// A distinct file per generation, so each has its own store path.
		os.WriteFile(filepath.Join(src, "gen-version"), []byte{'1', byte('0' + i)}, 0o644)
		if withActivate {
			os.WriteFile(filepath.Join(src, "activate"), []byte("#!/bin/sh\necho activated\n"), 0o755)
		}
		gens = append(gens, nixCmd("nix-store", "--add", src))
	}
	profile := nixrun.HomeManagerProfile(env)
	if want := filepath.Join(home, ".local/state/nix/profiles/home-manager"); profile != want {
		t.Fatalf("profile = %s, want %s", profile, want)
	}
	if g, err := nixrun.Generations(profile); err != nil || len(g) != 0 {
		t.Fatalf("generations of a missing profile = %v, %v", g, err)
	}
	os.MkdirAll(filepath.Dir(profile), 0o755)
	for _, g := range gens {
		nixCmd("nix-env", "--profile", profile, "--set", g)
	}
	got, err := nixrun.Generations(profile)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Number != 1 || got[0].Path != gens[0] || got[0].Current || got[1].Number != 2 || got[1].Path != gens[1] || !got[1].Current || got[0].Time.IsZero() {
		t.Fatalf("generations = %+v, store paths %v", got, gens)
	}

	if err := nixrun.SwitchGeneration(t.Context(), env, profile, 1); err != nil {
		t.Fatal(err)
	}
	cur, ok, err := nixrun.CurrentGeneration(profile)
	if err != nil || !ok || cur.Number != 1 || cur.Path != gens[0] {
		t.Errorf("current after --switch-generation 1 = %+v %v %v", cur, ok, err)
	}
	if after, _ := nixrun.Generations(profile); len(after) != 2 {
		t.Errorf("rolling back made a generation: %+v", after)
	}

	p, err := nixrun.ActivatePlan(home, cur, env)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Argv, " ") != gens[0]+"/activate --driver-version 1" {
		t.Errorf("argv = %q", p.Argv)
	}
	if _, err := nixrun.ActivatePlan(home, got[1], env); err == nil || !strings.Contains(err.Error(), "has no activate script") {
		t.Errorf("a generation without activate: %v", err)
	}
}
