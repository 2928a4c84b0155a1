package detect_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
)

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		check   func(t *testing.T, d flakegen.Answers)
	}{
		{"wsl2-ubuntu-systemd", func(t *testing.T, d flakegen.Answers) {
			hb := d.HomeBase
			eq(t, "machine", []string{hb.Username, hb.HomeDirectory, d.Hostname, d.System, d.Platform, d.Shell, d.Release, hb.StateVersion, hb.DefaultEditor},
				[]string{"alice", "/home/alice", "DESKTOP-4F2K9QX", "x86_64-linux", "wsl", "bash", "26.05", "26.05", "nvim"})
			eq(t, "git", d.Git, flakegen.GitAnswer{Name: "Alice Example", Email: "alice@example.com"})
			if !hb.TerminalVerification.Enable || !hb.EnableGit || !hb.EnableTmux {
				t.Errorf("WSL defaults: %+v", hb)
			}
			if err := d.Validate(); err != nil {
				t.Errorf("defaults do not validate: %v", err)
			}
		}},
		{"darwin-intel", func(t *testing.T, d flakegen.Answers) {
			// Intel Macs stay on the stable release; EDITOR becomes the default editor.
			eq(t, "release", []string{d.Release, d.System, d.HomeBase.DefaultEditor, d.Shell}, []string{"26.05", "x86_64-darwin", "nano", "zsh"})
			if d.HomeBase.EnableOneDriveUtils || d.HomeBase.TerminalVerification.Enable || d.HomeBase.EnableEspIdf {
				t.Errorf("WSL/Linux-only flags on a Mac: %+v", d.HomeBase)
			}
			if err := d.Validate(); err != nil {
				t.Errorf("defaults do not validate: %v", err)
			}
		}},
		{"darwin-rosetta", func(t *testing.T, d flakegen.Answers) {
			eq(t, "system", d.System, "aarch64-darwin")
		}},
		{"debian-aarch64", func(t *testing.T, d flakegen.Answers) {
			eq(t, "shell", []string{d.Shell, d.System, d.Git.Name, d.Git.Email}, []string{"fish", "aarch64-linux", "Bob Example", ""})
		}},
		{"wsl2-alpine", func(t *testing.T, d flakegen.Answers) {
			// ash is not a shell home-manager configures here: bash is offered.
			eq(t, "shell", d.Shell, "bash")
		}},
		{"docker-ubuntu", func(t *testing.T, d flakegen.Answers) {
			eq(t, "user", []string{d.HomeBase.Username, d.HomeBase.HomeDirectory, d.Hostname}, []string{"root", "/root", "3f4e5d6c7b8a"})
		}},
		{"ubuntu-x86_64", func(t *testing.T, d flakegen.Answers) {
			// A re-run: nixboard.json wins, its stateVersion and release included,
			// even where detection found something else (git e-mail, EDITOR).
			hb := d.HomeBase
			eq(t, "answers", []string{d.Release, hb.StateVersion, hb.DefaultEditor, d.Git.Email, d.Shell},
				[]string{"unstable", "25.11", "hx", "dave@example.net", "zsh"})
			if !hb.EnableDevelopment || hb.EnableTmux || hb.ShellAliases["ll"] != "ls -l" || len(hb.AdditionalPackages) != 1 {
				t.Errorf("answers file not used: %+v", hb)
			}
		}},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			tc.check(t, runFixture(t, tc.fixture, detect.Options{}).Defaults)
		})
	}
}

// TestBrokenAnswersFile checks that an unreadable nixboard.json is reported
// and does not stop detection.
func TestBrokenAnswersFile(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "home/u/.config/home-manager")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "nixboard.json"), []byte(`{"homeBase": {"enableTmux": "yes"}}`), 0o644)
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/hostname"), []byte("box\n"), 0o644)
	env := map[string]string{"NIXBOARD_ROOT": root, "NIXBOARD_GOOS": "linux", "HOME": "/home/u", "USER": "u", "PATH": "/bin"}
	m, err := detect.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	r := detect.Run(context.Background(), m, detect.Options{})
	c := find(r, "homeManager.answers")
	if c.Status != detect.StatusWarn || !strings.Contains(c.Message, "enableTmux") || !strings.Contains(c.Fix, "nixboard.json") {
		t.Errorf("homeManager.answers = %+v", c)
	}
	if !r.HomeManager.ManagedByNixboard || r.Defaults.HomeBase.Username != "u" || r.Defaults.Hostname != "box" {
		t.Errorf("report = %+v %+v", r.HomeManager, r.Defaults)
	}
	// The configuration check agrees with the answers check: the answers
	// that cannot be read are not the defaults.
	if c := find(r, "homeManager.config"); strings.Contains(c.Message, "its answers are the defaults") || !strings.Contains(c.Message, "cannot be read") {
		t.Errorf("homeManager.config = %+v beside homeManager.answers %q", c, find(r, "homeManager.answers").Message)
	}
}
