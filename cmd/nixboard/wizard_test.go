package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/nixtest"
)

func TestWizardWithoutTerminal(t *testing.T) {
	code, _, errs := runCLIWith(t, "", nil, false)
	if code != 2 || !strings.Contains(errs, "--answers FILE --yes") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLIWith(t, "", nil, false, "--yes")
	if code != 2 || !strings.Contains(errs, "--yes needs --answers") {
		t.Errorf("--yes alone: exit %d, %q", code, errs)
	}
	code, out, _ := runCLIWith(t, "", nil, false, "--help")
	if code != 0 || !strings.Contains(out, "--no-switch") || !strings.Contains(out, "doctor") || !strings.Contains(out, "-demo-platform") {
		t.Errorf("--help: exit %d:\n%s", code, out)
	}
}

func writeWizardAnswers(t *testing.T) string {
	t.Helper()
	a := flakegen.DefaultFor("linux", "x86_64-linux")
	a.HomeBase.Username = "alice"
	a.HomeBase.HomeDirectory = "/home/alice"
	a.Hostname = "box"
	a.Git = flakegen.GitAnswer{Name: "Alice", Email: "alice@example.com"}
	p := filepath.Join(t.TempDir(), "answers.json")
	if err := os.WriteFile(p, flakegen.MarshalAnswers(a), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWizardPlainDryRunAndNoSwitch(t *testing.T) {
	answers := writeWizardAnswers(t)
	dir := filepath.Join(t.TempDir(), "hm")
	code, out, errs := runCLIWith(t, "", nil, false, "--answers", answers, "--yes", "--dir", dir, "--dry-run")
	if code != 0 || !strings.Contains(out, "flake.nix") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("dry run wrote %s", dir)
	}
	code, out, errs = runCLIWith(t, "", nil, false, "--answers", answers, "--yes", "--dir", dir, "--no-switch")
	if code != 0 {
		t.Fatalf("no-switch: exit %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "flake.nix")); err != nil {
		t.Errorf("flake.nix not written: %v", err)
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("plain output has escape sequences: %q", out)
	}
}

func TestWizardAccessibleDemo(t *testing.T) {
	nixtest.RequireGit(t)
	// An invalid user name is asked again; everything else keeps its
	// default; the files are written; --no-switch stops there.
	// Prompts: user name (asked twice), git name, e-mail, directory,
	// release, shell, editor, modules (0 ends), aliases, variables,
	// packages, the offer to show the diffs (yes), then the write
	// confirmation.
	stdin := strings.Join([]string{"Bad Name", "ada", "", "", "", "", "", "", "", "0", "gs=git status", "", "", "ripgrep", "y", "y"}, "\n") + "\n"
	code, out, errs := runCLIWith(t, stdin, nil, false, "--accessible", "--demo", "--no-switch")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	for _, want := range []string{"User name", "is not a user name", "Review", "homeBase.shellAliases", "homeBase", "Wrote the configuration", "Run nixboard without --demo"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The demo's directory is gone once it ended: the closing text does
	// not name it.
	_, closing, _ := strings.Cut(out, "Wrote the configuration")
	if _, closing, _ = strings.Cut(closing, "\n"); strings.Contains(closing, "nixboard-demo-") {
		t.Errorf("the closing text names the demo's directory:\n%s", closing)
	}
	if strings.Contains(out, "\x1b[3") {
		t.Errorf("colour in piped accessible output")
	}
}

// TestDemoDirIsExclusive: a second demo of the same platform, while the
// first runs, gets a directory of its own instead of emptying the first's.
func TestDemoDirIsExclusive(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	first, releaseFirst, err := demoDir("wsl-ubuntu")
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(first, "in-use")
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	second, releaseSecond, err := demoDir("wsl-ubuntu")
	if err != nil {
		t.Fatal(err)
	}
	if second == first {
		t.Fatalf("both demos got %s", first)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the second demo emptied the first one's directory: %v", err)
	}
	releaseSecond()
	releaseFirst()
	for _, dir := range []string{first, second} {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s is left behind: %v", dir, err)
		}
	}
	third, releaseThird, err := demoDir("wsl-ubuntu")
	if err != nil {
		t.Fatal(err)
	}
	if third != first {
		t.Errorf("after both ended the demo got %s, want the fixed %s", third, first)
	}
	releaseThird()
	// Nothing of the demos is left in TMPDIR, their lock file included.
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "nixboard-demo-*")); len(left) > 0 {
		t.Errorf("the demos left %v behind", left)
	}
}

// TestDemoDirLockRace: demos starting and ending at once never share the
// fixed directory, although each release removes the lock file.
func TestDemoDirLockRace(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	fixed := filepath.Join(os.TempDir(), fmt.Sprintf("nixboard-demo-%d-race", os.Getuid()))
	var holders, most atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				dir, release, err := demoDir("race")
				if err != nil {
					t.Error(err)
					return
				}
				if dir == fixed {
					n := holders.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					holders.Add(-1)
				}
				release()
			}
		})
	}
	wg.Wait()
	if m := most.Load(); m > 1 {
		t.Errorf("%d demos held the fixed directory at once", m)
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "nixboard-demo-*")); len(left) > 0 {
		t.Errorf("the demos left %v behind", left)
	}
}
