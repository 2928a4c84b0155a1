package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
)

// tmuxSession runs a command in a detached tmux session of its own server.
type tmuxSession struct {
	t      *testing.T
	socket string
}

func newTmux(t *testing.T, w, h int, script string) *tmuxSession {
	t.Helper()
	nixtest.RequireTmux(t)
	b := make([]byte, 4)
	rand.Read(b)
	s := &tmuxSession{t: t, socket: "nixboard-test-" + hex.EncodeToString(b)}
	file := filepath.Join(t.TempDir(), "run.sh")
	// The screen is what these tests look at: CI and an agent's variables
	// in the test's own environment would make nixboard print plain lines.
	unset := "unset CI " + strings.Join(agentVars, " ") + "\n"
	os.WriteFile(file, []byte(unset+script), 0o755)
	s.tmux("new-session", "-d", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "-s", "t", "/bin/sh "+file)
	t.Cleanup(func() { exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", "t") }

// waitFor waits until the screen contains want and returns it.
func (s *tmuxSession) waitFor(want string, timeout time.Duration) string {
	s.t.Helper()
	return s.waitUntil(fmt.Sprintf("%q", want), timeout, func(scr string) bool { return strings.Contains(scr, want) })
}

// waitUntil waits until the screen satisfies ok (what names the wait in
// the failure) and returns it, looking again every 50ms until timeout.
func (s *tmuxSession) waitUntil(what string, timeout time.Duration, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := s.screen()
		if ok(scr) {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %s:\n%s", what, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// builtBinary is the nixboard binary the end-to-end tests run, built once
// per test binary into binDir (removed by TestMain).
var (
	binDir      string
	builtBinary = sync.OnceValues(func() (string, error) {
		bin := filepath.Join(binDir, "nixboard")
		out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("go build: %v\n%s", err, out)
		}
		return bin, nil
	})
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nixboard-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildNixboard returns the built binary, building it on first use.
func buildNixboard(t testing.TB) string {
	t.Helper()
	bin, err := builtBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func shq(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestSwitchScreenCtrlC runs the built nixboard on a terminal (tmux) against
// a fixture whose build sleeps: the screen shows the build, Ctrl-C asks
// first, y stops everything, and the terminal is handed back with the
// failure line on it.
func TestSwitchScreenCtrlC(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testSwitchScreenCtrlC)
}

func testSwitchScreenCtrlC(t *testing.T, mode nixtest.Mode) {
	bin := buildNixboard(t)
	marker := switchtest.NewMarker("nixboard-tmux")
	f := switchtest.New(t, switchtest.Config{InstallHomeManager: true, SleepSeconds: 60, Marker: marker, Mode: mode})
	var script strings.Builder
	script.WriteString("exec env -i" + fixtureEnvWords(f, "USER"))
	script.WriteString(" TERM=xterm-256color /bin/sh -c " + shq(shq(bin)+` switch --dir "$0" -- "$@"; echo EXIT=$?; sleep 60`) + " " + shq(f.Dir))
	for _, a := range f.ExtraArgs {
		script.WriteString(" " + shq(a))
	}
	script.WriteString("\n")
	s := newTmux(t, 80, 24, script.String())
	scr := s.waitFor("fixture: sleeping", 30*time.Second)
	if !strings.Contains(scr, "building") || !strings.Contains(scr, "home-manager-path") || !strings.Contains(scr, "ctrl+c stop") {
		t.Errorf("screen while building:\n%s", scr)
	}
	t.Logf("screen while building:\n%s", scr)
	s.tmux("send-keys", "-t", "t", "C-c")
	scr = s.waitFor("Stop the switch?", 5*time.Second)
	t.Logf("screen asking:\n%s", scr)
	if len(switchtest.Procs(-1, marker)) == 0 {
		t.Fatal("the build stopped before the answer")
	}
	s.tmux("send-keys", "-t", "t", "y")
	scr = s.waitFor("switch failed: interrupted", 10*time.Second)
	t.Logf("screen after the interrupt:\n%s", scr)
	// Single-user, the builder is nixboard's: the interrupt waited for it
	// before the screen judged the run. Through a daemon it is the
	// daemon's, which stops it once its client is gone, on its own time.
	left := switchtest.Procs(-1, marker)
	if mode == nixtest.ThroughDaemon {
		left = switchtest.AwaitGone(marker, time.Minute)
	}
	if len(left) > 0 {
		t.Errorf("the sleeping builder survived:\n%s", strings.Join(left, "\n"))
	}
	s.tmux("send-keys", "-t", "t", "q")
	scr = s.waitFor("EXIT=", 5*time.Second)
	if !strings.Contains(scr, "EXIT=1") || !strings.Contains(scr, "switch failed: interrupted") {
		t.Errorf("after quitting:\n%s", scr)
	}
	if strings.Contains(scr, "Running now") {
		t.Errorf("the terminal was not restored (the screen is still there):\n%s", scr)
	}
	f.CheckMode(t)
}

// fixtureEnvWords are the fixture's variables the built binary runs with
// under `env -i`, shell-quoted, each after a space: HOME, PATH, the offline
// NIX_CONFIG, the daemon's NIX_REMOTE and socket when the fixture runs
// through one, and the keys in extra.
func fixtureEnvWords(f *switchtest.Fixture, extra ...string) string {
	keep := append([]string{"HOME", "PATH", "NIX_CONFIG", "NIX_REMOTE", "NIX_DAEMON_SOCKET_PATH"}, extra...)
	var b strings.Builder
	for _, kv := range f.Env {
		if k, _, _ := strings.Cut(kv, "="); slices.Contains(keep, k) {
			b.WriteString(" " + shq(kv))
		}
	}
	return b.String()
}
