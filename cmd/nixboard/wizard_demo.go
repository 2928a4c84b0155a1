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
// The release removes the lock file too, while it still holds the lock; a
// demo that opened the file just before sees, once it has the lock, that
// the path no longer names the file it locked, and starts over (lockFile).
func demoDir(platform string) (string, func(), error) {
	fixed := filepath.Join(os.TempDir(), fmt.Sprintf("nixboard-demo-%d-%s", os.Getuid(), platform))
	if lock := lockFile(fixed + ".lock"); lock != nil {
		release := func() {
			os.RemoveAll(fixed)
			os.Remove(lock.Name())
			lock.Close()
		}
		if err := os.RemoveAll(fixed); err != nil {
			release()
			return "", nil, err
		}
		if err := os.Mkdir(fixed, 0o700); err != nil {
			release()
			return "", nil, err
		}
		return fixed, release, nil
	}
	dir, err := os.MkdirTemp("", fmt.Sprintf("nixboard-demo-%d-%s-", os.Getuid(), platform))
	if err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// lockFile creates (or opens) path and takes its exclusive lock without
// waiting; nil when another process holds it or it cannot be made. The
// lock counts only while path still names the locked file: one removed
// by its holder's release between our open and our lock is opened again.
func lockFile(path string) *os.File {
	for range 10 {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return nil
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			f.Close()
			return nil
		}
		held, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			return f
		}
		f.Close()
	}
	return nil
}
