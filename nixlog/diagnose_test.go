package nixlog

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
			"flakes are not enabled", `echo 'extra-experimental-features = nix-command flakes' >> ~/.config/nix/nix.conf`, "keeps any other feature"},
		{"flakes disabled in plain text",
			"error: experimental Nix feature 'nix-command' is disabled; use '--extra-experimental-features nix-command' to override",
			"flakes are not enabled", "extra-experimental-features", ""},
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
		// Nix 2.26 (Debian trixie's nix-bin), captured from a real run: the
		// file field carries the position, the trace comes first.
		{"eval error, nix 2.26 file with position",
			`@nix {"action":"msg","column":11,"file":"/nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/broken.nix:3:11","level":0,"line":3,"msg":"\u001b[31;1merror:\u001b[0m\n       … while evaluating the attribute '\u001b[35;1my\u001b[0m'\n         \u001b[34;1mat \u001b[35;1m/nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/broken.nix:3:3\u001b[0m:\n            2| {\n            3|   y = x + \"foo\";\n             |   \u001b[31;1m^\u001b[0m\n            4| }\n\n       \u001b[31;1merror:\u001b[0m cannot add \u001b[35;1ma string\u001b[0m to an integer\n       \u001b[34;1mat \u001b[35;1m/nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/broken.nix:3:11\u001b[0m:\n            2| {\n            3|   y = x + \"foo\";\n             |           \u001b[31;1m^\u001b[0m\n            4| }","raw_msg":"cannot add \u001b[35;1ma string\u001b[0m to an integer"}`,
			"evaluation error at broken.nix:3: cannot add a string to an integer", "", "cannot add a string to an integer\nat broken.nix:3:11:"},
		{"file not tracked, nix 2.26",
			`@nix {"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"\u001b[31;1merror:\u001b[0m\n       … while calling the '\u001b[35;1mimport\u001b[0m' builtin\n         \u001b[34;1mat \u001b[35;1m/nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/flake.nix:1:29\u001b[0m:\n            1| { outputs = { self }: { x = import ./home.nix; }; }\n             |                             \u001b[31;1m^\u001b[0m\n            2|\n\n       \u001b[31;1merror:\u001b[0m path '\u001b[35;1m/nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/programs.nix\u001b[0m' does not exist","raw_msg":"path '\u001b[35;1m/nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/programs.nix\u001b[0m' does not exist"}`,
			"programs.nix is not tracked by git", "git add --intent-to-add -- programs.nix", "only sees the files git tracks"},
		{"download failed, nix 2.26 curl wording",
			`@nix {"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"\u001b[31;1merror:\u001b[0m\n       … while fetching the input '\u001b[35;1mgithub:nix-community/home-manager/release-26.05\u001b[0m'\n\n       \u001b[31;1merror:\u001b[0m unable to \u001b[35;1mdownload\u001b[0m '\u001b[35;1mhttps://api.github.com/repos/nix-community/home-manager/commits/release-26.05\u001b[0m': \u001b[35;1mCould not resolve hostname\u001b[0m (\u001b[35;1m6\u001b[0m) \u001b[35;1mCould not resolve host: api.github.com\u001b[0m","raw_msg":"unable to \u001b[35;1mdownload\u001b[0m '\u001b[35;1mhttps://api.github.com/repos/nix-community/home-manager/commits/release-26.05\u001b[0m': \u001b[35;1mCould not resolve hostname\u001b[0m (\u001b[35;1m6\u001b[0m) \u001b[35;1mCould not resolve host: api.github.com\u001b[0m"}`,
			"a download failed: cannot reach https://api.github.com (Could not resolve hostname (6))", "curl -sSI https://api.github.com", "fetches nixpkgs and home-manager from GitHub"},
		{"cache unreachable, nix 2.26 curl wording",
			`@nix {"action":"msg","column":null,"file":null,"level":1,"line":null,"msg":"\u001b[35;1mwarning:\u001b[0m unable to \u001b[35;1mdownload\u001b[0m '\u001b[35;1mhttp://127.0.0.1:1/nix-cache-info\u001b[0m': \u001b[35;1mCould not connect to server\u001b[0m (\u001b[35;1m7\u001b[0m) \u001b[35;1mFailed to connect to 127.0.0.1 port 1 after 0 ms: Could not connect to server\u001b[0m","raw_msg":"unable to \u001b[35;1mdownload\u001b[0m '\u001b[35;1mhttp://127.0.0.1:1/nix-cache-info\u001b[0m': \u001b[35;1mCould not connect to server\u001b[0m (\u001b[35;1m7\u001b[0m) \u001b[35;1mFailed to connect to 127.0.0.1 port 1 after 0 ms: Could not connect to server\u001b[0m"}`,
			"a download failed: cannot reach http://127.0.0.1:1 (Could not connect to server (7))", "curl -sSI http://127.0.0.1:1/nix-cache-info", "binary cache"},
		// nixpkgs' check-meta.nix refusing an unfree package, in today's
		// wording and in the older one.
		{"unfree package",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m\n       … while evaluating the attribute 'home.packages'\n\n       \u001b[31;1merror:\u001b[0m Refusing to evaluate package 'vscode-1.104.0' in /nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/pkgs/applications/editors/vscode/vscode.nix:75 because it has an unfree license (‘unfree’)\n       a) To temporarily allow unfree packages, you can use an environment variable\n\n       Alternatively you can configure a predicate to allow specific packages:\n         { nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [\n             \"vscode\"\n           ];\n         }","raw_msg":"Refusing to evaluate package 'vscode-1.104.0' in /nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/pkgs/applications/editors/vscode/vscode.nix:75 because it has an unfree license (‘unfree’)"}`,
			"vscode is unfree and not allowed", "", `nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "vscode" ];`},
		{"unfree package, older nixpkgs",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m Package ‘google-chrome-102.0.5005.61’ in /nix/store/vrkp5raqkgiaa3xs62i8pm53hc8qrg5s-source/pkgs/applications/networking/browsers/google-chrome/default.nix:162 has an unfree license (‘unfree’), refusing to evaluate."}`,
			"google-chrome is unfree and not allowed", "", `[ "google-chrome" ]`},
		{"unrecognised error",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m something odd\nsecond line"}`,
			"something odd", "", ""},
		{"nothing in the log", ``, "exit status 1", "", ""},
		{"build failed",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m builder for '\u001b[35;1m/nix/store/g7phq9rq0apbrmbivjrsxnvak2dzamga-hello-1.0.drv\u001b[0m' failed with exit code 3"}`,
			"building hello-1.0 failed", "nix log /nix/store/g7phq9rq0apbrmbivjrsxnvak2dzamga-hello-1.0.drv", ""},
		{"file in the way",
			"Starting Home Manager activation\nActivating checkLinkTargets\nExisting file '/nonexistent/u/.bashrc' would be clobbered",
			"/nonexistent/u/.bashrc would be clobbered", "ls -l -- /nonexistent/u/.bashrc", "does not overwrite files it did not create"},
		{"eval error without a position (nix 2.8)",
			`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m undefined variable 'pkgz'\n(use '--show-trace' to show detailed location information)"}`,
			"undefined variable 'pkgz'", "", "--show-trace"},
	}
	seen := map[Class]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diagnoseLog(t, tt.log)
			if d.OK || d.Reason != tt.reason {
				t.Fatalf("reason %q, want %q (%+v)", d.Reason, tt.reason, d)
			}
			want, ok := diagnoseClasses[tt.name]
			if !ok {
				t.Fatalf("diagnoseClasses has no class for %q", tt.name)
			}
			if d.Class != want {
				t.Errorf("class %v, want %v", d.Class, want)
			}
			seen[d.Class] = true
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
	// Every class a failed live run can get has a case here (a replay's
	// ClassLogEnds and ClassNotALog are TestFailureClasses').
	for _, c := range FailureClasses() {
		if !seen[c] && c != ClassLogEnds && c != ClassNotALog {
			t.Errorf("no case gets the class %v", c)
		}
	}
}

