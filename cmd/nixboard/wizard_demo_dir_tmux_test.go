package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWizardDemoChangedDirLeavesItUntouched drives the demo in an 80x24
// tmux pane and changes the directory question to a real directory outside
// the demo's temporary directory, one holding a flake.nix: the question
// refuses it and says where the demo writes. The demo then finishes in
// another directory inside its own, and the outside directory still holds
// exactly its flake.nix, unchanged (no backup, no git init).
func TestWizardDemoChangedDirLeavesItUntouched(t *testing.T) {
	t.Parallel()
	bin := buildNixboard(t)
	tmp := t.TempDir()
	outside := t.TempDir()
	flake := "{ outputs = _: { }; } # the person's own\n"
	if err := os.WriteFile(filepath.Join(outside, "flake.nix"), []byte(flake), 0o644); err != nil {
		t.Fatal(err)
	}
	demoRoot := filepath.Join(tmp, fmt.Sprintf("nixboard-demo-%d-darwin-arm64", os.Getuid()))
	status := statusFifo(t)
	script := "env -i HOME=" + shq(tmp) + " TMPDIR=" + shq(tmp) + " PATH=/usr/bin:/bin TERM=xterm-256color " +
		shq(bin) + " --demo --demo-platform darwin-arm64\necho $? > " + shq(status) + "\nread x\n"
	s := newTmux(t, 80, 24, script)
	s.waitFor("answer a few questions", 15*time.Second)
	s.keys("Enter")
	s.acceptPage("Who you are", "Git name", "Git e-mail")

	s.waitForFocus("Configuration directory", 15*time.Second)
	s.keys("C-u")
	s.typed(outside)
	s.keys("Enter")
	screen := s.waitFor("temporary directory", 15*time.Second)
	if !strings.Contains(strings.Join(strings.Fields(screen), " "), "the demo writes only inside its temporary directory") {
		t.Errorf("the refusal does not say why:\n%s", screen)
	}
	checkScreenWidth(t, screen, 80)

	// A directory inside the demo's own is taken.
	inside := filepath.Join(demoRoot, "elsewhere")
	s.keys("C-u")
	s.typed(inside)
	s.keys("Enter")
	s.waitForFocus("Release", 15*time.Second)
	s.keys("Enter")
	s.waitForFocus("Base layer", 15*time.Second)
	s.keys("Enter")
	s.acceptPage("Shell and editor", "Editor")
	s.waitFor("Not offered on this machine", 15*time.Second)
	s.keys("Enter")
	s.acceptPage("Shell aliases", "Environment variables", "Additional packages")
	screen = s.waitFor("write files", 15*time.Second)
	if !strings.Contains(screen, "elsewhere") {
		t.Errorf("the review does not name the chosen directory:\n%s", screen)
	}
	s.keys("Enter")
	s.waitFor("environment is set up", 60*time.Second)
	s.keys("q")
	if code := waitStatus(t, s, status, 10*time.Second); code != "0" {
		t.Errorf("exit status %s", code)
	}

	entries, err := os.ReadDir(outside)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"flake.nix"}) {
		t.Errorf("the outside directory now holds %q, want only flake.nix", names)
	}
	if got, err := os.ReadFile(filepath.Join(outside, "flake.nix")); err != nil || string(got) != flake {
		t.Errorf("the outside flake.nix changed: %q, %v", got, err)
	}
}
