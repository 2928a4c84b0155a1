package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
)

// envMap turns a fixture's environment into runCLI's getenv map.
func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// savedLogs lists the logs nixboard saved under home.
func savedLogs(t *testing.T, home string) []string {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(home, ".local/state/nixboard/logs/switch-*.log"))
	return logs
}

func noEscapes(t *testing.T, out string) {
	t.Helper()
	if strings.ContainsRune(out, '\x1b') {
		t.Errorf("plain output contains an escape sequence:\n%q", out)
	}
}

var okLine = regexp.MustCompile(`(?m)^switch ok: built \d+, downloaded \d+ \(\d+\.\d MiB\) in \d+(\.\d)?s$`)

func TestSwitchPlainFixture(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testSwitchPlainFixture)
}

func testSwitchPlainFixture(t *testing.T, mode nixtest.Mode) {
	f := switchtest.New(t, switchtest.Config{Cache: true, Mode: mode})
	args := append([]string{"switch", "--plain", "--dir", f.Dir, "--"}, f.ExtraArgs...)
	code, out, errOut := runCLI(t, envMap(f.Env), args...)
	f.CheckMode(t)
	if code != 0 {
		t.Fatalf("switch exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	noEscapes(t, out)
	if !okLine.MatchString(out) {
		t.Errorf("no summary line in:\n%s", out)
	}
	if !strings.Contains(out, "downloaded 3 (") {
		t.Errorf("summary does not count the 3 downloads:\n%s", out)
	}
	if target, err := os.Readlink(filepath.Join(f.Home, ".bashrc")); err != nil || !strings.HasPrefix(target, "/nix/store/") {
		t.Errorf("~/.bashrc not linked: %q %v", target, err)
	}
	logs := savedLogs(t, f.Home)
	if len(logs) != 1 || !strings.Contains(out, "full log: "+logs[0]) {
		t.Fatalf("saved logs %v, output:\n%s", logs, out)
	}

	// The saved log replays to the same verdict, in either argument order.
	for _, args := range [][]string{{"replay", logs[0], "--plain", "--speed", "max"}, {"replay", "--plain", "--speed=max", logs[0]}} {
		code, rout, rerr := runCLI(t, nil, args...)
		if code != 0 || !okLine.MatchString(rout) {
			t.Errorf("%v exited %d:\n%s%s", args, code, rout, rerr)
		}
		noEscapes(t, rout)
	}

	// So does a plain capture: the same lines without nixboard's markers.
	data, _ := os.ReadFile(logs[0])
	var capture []string
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(l, "@nixboard ") {
			capture = append(capture, l)
		}
	}
	plainFile := filepath.Join(t.TempDir(), "capture.log")
	os.WriteFile(plainFile, []byte(strings.Join(capture, "\n")), 0o644)
	code, rout, rerr := runCLI(t, nil, "replay", "--speed", "max", "--plain", plainFile)
	if code != 0 || !okLine.MatchString(rout) {
		t.Errorf("replay of a plain capture exited %d:\n%s%s", code, rout, rerr)
	}
	// Cut before the activation finished, it is a failure.
	cut := filepath.Join(t.TempDir(), "cut.log")
	i := strings.Index(string(data), "Activating linkGeneration")
	os.WriteFile(cut, data[:i], 0o644)
	code, rout, _ = runCLI(t, nil, "replay", "--speed", "max", "--plain", cut)
	if code != 1 || !strings.Contains(rout, "switch failed: ") {
		t.Errorf("replay of a cut log exited %d:\n%s", code, rout)
	}
}

func TestSwitchPlainClobber(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testSwitchPlainClobber)
}

func testSwitchPlainClobber(t *testing.T, mode nixtest.Mode) {
	f := switchtest.New(t, switchtest.Config{InstallHomeManager: true, Mode: mode})
	bashrc := filepath.Join(f.Home, ".bashrc")
	os.WriteFile(bashrc, []byte("# skeleton\n"), 0o644)
	os.WriteFile(bashrc+"."+nixrun.DefaultBackupExt, []byte("# older backup\n"), 0o644)
	args := append([]string{"switch", "--dir", f.Dir, "--"}, f.ExtraArgs...)
	code, out, errOut := runCLI(t, envMap(f.Env), args...)
	f.CheckMode(t)
	if code != 1 {
		t.Fatalf("switch exited %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	noEscapes(t, out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	summary := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "switch failed: ") {
			summary = i
		}
	}
	if summary < 0 {
		t.Fatalf("no failure line:\n%s", out)
	}
	rest := strings.Join(lines[summary:], "\n")
	if !strings.Contains(strings.ToLower(rest), "clobber") || !strings.Contains(rest, "hint: ") {
		t.Errorf("the failure and its hints do not explain the clobbered file:\n%s", out)
	}
	if !strings.Contains(rest, bashrc) {
		t.Errorf("the hints do not name %s:\n%s", bashrc, out)
	}
}

func TestSwitchUsageAndDryRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, _, errOut := runCLI(t, map[string]string{"HOME": dir, "PATH": "/usr/bin:/bin"}, "switch", "--bogus")
	if code != 2 {
		t.Errorf("switch --bogus exited %d, want 2 (%s)", code, errOut)
	}
	code, _, errOut = runCLI(t, map[string]string{"HOME": dir, "PATH": "/usr/bin:/bin"}, "switch", "--dir", dir)
	if code != 1 || !strings.Contains(errOut, "no flake.nix") {
		t.Errorf("switch of an empty dir exited %d: %s", code, errOut)
	}
	cfg := filepath.Join(dir, "cfg")
	switchtest.CopyDir(t, filepath.Join(switchtest.Testdata(), "fixture-config"), cfg)
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	os.WriteFile(filepath.Join(bin, "nix"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	env := map[string]string{"HOME": dir, "PATH": bin, "NIX_CONFIG": "max-jobs = 2"}
	code, out, errOut := runCLI(t, env, "switch", "--dry-run", "--dir", cfg, "--", "--show-trace")
	want := "'NIX_CONFIG=max-jobs = 2\nextra-experimental-features = nix-command flakes' " + bin + "/nix run " + cfg +
		"#home-manager --log-format internal-json -v -- switch --flake " + cfg + "#fixture@fixturebox -b nixboard-backup --log-format internal-json -v --show-trace\n"
	if code != 0 || out != want {
		t.Errorf("dry run exited %d:\n%q\nwant\n%q\n%s", code, out, want, errOut)
	}
}

func TestReplayUsage(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "x.log")
	os.WriteFile(file, []byte("Starting Home Manager activation\n"), 0o644)
	for _, args := range [][]string{
		{"replay"},
		{"replay", file, file},
		{"replay", file, "--speed", "0"},
		{"replay", "--speed", "fast", file},
		{"replay", "--nope", file},
	} {
		if code, _, errOut := runCLI(t, nil, args...); code != 2 {
			t.Errorf("%v exited %d, want 2 (%s)", args, code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, nil, "replay", "--plain", filepath.Join(t.TempDir(), "missing.log")); code != 1 {
		t.Errorf("replay of a missing file exited %d, want 1 (%s)", code, errOut)
	}
}

// TestReplayPlainProgressIsBounded replays the demo recording (4.6 s) at
// speed 3: plain mode prints at most one progress line a second (and the
// final one), then the summary.
func TestReplayPlainProgressIsBounded(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "demo.log")
	os.WriteFile(file, nixlog.DemoRecording(), 0o644)
	code, out, errOut := runCLI(t, nil, "replay", file, "--speed", "3")
	if code != 0 {
		t.Fatalf("replay exited %d: %s%s", code, out, errOut)
	}
	noEscapes(t, out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !okLine.MatchString(out) || !strings.HasPrefix(lines[len(lines)-1], "switch ok: built 5, downloaded 3 (0.3 MiB) in 4.6s") {
		t.Fatalf("output:\n%s", out)
	}
	// Phase changes and steps have lines of their own; progress (which
	// ends with the elapsed time after a comma) comes at most once a
	// second, and once more at the end.
	progressLine := regexp.MustCompile(`, \d+(\.\d)?s(, about \S+ left)?$`)
	var progress []string
	for _, l := range lines[:len(lines)-1] {
		if progressLine.MatchString(l) {
			progress = append(progress, l)
		}
	}
	if len(progress) < 1 || len(progress) > 4 {
		t.Errorf("%d progress lines in about 1.5s, want 1 to 4:\n%s", len(progress), out)
	}
}

// TestReplayNotALog: replay of a file that holds nothing nix or
// home-manager wrote says so, instead of judging a switch that was never
// in it; a directory is a usage error.
func TestReplayNotALog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# nixboard\n\nA terminal wizard.\n\n- one\n- two\n"), 0o644)
	code, out, errOut := runCLI(t, nil, "replay", "--plain", "--speed", "max", readme)
	if code != 1 || !strings.Contains(out, "this is not a nix log") || strings.Contains(out, "log ends before") || strings.Contains(out, "switch failed") {
		t.Errorf("replay of a README exited %d:\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, nil, "replay", "--plain", dir)
	if code != 2 || !strings.Contains(errOut, "directory") || strings.Contains(out+errOut, "switch failed") {
		t.Errorf("replay of a directory exited %d, want 2:\n%s%s", code, out, errOut)
	}
}