// diagnoseClasses is the class each case of TestDiagnoseMessages gets.
var diagnoseClasses = map[string]Class{
	"flakes disabled":                               ClassFlakesDisabled,
	"flakes disabled in plain text":                 ClassFlakesDisabled,
	"file not tracked (new nix)":                    ClassUntracked,
	"file not tracked (old nix)":                    ClassUntracked,
	"no profile directory":                          ClassNoProfileDirectory,
	"no profile directory named":                    ClassNoProfileDirectory,
	"daemon socket":                                 ClassDaemonUnreachable,
	"HOME mismatch":                                 ClassIdentityMismatch,
	"USER mismatch":                                 ClassIdentityMismatch,
	"unknown stateVersion":                          ClassStateVersion,
	"flake input offline":                           ClassDownload,
	"download offline":                              ClassDownload,
	"eval error with position":                      ClassEvaluation,
	"eval error, position only in text (newer nix)": ClassEvaluation,
	"eval error, nix 2.26 file with position":       ClassEvaluation,
	"file not tracked, nix 2.26":                    ClassUntracked,
	"download failed, nix 2.26 curl wording":        ClassDownload,
	"cache unreachable, nix 2.26 curl wording":      ClassDownload,
	"unfree package":                                ClassUnfree,
	"unfree package, older nixpkgs":                 ClassUnfree,
	"unrecognised error":                            ClassEvaluationUnplaced,
	"nothing in the log":                            ClassUnrecognised,
	"build failed":                                  ClassBuild,
	"file in the way":                               ClassClobbered,
	"eval error without a position (nix 2.8)":       ClassEvaluationUnplaced,
}

