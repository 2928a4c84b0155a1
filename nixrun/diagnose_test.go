package nixrun

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func diagnoseLog(t *testing.T, log string) Diagnosis {
	t.Helper()
	s, _ := newTestState(Limits{})
	feedAll(s, log)
	return Diagnose(s, errors.New("exit status 1"))
}

func TestDiagnoseMessages(t *testing.T) {
	tests := []struct {
		name, log, reason, fix, detail string
	}{
		{"flakes disabled",
			`@nix {"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"\u001b[31;1merror:\u001b[0m experimental Nix feature 'flakes' is disabled; use '--extra-experimental-features flakes' to override","raw_msg":"experimental Nix feature 'flakes' is disabled; use '--extra-experimental-features flakes' to override"}`,
			"flakes are not enabled", `NIX_CONFIG="experimental-features = nix-command flakes"`, "NIX_CONFIG"},
		{"flakes disabled in plain text",
			"error: experimental Nix feature 'nix-command' is disabled; use '--extra-experimental-features nix-command' to override",
			"flakes are not enabled", "experimental-features", ""},
		{"file not tracked (new nix)",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m Path '\u001b[35;1mhome.nix\u001b[0m' in the repository \u001b[35;1m\"/home/u/.config/home-manager\"\u001b[0m is not tracked by Git."}`,
			"home.nix is not tracked by git", "git -C /home/u/.config/home-manager add --intent-to-add -- home.nix", "only sees the files git tracks"},
		{"file not tracked (old nix)",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m getting status of '/nix/store/m7vvr3iwirpvx8x8swmah320ayr3nlc8-source/home.nix': No such file or directory"}`,
			"home.nix is not tracked by git", "git add --intent-to-add -- home.nix", ""},
		{"no profile directory",
			"Starting Home Manager activation\nCould not find suitable profile directory, tried /home/u/.local/state/nix/profiles and /nix/var/nix/profiles/per-user/u",
			"no Nix profile directory", "mkdir -p /home/u/.local/state/nix/profiles", "tried"},
		{"no profile directory named",
			"Starting Home Manager activation\nCould not find suitable profile directory",
			"no Nix profile directory", `mkdir -p "${XDG_STATE_HOME:-$HOME/.local/state}/nix/profiles"`, ""},
		{"daemon socket",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m cannot connect to socket at '/nix/var/nix/daemon-socket/socket': Connection refused"}`,
			"the Nix daemon is not reachable", "systemctl start nix-daemon", "wsl.conf"},
		{"HOME mismatch",
			"Starting Home Manager activation\nHOME is \"/home/u\", expected \"/Users/u\"",
			`HOME is "/home/u" but the configuration expects "/Users/u"`, "", "homeDirectory"},
		{"USER mismatch",
			"Starting Home Manager activation\nUSER is \"root\", expected \"alice\"",
			`USER is "root" but the configuration expects "alice"`, "", "username"},
		{"unknown stateVersion",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m A definition for option ` + "`" + `home.stateVersion' is not of type ` + "`" + `one of \"18.09\", \"19.03\", \"26.05\"'. Definition values:\n       - In ` + "`" + `/nix/store/m7vvr3iwirpvx8x8swmah320ayr3nlc8-source/home.nix': \"27.05\""}`,
			`home.stateVersion "27.05" is not known to this home-manager`, "", "enum"},
		{"flake input offline",
			`warning: error: unable to download 'https://api.github.com/repos/nix-community/home-manager/commits/release-26.05': Couldn't resolve host name (6); retrying in 282 ms
error: unable to download 'https://api.github.com/repos/nix-community/home-manager/commits/release-26.05': Couldn't resolve host name (6)
(use '--show-trace' to show detailed location information)`,
			"a download failed: cannot reach https://api.github.com (Couldn't resolve host name (6))", "curl -sSI https://api.github.com", "fetches nixpkgs and home-manager from GitHub"},
		{"download offline",
			`@nix {"action":"msg","level":1,"msg":"\u001b[35;1mwarning:\u001b[0m \u001b[31;1merror:\u001b[0m unable to download 'https://cache.nixos.org/nix-cache-info': Could not resolve host: cache.nixos.org (6); retrying in 326 ms"}
@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m unable to download 'https://cache.nixos.org/nar/abc.nar.xz': Could not resolve host: cache.nixos.org (6)"}`,
			"a download failed: cannot reach https://cache.nixos.org (Could not resolve host: cache.nixos.org (6))", "curl -sSI https://cache.nixos.org/nix-cache-info", "network"},
		{"eval error with position",
			`@nix {"action":"msg","column":11,"file":"/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/home.nix","level":0,"line":15,"msg":"\u001b[31;1merror:\u001b[0m cannot add \u001b[35;1ma string\u001b[0m to an integer\n\n       \u001b[34;1mat \u001b[35;1m/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/home.nix:15:11\u001b[0m:","raw_msg":"cannot add \u001b[35;1ma string\u001b[0m to an integer"}`,
			"evaluation error at home.nix:15: cannot add a string to an integer", "", "at home.nix:15:11"},
		{"eval error, position only in text (newer nix)",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m undefined variable 'pkgz'\n       at /nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/modules/shell.nix:3:5:"}`,
			"evaluation error at modules/shell.nix:3: undefined variable 'pkgz'", "", ""},
		{"unrecognised error",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m something odd\nsecond line"}`,
			"something odd", "", ""},
		{"nothing in the log", ``, "exit status 1", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diagnoseLog(t, tt.log)
			if d.OK || d.Reason != tt.reason {
				t.Fatalf("reason %q, want %q (%+v)", d.Reason, tt.reason, d)
			}
			if tt.fix == "" && tt.detail == "" {
				return
			}
			if len(d.Hints) == 0 {
				t.Fatalf("no hints")
			}
			if !strings.Contains(d.Hints[0].Fix, tt.fix) || !strings.Contains(d.Hints[0].Detail, tt.detail) {
				t.Errorf("first hint %+v, want fix containing %q and detail %q", d.Hints[0], tt.fix, tt.detail)
			}
			for _, h := range d.Hints {
				if strings.Contains(h.Title+h.Detail+h.Fix, "\x1b") {
					t.Errorf("hint with escapes: %q", h)
				}
			}
		})
	}
}

