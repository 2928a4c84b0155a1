package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/detect/detecttest"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// fixtureBase is a FIXTURE team flake of baseopts' tests, with the nix
// arguments that put baseopts' FIXTURE nixpkgs and home-manager in place.
func fixtureBase(t *testing.T, team string) (string, []string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "baseopts", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	return "path:" + filepath.Join(dir, team), []string{
		"--override-input", "nixpkgs", "path:" + filepath.Join(dir, "fixture-nixpkgs"),
		"--override-input", "home-manager", "path:" + filepath.Join(dir, "fixture-home-manager"),
	}
}

func optionsEnv(t *testing.T) map[string]string {
	t.Helper()
	nixtest.Require(t)
	return map[string]string{"NIX_CONFIG": nixtest.OfflineConfig, "XDG_CACHE_HOME": t.TempDir(), "HOME": os.Getenv("HOME")}
}

func TestOptionsJSONReportsEachOption(t *testing.T) {
	base, args := fixtureBase(t, "team-full")
	code, out, errOut := runCLI(t, optionsEnv(t), append([]string{"options", "--base", base, "--platform", "darwin", "--system", "aarch64-darwin", "--json", "--"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var d baseopts.Declarations
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if d.Base != base || d.Platform != "darwin" || d.System != "aarch64-darwin" {
		t.Errorf("declarations of %s for %s %s", d.Base, d.Platform, d.System)
	}
	cases := []struct{ path, kind, def string }{
		{"homeBase.shell", "enum", `"zsh"`}, // the team's mkDefault on macOS
		{"homeBase.terminal.enable", "bool", `false`},
		{"homeBase.enableRust", "bool", `false`},
		{"homeBase.jobs", "int", `8`},
		{"homeBase.greeting", "not-asked", `null`},
	}
	for _, c := range cases {
		o, ok := d.Lookup(c.path)
		if !ok {
			t.Errorf("no %s in\n%s", c.path, out)
			continue
		}
		if string(o.Kind) != c.kind || string(o.Default) != c.def {
			t.Errorf("%s: %s %s, want %s %s", c.path, o.Kind, o.Default, c.kind, c.def)
		}
	}
	// The schema's field names, as the README documents them.
	for _, field := range []string{`"path": "homeBase.jobs"`, `"kind": "int"`, `"min": 1`, `"max": 64`, `"choices": [`, `"pattern": "[a-z]+-[0-9]+"`, `"why": "a function"`, `"nonEmpty": true`, `"elem": {`, `"revision": "sha256-`} {
		if !strings.Contains(out, field) {
			t.Errorf("JSON lacks %s", field)
		}
	}
}

func TestOptionsTableGroupsLikeTheWizard(t *testing.T) {
	base, args := fixtureBase(t, "team-full")
	code, out, errOut := runCLI(t, optionsEnv(t), append([]string{"options", "--base", base, "--platform", "linux", "--system", "x86_64-linux", "--"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Modules (on/off):\n  [x] enableTmux  tmux with the team's key bindings.\n  [ ] enableRust",
		"  terminal:\n    [x] enable  Terminal setup.",
		`  jobs (int 1..64) = 8  Parallel build jobs.`,
		`    signingKey (optional of string matching [0-9A-F]+) = null  Your GPG key id.`,
		"Not asked (they keep the module's default):\n  greeting: function that evaluates to a(n) string, a function",
		"  legacyFlag: boolean, hidden by its module (visible = false)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks\n%s\nin\n%s", want, out)
		}
	}
}

func TestOptionsBuiltinWithoutNix(t *testing.T) {
	// PATH "" : the built-in layer's questions need no nix.
	code, out, errOut := runCLI(t, map[string]string{"PATH": ""}, "options", "--platform", "darwin", "--system", "aarch64-darwin", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var d baseopts.Declarations
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(baseopts.Builtin("darwin", "aarch64-darwin"))
	got, _ := json.Marshal(d)
	if string(got) != string(want) {
		t.Errorf("options printed\n%s\nwant Builtin's\n%s", got, want)
	}
}

func TestOptionsErrors(t *testing.T) {
	env := optionsEnv(t)
	broken, args := fixtureBase(t, "team-broken")
	cases := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"bad platform", []string{"options", "--platform", "beos", "--system", "x86_64-linux"}, 2, `--platform "beos": use one of linux, wsl`},
		{"bad system", []string{"options", "--platform", "linux", "--system", "riscv-linux"}, 2, `--system "riscv-linux"`},
		{"bad release", []string{"options", "--platform", "linux", "--system", "x86_64-linux", "--release", "19.03"}, 2, `--release "19.03"`},
		{"argument", []string{"options", "--platform", "linux", "--system", "x86_64-linux", "extra"}, 2, `options takes no arguments before --, got "extra"`},
		{"nix args without base", []string{"options", "--platform", "linux", "--system", "x86_64-linux", "--", "--offline"}, 2, "need --base"},
		{"broken base", append([]string{"options", "--base", broken, "--platform", "linux", "--system", "x86_64-linux", "--"}, args...), 1, "base layer " + broken + ": evaluating homeManagerModules.base failed"},
		{"missing module", append([]string{"options", "--base", broken, "--module", "homeManagerModules.nope", "--platform", "linux", "--system", "x86_64-linux", "--"}, args...), 1, "has no homeManagerModules.nope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, env, c.args...)
			if code != c.code || !strings.Contains(errOut, c.says) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr\n%s\nwant exit %d saying %q", code, out, errOut, c.code, c.says)
			}
		})
	}
}

// Without --platform and --system, the machine's are detected: here a
// FIXTURE macOS machine (detect's testdata) and a WSL one.
func TestOptionsDetectsThePlatform(t *testing.T) {
	for _, c := range []struct{ machine, platform, system string }{
		{"darwin-arm64", "darwin", "aarch64-darwin"},
		{"wsl2-ubuntu-systemd", "wsl", "x86_64-linux"},
	} {
		t.Run(c.machine, func(t *testing.T) {
			env := detecttest.Env(t, c.machine)
			code, out, errOut := runCLI(t, env, "options", "--json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var d baseopts.Declarations
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatal(err)
			}
			if d.Platform != c.platform || d.System != c.system {
				t.Errorf("evaluated for %s %s, want %s %s", d.Platform, d.System, c.platform, c.system)
			}
		})
	}
}