// TestFailureClasses: every class has a name of its own, and the classes
// are ranked as the diagnosis needs: a cause the person fixes first (Nix
// itself, the machine) before what follows from it (a build, a download).
func TestFailureClasses(t *testing.T) {
	names := map[string]bool{}
	for _, c := range FailureClasses() {
		n := c.String()
		if n == "" || n == "unknown" || n == "none" || names[n] {
			t.Errorf("class %d has the name %q", int(c), n)
		}
		names[n] = true
	}
	if got := len(FailureClasses()); got != int(classEnd)-1 {
		t.Errorf("%d failure classes, want %d", got, int(classEnd)-1)
	}
	if !(ClassFlakesDisabled < ClassClobbered && ClassClobbered < ClassBuild && ClassBuild < ClassDownload && ClassDownload < ClassEvaluationUnplaced) {
		t.Errorf("the classes are out of rank order")
	}
	// A replay that stops before the activation's end.
	s, _ := newTestState(Limits{})
	feedAll(s, "Starting Home Manager activation\nActivating checkFilesChanged")
	if d := DiagnoseReplay(s); d.Class != ClassLogEnds || d.Reason != ReasonLogEnds {
		t.Errorf("a cut replay: %+v", d)
	}
	// A file that is not a log at all.
	other, _ := newTestState(Limits{})
	feedAll(other, "# nixboard\nA terminal wizard.")
	if d := DiagnoseReplay(other); d.Class != ClassNotALog || !d.NotALog {
		t.Errorf("a replay of a README: %+v", d)
	}
	if d := Diagnose(s, nil); d.Class != ClassNone {
		t.Errorf("a successful run has the class %v", d.Class)
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
	if h := d.Hints[1]; h.Title != "1 file is a symlink home-manager cannot back up" || !strings.Contains(h.Detail, "/etc/skel/.profile") || h.Fix != "rm -- "+profile {
		t.Errorf("symlink hint: %+v", h)
	}
	// In a replay the files are on another machine: no symlink check.
	s, _ := newTestState(Limits{})
	feedAll(s, log)
	r := DiagnoseReplay(s)
	if r.OK || r.Reason != want || r.Hints[1].Title != "1 existing file would be clobbered" {
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

// TestDiagnoseModuleErrors replays the module system's errors recorded with
// the real nixpkgs library on Nix 2.8 and 2.26 (testdata/logs/module-errors,
// see record.sh there): the reason names the person's file, never nixpkgs'
// or home-manager's own, and the hint keeps the whole message.
func TestDiagnoseModuleErrors(t *testing.T) {
	want := map[string]struct{ reason, detail string }{
		"type-error.log": {"evaluation error in nixboard/answers.nix: A definition for option `homeBase.enableTmux' is not of type `boolean'.",
			"- In `nixboard/answers.nix': \"yes\""},
		"no-option.log": {"evaluation error in typo.nix: The option `programs.gti' does not exist.",
			"Did you mean `programs.git'?"},
		"removed-package.log": {"", "'wslu' has been removed because the project has been discontinued"},
	}
	for _, version := range []string{"nix-2.8", "nix-2.26"} {
		for name, w := range want {
			t.Run(version+"/"+name, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join("testdata", "logs", "module-errors", version, name))
				if err != nil {
					t.Fatal(err)
				}
				s, _ := newTestState(Limits{})
				feedAll(s, string(data))
				d := DiagnoseReplay(s)
				reason := w.reason
				if name == "removed-package.log" {
					// Nix 2.8 prints no trace without --show-trace, so it
					// cannot say where; 2.26 names the definition's file.
					reason = "'wslu' has been removed because the project has been discontinued"
					if version == "nix-2.26" {
						reason = "evaluation error in nixboard/base.nix: " + reason
					}
				}
				if d.OK || d.Reason != reason {
					t.Fatalf("reason %q, want %q", d.Reason, reason)
				}
				var all string
				for _, h := range d.Hints {
					all += h.Title + "\n" + h.Detail + "\n"
				}
				if !strings.Contains(all, w.detail) || strings.Contains(all, "/nix/store/") {
					t.Errorf("hints lack %q or name the store:\n%s", w.detail, all)
				}
			})
		}
	}
}

// TestDiagnoseDaemonWarnings: through a nix-daemon, the daemon's warnings
// reach the client at level 0 (captured from Nix 2.26 with a daemon and an
// unsigned cache). They are warnings, and a run that went on to the end of
// its activation succeeded.
func TestDiagnoseDaemonWarnings(t *testing.T) {
	warning := `@nix {"action":"msg","level":0,"msg":"\u001b[35;1mwarning:\u001b[0m ignoring substitute for '/nix/store/ylbbmza3212baijyzw3wklg71d61py06-fixture-dl-1.0' from 'http://127.0.0.1:8765', as it's not signed by any of the keys in 'trusted-public-keys'"}`
	s, _ := newTestState(Limits{})
	feedAll(s, warning+"\n"+activationOK)
	if errs, warns := s.Messages(LvlError), s.Messages(LvlWarn); len(errs) != 0 || len(warns) != 1 {
		t.Errorf("errors %v, warnings %v: a daemon's warning is a warning", errs, warns)
	}
	if d := DiagnoseReplay(s); !d.OK {
		t.Errorf("replay of a successful switch through a daemon: %+v", d)
	}
	// A failed run through the daemon: the warning is no reason.
	s, _ = newTestState(Limits{})
	feedAll(s, warning+"\n"+`@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m undefined variable 'pkgz'\n       at /nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/home.nix:3:5:"}`)
	if d := Diagnose(s, errors.New("exit status 1")); d.Reason != "evaluation error at home.nix:3: undefined variable 'pkgz'" || len(d.Hints) != 1 {
		t.Errorf("diagnosis %+v", d)
	}
}

// TestDiagnoseMissingNarFallback: a substitute whose NAR is missing from the
// cache is an error message, then nix builds the path itself and the switch
// succeeds (captured from Nix 2.26, single-user). A capture without an exit
// status that reaches the end of its activation succeeded.
func TestDiagnoseMissingNarFallback(t *testing.T) {
	missing := `@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m file '\u001b[35;1mnar/0qkdfhlkvd6q1d89mqk26k1r7zvmmiin3p3p7qr43c7iwsv1wka4.nar.xz\u001b[0m' does not exist in binary cache '\u001b[35;1mhttp://127.0.0.1:8765\u001b[0m'"}`
	s, _ := newTestState(Limits{})
	feedAll(s, missing+"\n"+activationOK)
	if d := DiagnoseReplay(s); !d.OK {
		t.Errorf("replay: %+v", d)
	}
	if d := Diagnose(s, nil); !d.OK {
		t.Errorf("live run that exited 0: %+v", d)
	}
	// The same capture cut before the activation's end failed, and says why.
	s, _ = newTestState(Limits{})
	feedAll(s, missing+"\nStarting Home Manager activation\nActivating checkLinkTargets\n")
	if d := DiagnoseReplay(s); d.OK || !strings.Contains(d.Reason, "does not exist in binary cache") {
		t.Errorf("cut replay: %+v", d)
	}
}

// TestDiagnoseMovedAside: a successful switch says which files it moved
// aside and where, as the person knows the paths.
func TestDiagnoseMovedAside(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, activationOK)
	d := Diagnose(s, nil)
	if !d.OK || len(d.Hints) != 1 {
		t.Fatalf("diagnosis %+v", d)
	}
	h := d.Hints[0]
	if h.Title != "2 existing files were moved aside" ||
		!strings.HasPrefix(h.Detail, "~/.bashrc → ~/.bashrc.nixboard-backup\n~/.config/git/config → ~/.config/git/config.nixboard-backup\n") {
		t.Errorf("hint %+v", h)
	}
	if a := s.Activation(); len(a.MovedAside) != 2 || a.MovedAside[0] != (Moved{"/home/alice/.bashrc", "/home/alice/.bashrc.nixboard-backup"}) || a.Home != "/home/alice" {
		t.Errorf("activation %+v", a)
	}
}

