package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nixboard/nixboard/tui/wizard"
)

// demoClock is the demo's fixed clock, so nothing on screen depends on
// when the demo runs.
var demoClock = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// demoOptions wires the demo: a simulated machine, a temporary directory
// as the only place anything is written, and the embedded recorded switch
// replayed at its recorded pace.
func demoOptions(_ *stdio, f wizardFlags, opts wizard.Options) (wizard.Options, func(), error) {
	// The simulated machine: detection reads it, and accepting the
	// installer on the machine without Nix plays a canned transcript and
	// gives it Nix (nothing real runs).
	machine, err := wizard.NewDemoMachine(f.demoPlatform, 1)
	if err != nil {
		return opts, func() {}, usagef("--demo-platform: %v", err)
	}
	// A fixed path (per user and platform) keeps every run's screen the
	// same; it is emptied before and removed after the demo.
	tmp := filepath.Join(os.TempDir(), fmt.Sprintf("nixboard-demo-%d-%s", os.Getuid(), f.demoPlatform))
	if err := os.RemoveAll(tmp); err != nil {
		return opts, func() {}, fmt.Errorf("demo: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return opts, func() {}, fmt.Errorf("demo: %w", err)
	}
	opts.Demo = true
	// Whatever --dir says, the demo writes only into its temporary directory.
	opts.Dir = filepath.Join(tmp, "home-manager")
	opts.Deps = wizard.Deps{
		Detect:      machine.Detect,
		DemoInstall: machine.Install,
		Switch:      wizard.DemoSwitch(1),
		Now:         func() time.Time { return demoClock },
	}
	return opts, func() { os.RemoveAll(tmp) }, nil
}
