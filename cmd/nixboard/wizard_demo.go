package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/nixboard/nixboard/tui/wizard"
)

// demoClock is the demo's fixed clock, so nothing on screen depends on
// when the demo runs.
var demoClock = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// demoOptions wires the demo: a simulated machine, a temporary directory
// as the only place anything is written, and the embedded recorded switch
// replayed at its recorded pace.
func demoOptions(f wizardFlags, opts wizard.Options, env []string) (wizard.Options, func(), error) {
	// The simulated machine: detection reads it, and accepting the
	// installer on the machine without Nix plays a canned transcript and
	// gives it Nix (nothing real runs).
	machine, err := wizard.NewDemoMachine(f.demoPlatform, 1)
	if err != nil {
		return opts, func() {}, usagef("--demo-platform: %v", err)
	}
	tmp, release, err := demoDir(f.demoPlatform)
	if err != nil {
		return opts, func() {}, fmt.Errorf("demo: %w", err)
	}
	opts.Demo = true
	// Whatever --dir says, the demo writes only into its temporary
	// directory; the directory question refuses any other.
	opts.Dir = filepath.Join(tmp, "home-manager")
	opts.DirRoot = tmp
	opts.Deps = wizard.Deps{
		Detect:      machine.Detect,
		DemoInstall: machine.Install,
		// No Preview: the demo has no real Nix to build or dry-run with,
		// so its switch stays the recorded one, as before the preview.
		Switch: wizard.DemoSwitch(1),
		Now:    func() time.Time { return demoClock },
		Env:    env,
	}
	return opts, release, nil
}

// demoDir returns the directory a demo writes into, emptied, and the
// function that removes it. A fixed path (per user and platform) keeps every
// run's screen the same. A lock held for the whole demo keeps two demos of
// the same platform from emptying each other's directory: the second one
// gets a fresh temporary directory instead (its screen shows that path).
func demoDir(platform string) (string, func(), error) {
	fixed := filepath.Join(os.TempDir(), fmt.Sprintf("nixboard-demo-%d-%s", os.Getuid(), platform))
	lock, err := os.OpenFile(fixed+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err == nil && syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
		if err := os.RemoveAll(fixed); err != nil {
			lock.Close()
			return "", nil, err
		}
		if err := os.Mkdir(fixed, 0o700); err != nil {
			lock.Close()
			return "", nil, err
		}
		return fixed, func() {
			// The lock file stays: removing it would let a demo that opened
			// it just before lock a file no other demo can see any more.
			os.RemoveAll(fixed)
			lock.Close()
		}, nil
	}
	if lock != nil {
		lock.Close()
	}
	dir, err := os.MkdirTemp("", fmt.Sprintf("nixboard-demo-%d-%s-", os.Getuid(), platform))
	if err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}
