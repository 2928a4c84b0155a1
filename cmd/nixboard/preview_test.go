package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/shell"
	"github.com/nixboard/nixboard/internal/switchtest"
	"github.com/nixboard/nixboard/nixrun"
)

// TestSwitchPreview: `switch --preview` builds the generation and prints
// what the switch would change, from home-manager's own dry-run activation
// and nix's own closure reports, and changes nothing; the switch after it
// activates the generation shown, and a second preview compares against it.
func TestSwitchPreview(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testSwitchPreview)
}

func testSwitchPreview(t *testing.T, mode nixtest.Mode) {
	f := switchtest.New(t, switchtest.Config{Cache: true, Mode: mode})
	bashrc := filepath.Join(f.Home, ".bashrc")
	if err := os.WriteFile(bashrc, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	preview := append([]string{"switch", "--plain", "--preview", "--dir", f.Dir, "--"}, f.ExtraArgs...)
	code, out, errOut := runCLI(t, envMap(f.Env), preview...)
	if code != 0 {
		t.Fatalf("preview exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	noEscapes(t, out)
	for _, want := range []string{
		"preview of switch " + f.Name,
		"Files in the way:\n  " + bashrc + " will be moved to " + bashrc + "." + nixrun.DefaultBackupExt,
		"Packages: a first switch, everything is new",
		"Size: ",
		"to apply it: nixboard switch --dir " + f.Dir,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	if data, err := os.ReadFile(bashrc); err != nil || string(data) != "# mine\n" {
		t.Errorf("the preview changed ~/.bashrc: %q %v", data, err)
	}
	profile := filepath.Join(f.Home, ".local/state/nix/profiles/home-manager")
	if _, err := os.Lstat(profile); err == nil {
		t.Error("the preview made a home-manager generation")
	}
	shown, err := filepath.EvalSymlinks(filepath.Join(f.Home, ".local/state/nixboard/preview/result"))
	if err != nil {
		t.Fatal(err)
	}

	// The switch activates exactly the generation shown.
	code, out, errOut = runCLI(t, envMap(f.Env), append([]string{"switch", "--plain", "--dir", f.Dir, "--"}, f.ExtraArgs...)...)
	if code != 0 {
		t.Fatalf("switch exited %d\n%s%s", code, out, errOut)
	}
	if active, err := filepath.EvalSymlinks(profile); err != nil || active != shown {
		t.Errorf("the switch activated %q (%v), the preview showed %s", active, err, shown)
	}

	// Again, with an older backup in the way of ~/.profile: the preview
	// says the switch would stop, and exits 1.
	if err := os.Remove(filepath.Join(f.Home, ".profile")); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{".profile": "# mine\n", ".profile." + nixrun.DefaultBackupExt: "# older\n"} {
		if err := os.WriteFile(filepath.Join(f.Home, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ = runCLI(t, envMap(f.Env), preview...)
	if code != 1 {
		t.Errorf("preview with a backup in the way exited %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"Packages: no change against the active generation",
		filepath.Join(f.Home, ".profile."+nixrun.DefaultBackupExt) + " is an older backup in the way of backing up " + filepath.Join(f.Home, ".profile") + ": the switch would stop",
		"The switch cannot go on until this is dealt with: " + filepath.Join(f.Home, ".profile") + " would be clobbered.",
		"  fix: mv -n -- " + shell.Quote(filepath.Join(f.Home, ".profile."+nixrun.DefaultBackupExt)) + " ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("second preview lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "to apply it") {
		t.Errorf("a preview of a switch that would stop offers to apply it:\n%s", out)
	}
	f.CheckMode(t)
}