// TestDiagnoseUnfreeKeepsAllowed: the predicate the hint gives replaces the
// flake's own, so it lists what the answers already allow.
func TestDiagnoseUnfreeKeepsAllowed(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m Refusing to evaluate package 'vscode-1.104.0' in /nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/pkgs/applications/editors/vscode/vscode.nix:75 because it has an unfree license (‘unfree’)"}`)
	d := DiagnoseWith(s, errors.New("exit status 1"), Context{UnfreeAllowed: []string{"claude-code"}})
	want := `nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ "claude-code" "vscode" ];`
	if d.Reason != "vscode is unfree and not allowed" || !strings.Contains(d.Hints[0].Detail, want) || !strings.Contains(d.Hints[0].Detail, "already allow claude-code") {
		t.Errorf("diagnosis %+v", d)
	}
}

// TestDiagnoseEvalWarnings: home-manager traces its warnings at the error
// level ("trace: warning: ...", here the release check's, from a real switch
// with home-manager 26.05 over a 26.11 nixpkgs library). They are warnings;
// the switch succeeded and says what it warned about, once.
func TestDiagnoseEvalWarnings(t *testing.T) {
	trace := `@nix {"action":"msg","level":0,"msg":"trace: \u001b[1;31mwarning: You are using\n\n  Home Manager version 26.05 and\n  Nixpkgs version 26.11.\n\nUsing mismatched versions is likely to cause errors and unexpected\nbehavior.\n\u001b[0m"}`
	s, _ := newTestState(Limits{})
	feedAll(s, trace+"\n"+trace+"\n"+activationOK)
	if errs := s.Messages(LvlError); len(errs) != 0 {
		t.Errorf("errors %v: a traced warning is a warning", errs)
	}
	d := DiagnoseReplay(s)
	if !d.OK || len(d.Hints) != 2 || d.Hints[0].Title != "home-manager warned: You are using" ||
		!strings.Contains(d.Hints[0].Detail, "Home Manager version 26.05 and\n  Nixpkgs version 26.11.") ||
		strings.Count(d.Hints[0].Detail, "You are using") != 1 {
		t.Errorf("diagnosis %+v", d)
	}
}