func TestDiagnoseOK(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `@nix {"action":"msg","level":0,"msg":"error: ignored because the run succeeded"}`)
	if d := Diagnose(s, nil); !d.OK || d.Reason != "" || len(d.Hints) != 0 {
		t.Errorf("diagnosis: %+v", d)
	}
}

// TestDiagnoseGPUSetup: home-manager's generic Linux GPU module warns on a
// successful switch and names a command to run once; that command becomes
// the successful run's hint, and does not fail the run.
func TestDiagnoseGPUSetup(t *testing.T) {
	const setup = "/nix/store/0c2xk3w1sbkq8pwsb6nmpkbds5fgk8r8-non-nixos-gpu/bin/non-nixos-gpu-setup"
	log := "Starting Home Manager activation\n" +
		"Activating checkLinkTargets\n" +
		"Activating linkGeneration\n" +
		"\x1b[1;33mThis non-NixOS system is not yet set up to use the GPU\x1b[0m\n" +
		"\x1b[1;33mwith Nix packages. To set up GPU drivers, run\x1b[0m\n" +
		"\x1b[1;33m  sudo " + setup + "\x1b[0m\n" +
		"Activating onFilesChange\n"
	s, _ := newTestState(Limits{})
	feedAll(s, log)
	d := Diagnose(s, nil)
	if !d.OK || len(d.Hints) != 1 || d.Hints[0].Fix != "sudo "+setup {
		t.Fatalf("diagnosis: %+v", d)
	}
	if r := DiagnoseReplay(s); !r.OK || len(r.Hints) != 1 {
		t.Errorf("replay: %+v", r)
	}
	if a := s.Activation(); !a.Complete || a.GPUSetup != "sudo "+setup {
		t.Errorf("activation: %+v", a)
	}
}

// TestDiagnoseClobber uses real files: a regular file with an older
// backup in the way, and a foreign symlink.
func TestDiagnoseClobber(t *testing.T) {
	home := t.TempDir()
	bashrc := filepath.Join(home, ".bashrc")
	profile := filepath.Join(home, ".profile")
	for _, p := range []string{bashrc, bashrc + ".backup"} {
		if err := os.WriteFile(p, []byte("# skeleton\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/etc/skel/.profile", profile); err != nil {
		t.Fatal(err)
	}
	log := `Starting Home Manager activation
Activating checkFilesChanged
Activating checkLinkTargets
Please do one of the following:
- In standalone mode, use 'home-manager switch -b backup' to back up files automatically.
Existing file '` + bashrc + `.backup' would be clobbered by backing up '` + bashrc + `'
Existing file '` + profile + `' would be clobbered`
	d := diagnoseLog(t, log)
	want := "2 files would be clobbered: " + bashrc + ", " + profile
	if d.OK || d.Reason != want {
		t.Fatalf("reason %q, want %q", d.Reason, want)
	}
	if len(d.Hints) != 2 {
		t.Fatalf("hints: %+v", d.Hints)
	}
	if h := d.Hints[0]; !strings.Contains(h.Title, "older backup") || h.Fix != "mv -n -- "+bashrc+".backup "+bashrc+".backup.old" {
		t.Errorf("backup hint: %+v", h)
	}
	if h := d.Hints[1]; !strings.Contains(h.Title, "symlinks") || !strings.Contains(h.Detail, "/etc/skel/.profile") || h.Fix != "rm -- "+profile {
		t.Errorf("symlink hint: %+v", h)
	}
	// In a replay the files are on another machine: no symlink check.
	s, _ := newTestState(Limits{})
	feedAll(s, log)
	r := DiagnoseReplay(s)
	if r.OK || r.Reason != want || !strings.Contains(r.Hints[1].Title, "existing files would be clobbered") {
		t.Errorf("replay: %+v", r)
	}
	if a := s.Activation(); a.Complete || len(a.Clobbered) != 2 || a.Clobbered[0].BackupOf != bashrc {
		t.Errorf("activation: %+v", a)
	}
}

func TestUserPath(t *testing.T) {
	for in, want := range map[string]string{
		"/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/home.nix":            "home.nix",
		"/tmp/s2/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/hosts/a.nix":  "hosts/a.nix",
		"at /nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/home.nix:3:5: x":  "at home.nix:3:5: x",
		"/home/u/.config/home-manager/home.nix":                                  "/home/u/.config/home-manager/home.nix",
		"/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-hello-2.12/share/hello.nix": "/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-hello-2.12/share/hello.nix",
	} {
		if got := UserPath(in); got != want {
			t.Errorf("UserPath(%q) = %q, want %q", in, got, want)
		}
	}
}
