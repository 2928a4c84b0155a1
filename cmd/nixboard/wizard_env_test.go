package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nixboard/nixboard/detect"
)

// TestWizardCommandsUseTheGivenEnvironment: the sudo and the installer the
// wizard starts take PATH and HOME from the environment nixboard was given
// (stdio.getenv), not from the process's.
func TestWizardCommandsUseTheGivenEnvironment(t *testing.T) {
	bin := t.TempDir()
	sudo := filepath.Join(bin, "sudo")
	if err := os.WriteFile(sudo, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := map[string]string{"PATH": bin, "HOME": home}
	st := &stdio{getenv: func(k string) string { return env[k] }}
	opts, cleanup, err := wizardOptions(st, wizardFlags{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	cmd, err := opts.Deps.Sudo("-v")
	if err != nil {
		t.Fatalf("sudo is not found on the given PATH %s: %v", bin, err)
	}
	if cmd.Argv[0] != sudo {
		t.Errorf("sudo is %s, want the one on the given PATH, %s", cmd.Argv[0], sudo)
	}
	inst := opts.Deps.Installer(detect.InstallOption{Command: "true"})
	for _, want := range []string{"PATH=" + bin, "HOME=" + home} {
		if !slices.Contains(cmd.Env, want) || !slices.Contains(inst.Env, want) {
			t.Errorf("%s is missing from the commands' environment", want)
		}
	}
}
