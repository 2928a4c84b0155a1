package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/detect/detecttest"
	"github.com/nixboard/nixboard/flakegen"
)

// schema is the doctor --json schema the README documents: every object
// key, by path.
var schema = map[string][]string{
	"":            {"platform", "nix", "homeManager", "git", "user", "disk", "defaults", "checks"},
	"platform":    {"kind", "arch", "system", "distro", "wsl", "rosetta", "container", "systemd", "genericLinux"},
	"distro":      {"id", "version", "name"},
	"nix":         {"installed", "version", "path", "onPath", "install", "daemon", "flakes", "nixCommand", "determinateVersion"},
	"homeManager": {"installed", "version", "configDir", "managedByNixboard", "flake", "profileDir"},
	"git":         {"installed", "name", "email"},
	"user":        {"name", "home", "hostname", "shell", "editor"},
	"disk":        {"path", "freeBytes"},
	"check":       {"id", "status", "message", "fix"},
}

func hasKeys(t *testing.T, where string, obj map[string]any, keys []string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s: key %q missing (have %v)", where, k, sortedKeys(obj))
		}
	}
}

func sortedKeys(obj map[string]any) []string {
	var out []string
	for k := range obj {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestDoctorJSON(t *testing.T) {
	for name, want := range map[string]struct {
		code int
		kind string
		wsl  bool
	}{
		"wsl2-ubuntu-systemd": {0, "wsl", true},
		"wsl1-ubuntu":         {1, "wsl", true},
		"nixos-wsl":           {0, "nixos-wsl", true},
		"darwin-arm64":        {0, "darwin", false},
		"darwin-rosetta":      {1, "darwin", false},
		"docker-ubuntu":       {1, "linux", false},
		"nix-not-on-path":     {1, "linux", false},
		"daemon-down":         {1, "linux", false},
		"flakes-off":          {0, "linux", false},
		"debian-nix-bin":      {1, "linux", false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, detecttest.Env(t, name), "doctor", "--json")
			if code != want.code {
				t.Errorf("exit %d, want %d; stderr %s", code, want.code, errOut)
			}
			var obj map[string]any
			dec := json.NewDecoder(strings.NewReader(out))
			if err := dec.Decode(&obj); err != nil || dec.More() {
				t.Fatalf("stdout is not one JSON object (%v): %s", err, out)
			}
			hasKeys(t, "report", obj, schema[""])
			p := obj["platform"].(map[string]any)
			hasKeys(t, "platform", p, schema["platform"])
			hasKeys(t, "platform.distro", p["distro"].(map[string]any), schema["distro"])
			if p["kind"] != want.kind {
				t.Errorf("platform.kind = %v, want %s", p["kind"], want.kind)
			}
			if w, ok := p["wsl"].(map[string]any); ok != want.wsl {
				t.Errorf("platform.wsl = %v", p["wsl"])
			} else if ok {
				hasKeys(t, "platform.wsl", w, []string{"version", "systemd", "systemdConfigured"})
			}
			for _, k := range []string{"nix", "homeManager", "git", "user", "disk"} {
				hasKeys(t, k, obj[k].(map[string]any), schema[k])
			}
			for i, c := range obj["checks"].([]any) {
				hasKeys(t, fmt.Sprintf("checks[%d]", i), c.(map[string]any), schema["check"])
			}
			// defaults is an answers object as the render command accepts it.
			d, _ := json.Marshal(obj["defaults"])
			if _, err := flakegen.Parse(d); err != nil {
				t.Errorf("defaults is not an answers file: %v\n%s", err, d)
			}
			if errOut != "" {
				t.Errorf("stderr: %s", errOut)
			}
		})
	}
}

func TestDoctorText(t *testing.T) {
	env := detecttest.Env(t, "nix-not-on-path")
	run := func(tty bool, noColor string) (int, string) {
		env := maps.Clone(env)
		env["NO_COLOR"] = noColor
		var out, errOut bytes.Buffer
		st := &stdio{in: strings.NewReader(""), out: &out, err: &errOut, getenv: func(k string) string { return env[k] }, outTTY: tty}
		return run(context.Background(), st, []string{"doctor"}), out.String()
	}
	for _, tc := range []struct {
		name    string
		tty     bool
		noColor string
		escapes bool
	}{
		{"pipe", false, "", false},
		{"terminal", true, "", true},
		{"terminal with NO_COLOR", true, "1", false},
	} {
		code, out := run(tc.tty, tc.noColor)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1 (nix.path fails)", tc.name, code)
		}
		if strings.Contains(out, "\x1b[") != tc.escapes {
			t.Errorf("%s: escapes = %v, want %v:\n%s", tc.name, !tc.escapes, tc.escapes, out)
		}
		for _, want := range []string{"nix.path", ". /nix/var/nix/profiles/default/etc/profile.d/nix-daemon.sh", "Ubuntu 24.04.1 LTS"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, want, out)
			}
		}
	}
}

