package nixrun

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nixboard/nixboard/internal/shell"
)

// Generation is one home-manager generation: a link
// PROFILEDIR/home-manager-N-link to the generation in the store, made by
// `nix-env --profile PROFILEDIR/home-manager --set`.
type Generation struct {
	Number int
	// Path is the generation in the store (it has an activate script).
	Path string
	// Time is when the generation link was made.
	Time time.Time
	// Current says the profile link points at this generation.
	Current bool
}

// HomeManagerProfile is the profile home-manager keeps its generations in,
// as home-manager looks for it: ${XDG_STATE_HOME:-~/.local/state}/nix/profiles
// when that has a home-manager profile or the per-user directory has none,
// else /nix/var/nix/profiles/per-user/$USER. env is KEY=VALUE pairs.
func HomeManagerProfile(env []string) string {
	m := envMap(env)
	own := filepath.Join(stateHome(m), "nix", "profiles", "home-manager")
	if _, err := os.Lstat(own); err == nil || m["USER"] == "" {
		return own
	}
	global := filepath.Join("/nix/var/nix/profiles/per-user", m["USER"], "home-manager")
	if _, err := os.Lstat(global); err == nil {
		return global
	}
	return own
}

// Generations reads the generations of profile (a path such as
// HomeManagerProfile's) from its links, oldest first, the way nix-env
// --list-generations does: each home-manager-N-link's target and time, and
// the profile link's target names the current one. No profile is no
// generation, not an error.
func Generations(profile string) ([]Generation, error) {
	dir, base := filepath.Split(profile)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("generations: %w", err)
	}
	current, _ := os.Readlink(profile)
	var gens []Generation
	for _, e := range entries {
		num, ok := strings.CutPrefix(e.Name(), base+"-")
		if !ok {
			continue
		}
		num, ok = strings.CutSuffix(num, "-link")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n <= 0 {
			continue
		}
		link := filepath.Join(dir, e.Name())
		target, err := os.Readlink(link)
		if err != nil {
			continue
		}
		fi, err := os.Lstat(link)
		if err != nil {
			continue
		}
		gens = append(gens, Generation{Number: n, Path: target, Time: fi.ModTime(), Current: current == e.Name() || current == link})
	}
	slices.SortFunc(gens, func(a, b Generation) int { return a.Number - b.Number })
	return gens, nil
}

// CurrentGeneration is the generation profile points at; ok is false when
// there is none.
func CurrentGeneration(profile string) (Generation, bool, error) {
	gens, err := Generations(profile)
	if err != nil {
		return Generation{}, false, err
	}
	for _, g := range gens {
		if g.Current {
			return g, true, nil
		}
	}
	return Generation{}, false, nil
}

// SwitchGeneration points profile back at generation n, as
// `home-manager switch --rollback` does (`nix-env --profile P
// --switch-generation N`): no new generation, nothing built. nix-env is
// looked up on the PATH of env and runs with env.
func SwitchGeneration(ctx context.Context, env []string, profile string, n int) error {
	nixEnv, err := shell.LookPath("nix-env", envMap(env)["PATH"])
	if err != nil {
		return errors.New("undo: nix-env is not on PATH")
	}
	cmd := exec.CommandContext(ctx, nixEnv, "--profile", profile, "--switch-generation", strconv.Itoa(n))
	cmd.Env = childEnv(env)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("undo: nix-env --profile %s --switch-generation %d: %w: %s", profile, n, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// ActivatePlan is the plan that runs generation g's activate script, as
// home-manager runs it after switching its profile (`activate
// --driver-version 1`: the profile is the caller's to set, the script
// links the home files and installs the packages). It reuses Start and the
// same log reading as a switch, and builds nothing. dir is the
// configuration directory (the working directory); env as NewPlan's.
func ActivatePlan(dir string, g Generation, env []string) (Plan, error) {
	activate := filepath.Join(g.Path, "activate")
	if fi, err := os.Stat(activate); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return Plan{}, fmt.Errorf("undo: generation %d (%s) has no activate script", g.Number, g.Path)
	}
	m := envMap(env)
	if stateHome(m) == "" {
		return Plan{}, errors.New("undo: HOME is not set (nor an absolute XDG_STATE_HOME)")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Plan{}, err
	}
	// As a switch's -b does, unless the person chose an extension.
	childenv := childEnv(env)
	if m["HOME_MANAGER_BACKUP_EXT"] == "" {
		childenv = append(childenv, "HOME_MANAGER_BACKUP_EXT="+DefaultBackupExt)
	}
	return Plan{
		Argv:       []string{activate, "--driver-version", "1"},
		Env:        childenv,
		Dir:        abs,
		ConfigName: filepath.Base(g.Path),
		ProfileDir: filepath.Dir(HomeManagerProfile(env)),
		LogDir:     LogDir(func(k string) string { return m[k] }),
	}, nil
}