// TestDiagnoseUnfreeAllowedButRefused: the answers allow claude-code, and
// nixpkgs refused it anyway: a nixpkgs.config in home.nix replaced the
// flake's (seen with the real home-manager).
func TestDiagnoseUnfreeAllowedButRefused(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m Refusing to evaluate package 'claude-code-2.1.0' in /nix/store/q70zm03zq1zynnxxc706yb5nb0zysjd0-source/pkgs/by-name/cl/claude-code/package.nix:192 because it has an unfree license (‘unfree’)"}`)
	d := DiagnoseWith(s, errors.New("exit status 1"), Context{UnfreeAllowed: []string{"claude-code"}})
	if d.Reason != "claude-code is allowed by your answers, but a nixpkgs.config in home.nix replaced the flake's" ||
		!strings.Contains(d.Hints[0].Detail, `[ "claude-code" ]`) {
		t.Errorf("diagnosis %+v", d)
	}
}

func TestClobberHintCounts(t *testing.T) {
	_, hints := clobberHints([]Clobber{{Path: "/home/alice/.profile"}}, nil)
	if len(hints) != 1 || hints[0].Title != "1 existing file would be clobbered" {
		t.Errorf("hints %+v", hints)
	}
	_, hints = clobberHints([]Clobber{{Path: "/h/.bashrc.b", BackupOf: "/h/.bashrc"}}, nil)
	if len(hints) != 1 || hints[0].Title != "1 file could not be backed up: an older backup is in the way" {
		t.Errorf("hints %+v", hints)
	}
}