func TestDoctorUsage(t *testing.T) {
	fixture := detecttest.Env(t, "wsl2-alpine")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		msg  string
	}{
		{"extra argument", fixture, []string{"doctor", "now"}, 2, "no arguments"},
		{"unknown flag", fixture, []string{"doctor", "--colour"}, 2, "colour"},
		{"bad timeout", fixture, []string{"doctor", "--timeout", "0s"}, 2, "--timeout"},
		{"missing root", map[string]string{"NIXBOARD_ROOT": "/no/such/machine"}, []string{"doctor"}, 2, "NIXBOARD_ROOT"},
		{"unknown GOOS", map[string]string{"NIXBOARD_GOOS": "plan9"}, []string{"doctor", "--json"}, 2, "NIXBOARD_GOOS"},
		{"unknown demo", nil, []string{"doctor", "--demo", "beos"}, 2, "wsl-ubuntu"},
	} {
		code, out, errOut := runCLI(t, tc.env, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.name, code, errOut, tc.code, tc.msg)
		}
		if tc.code == 2 && out != "" {
			t.Errorf("%s: stdout %q, want nothing", tc.name, out)
		}
	}
	// Help is what was asked for: it goes to stdout.
	if code, out, _ := runCLI(t, nil, "doctor", "--help"); code != 0 || !strings.Contains(out, "--json") {
		t.Errorf("doctor --help: exit %d, stdout %q; want 0 and --json", code, out)
	}
}

func TestDoctorDemo(t *testing.T) {
	for _, name := range detect.DemoNames() {
		code, out, _ := runCLI(t, nil, "doctor", "--json", "--demo", name)
		var r detect.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := map[bool]int{true: 1, false: 0}[r.Failed()]; code != want {
			t.Errorf("%s: exit %d, want %d", name, code, want)
		}
	}
}

// TestDoctorHangingNix checks that a nix that never answers makes doctor
// warn, not hang.
func TestDoctorHangingNix(t *testing.T) {
	t.Parallel()
	start := time.Now()
	code, out, _ := runCLI(t, detecttest.Env(t, "nix-hangs"), "doctor", "--json", "--timeout", "300ms")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("doctor took %s with a hanging nix", d)
	}
	var r detect.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Checks {
		if c.ID == "nix.version" && c.Status != detect.StatusWarn {
			t.Errorf("nix.version = %+v, want warn", c)
		}
	}
	if code != 0 {
		t.Errorf("exit %d, want 0: a hanging probe is a warning", code)
	}
}

// TestDoctorFixes runs `doctor --json` over machines whose fixes depend on
// how Nix got there: the nix-daemon that belongs to the detected nix, a
// distribution's units where systemd runs, no sudo for root, and the
// install advice where Nix is missing.
func TestDoctorFixes(t *testing.T) {
	tests := []struct {
		fixture string
		systemd bool
		check   string
		fix     string // the exact fix
	}{
		{"debian-nix-bin", false, "nix.daemon", "sh -c '/usr/bin/nix-daemon >/dev/null 2>&1 &'"},
		{"debian-nix-bin-systemd", true, "nix.daemon", "sudo systemctl enable --now nix-daemon.socket"},
		{"daemon-down", true, "nix.daemon", "sudo systemctl enable --now nix-daemon.socket nix-daemon.service"},
		{"ubuntu-nix-missing", true, "nix.installed", "curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix | sh -s -- install --no-confirm"},
		{"docker-ubuntu", false, "nix.installed", "curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix | sh -s -- install linux --init none --no-confirm"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			_, out, errOut := runCLI(t, detecttest.Env(t, tt.fixture), "doctor", "--json")
			var r detect.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("doctor --json: %v (stderr %s)", err, errOut)
			}
			if r.Platform.Systemd != tt.systemd {
				t.Errorf("platform.systemd = %v, want %v", r.Platform.Systemd, tt.systemd)
			}
			found := false
			for _, c := range r.Checks {
				if c.ID == tt.check {
					found = true
					if c.Fix != tt.fix {
						t.Errorf("%s fix = %q, want %q", tt.check, c.Fix, tt.fix)
					}
				}
			}
			if !found {
				t.Errorf("no %s check", tt.check)
			}
		})
	}
}

// TestDoctorWidth checks that the text report is laid out in COLUMNS
// columns when it goes to a pipe, and in 80 without it.
func TestDoctorWidth(t *testing.T) {
	widest := func(env map[string]string) int {
		t.Helper()
		_, out, errOut := runCLI(t, env, "doctor", "--demo", "linux-x86_64")
		if out == "" {
			t.Fatalf("no report; stderr %s", errOut)
		}
		w := 0
		for _, line := range strings.Split(out, "\n") {
			w = max(w, ansi.StringWidth(line))
		}
		return w
	}
	if w := widest(map[string]string{"COLUMNS": "60"}); w > 60 {
		t.Errorf("COLUMNS=60: a line is %d cells wide", w)
	}
	if w := widest(nil); w <= 60 || w > 80 {
		t.Errorf("without COLUMNS: the widest line is %d cells, want the 80-column layout", w)
	}
}
