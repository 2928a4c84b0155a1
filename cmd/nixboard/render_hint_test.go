package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// The "next:" hint after a render is a command the person pastes: with
// --dir it names that directory (quoted for the shell when it must be),
// because `nixboard switch` alone would switch the default one.
func TestRenderNextHintNamesTheDirectory(t *testing.T) {
	nixtest.RequireGit(t)
	answers := writeAnswers(t, renderAnswers)
	dir := filepath.Join(t.TempDir(), "my config")
	code, out, errOut := runCLI(t, nil, "render", "--answers", answers, "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	want := "next: nixboard switch --dir '" + dir + "', or home-manager switch --flake '" + dir + "#alice@laptop'\n"
	if !strings.HasSuffix(out, want) {
		t.Errorf("stdout does not end in\n%q:\n%s", want, out)
	}
}

// Without --dir the configuration is the default one, which `nixboard
// switch` finds by itself.
func TestRenderNextHintWithoutDir(t *testing.T) {
	nixtest.RequireGit(t)
	answers := writeAnswers(t, renderAnswers)
	xdg := t.TempDir()
	code, out, errOut := runCLI(t, map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": t.TempDir()}, "render", "--answers", answers)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	want := "next: nixboard switch, or home-manager switch --flake " + filepath.Join(xdg, "home-manager") + "#alice@laptop\n"
	if !strings.HasSuffix(out, want) {
		t.Errorf("stdout does not end in\n%q:\n%s", want, out)
	}
}
