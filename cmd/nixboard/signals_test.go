package main

import (
	"bytes"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
)

// Deadlines of the signal tests. They are generous, for a loaded machine:
// every wait ends at its event (the build starting, nixboard exiting).
const (
	buildDeadline = 3 * time.Minute
	exitDeadline  = time.Minute
)

// stopSignalsTested are the signals that must stop nixboard the same way.
var stopSignalsTested = []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM}

// stopMode is one way nixboard runs, started until its switch (or replay)
// is under way.
type stopMode struct {
	name string
	// switches is set for the modes that run a real fixture switch; they
	// run single-user and through a nix-daemon.
	switches bool
	start    func(t *testing.T, mode nixtest.Mode) *underWay
}

// underWay is nixboard with its switch (or replay) under way.
type underWay struct {
	nixboard switchtest.Proc
	// builder is the fixture build waiting on its fifo (zero for a
	// replay), f the switch's fixture (nil for a replay).
	builder switchtest.Proc
	f       *switchtest.Fixture
	// exited is closed once nixboard exited; status then returns its exit
	// status.
	exited chan struct{}
	status func() string
	// output is what nixboard printed (the screen, in a terminal).
	output func() string
}

func stopModes() []stopMode {
	return []stopMode{
		{"screen", true, startScreenSwitch},
		{"plain", true, startPlainSwitch},
		{"wizard", true, startWizardSwitch},
		{"replay", false, startScreenReplay},
		{"replay-plain", false, startPlainReplay},
	}
}

// TestStopSignals sends each stop signal to nixboard's pid in each mode
// while a fixture build waits on a fifo that nothing writes to (so the
// build runs until it is stopped), and checks that nixboard exited with
// 128+signal only after every process of the switch was gone (nothing
// that ran below nixboard is alive when it exited, nor the build) and that
// the saved log ends with the exit marker. A replay has no process and no
// log: it must stop too.
func TestStopSignals(t *testing.T) {
	t.Parallel()
	for _, m := range stopModes() {
		for _, sig := range stopSignalsTested {
			t.Run(m.name+"/"+signalName(sig), func(t *testing.T) {
				t.Parallel()
				if !m.switches {
					checkStop(t, m.start(t, nixtest.SingleUser), sig)
					return
				}
				nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
					checkStop(t, m.start(t, mode), sig)
				})
			})
		}
	}
}

// checkStop sends sig to nixboard and checks what it left behind.
func checkStop(t *testing.T, u *underWay, sig syscall.Signal) {
	t.Helper()
	// What runs below nixboard now is the switch: nix, the fixture
	// home-manager and, single-user, the build itself (it called setsid,
	// but is still nix's child).
	tree := switchtest.Tree(u.nixboard.Pid)
	if u.f != nil {
		if len(tree) == 0 {
			t.Fatalf("nothing runs below nixboard while its switch builds: the checks below would prove nothing")
		}
		inTree := false
		for _, p := range tree {
			inTree = inTree || p.Pid == u.builder.Pid
		}
		if u.f.Mode == nixtest.SingleUser && !inTree {
			t.Fatalf("the waiting build (%v) is not below nixboard:\n%v", u.builder, tree)
		}
	}
	// A failing run must not leave the switch running on the machine.
	t.Cleanup(func() {
		for _, p := range append(tree, u.builder) {
			if p.Pid > 0 && p.Alive() {
				syscall.Kill(p.Pid, syscall.SIGKILL)
			}
		}
	})
	if err := syscall.Kill(u.nixboard.Pid, sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-u.exited:
	case <-time.After(exitDeadline):
		t.Fatalf("nixboard still runs %v after %s:\n%s", exitDeadline, signalName(sig), u.output())
	}
	// Nothing of the run may outlive nixboard: it exits only once they
	// are gone, so this looks right away, without waiting.
	for _, p := range tree {
		if p.Alive() {
			t.Errorf("%s: %v survived nixboard", signalName(sig), p)
		}
	}
	if want := strconv.Itoa(128 + int(sig)); u.status() != want {
		t.Errorf("exit status %q after %s, want %s; output:\n%s", u.status(), signalName(sig), want, u.output())
	}
	if u.f == nil {
		return
	}
	if u.f.Mode == nixtest.ThroughDaemon {
		// Through a daemon the build is the daemon's child: the daemon
		// stops it once its client, nix, is gone, after nixboard exited.
		if gone, err := u.builder.WaitGone(exitDeadline); err != nil {
			t.Error(err)
		} else if !gone {
			t.Errorf("the daemon's build %v still runs %v after nixboard exited", u.builder, exitDeadline)
		}
	} else if u.builder.Alive() {
		t.Errorf("the build %v survived nixboard", u.builder)
	}
	if left := switchtest.Procs(-1, u.f.WaitFifo); len(left) > 0 {
		t.Errorf("processes of the switch are left:\n%s", strings.Join(left, "\n"))
	}
	logs := savedLogs(t, u.f.Home)
	if len(logs) != 1 {
		t.Fatalf("saved logs: %v", logs)
	}
	data, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, `@nixboard {"action":"exit","status":`) {
		t.Errorf("the saved log ends with %q, not the exit marker", last)
	}
	u.f.CheckMode(t)
}

// switchEnv is the environment the built binary runs a fixture switch in:
// the fixture's variables (fixtureEnvWords) and user.
func switchEnv(f *switchtest.Fixture, userName string) []string {
	var env []string
	for _, kv := range f.Env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "HOME", "PATH", "NIX_CONFIG", "NIX_REMOTE", "NIX_DAEMON_SOCKET_PATH":
			env = append(env, kv)
		}
	}
	return append(env, "USER="+userName)
}

// lockedBuffer is an output buffer that the test reads while a process
// writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startChild starts the built binary as the test's child, without a
// terminal.
func startChild(t *testing.T, env []string, args ...string) *underWay {
	t.Helper()
	cmd := exec.Command(buildNixboard(t), args...)
	cmd.Env = env
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	u := &underWay{exited: make(chan struct{}), output: out.String}
	u.nixboard, _ = switchtest.ProcOf(cmd.Process.Pid)
	go func() {
		cmd.Wait()
		close(u.exited)
	}()
	u.status = func() string { return strconv.Itoa(cmd.ProcessState.ExitCode()) }
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-u.exited
	})
	return u
}

// startInTmux starts the built binary in a terminal (a tmux pane of its
// own); nixboard writes no pid file, so a shell writes its pid into a fifo
// before it becomes nixboard, and its exit status into another once
// nixboard exited. Opening a fifo blocks until the other side comes: the
// test waits for each write as an event.
func startInTmux(t *testing.T, env []string, args ...string) (*underWay, *tmuxSession) {
	t.Helper()
	bin := buildNixboard(t)
	pidFifo, status := filepath.Join(t.TempDir(), "pid"), statusFifo(t)
	if err := syscall.Mkfifo(pidFifo, 0o600); err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("env -i")
	for _, kv := range env {
		script.WriteString(" " + shq(kv))
	}
	script.WriteString(` TERM=xterm-256color /bin/sh -c 'echo $$ > "$0"; exec "$@"' ` + shq(pidFifo) + " " + shq(bin))
	for _, a := range args {
		script.WriteString(" " + shq(a))
	}
	script.WriteString("\necho $? > " + shq(status) + "\nsleep 600\n")
	s := newTmux(t, 100, 30, script.String())
	data, err := switchtest.ReadFifo(pidFifo, nil, exitDeadline)
	pid, perr := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || perr != nil {
		t.Fatalf("nixboard did not start in the terminal (pid %q, %v):\n%s", data, err, s.screen())
	}
	u := &underWay{exited: make(chan struct{}), output: s.screen}
	var ok bool
	if u.nixboard, ok = switchtest.ProcOf(pid); !ok {
		t.Fatalf("nixboard (pid %d) exited at once:\n%s", pid, s.screen())
	}
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		// nixboard is tmux's grandchild, not the test's: its pidfd says
		// when it exits (WaitGone). The test's end is looked at between
		// the waits.
		for {
			gone, err := u.nixboard.WaitGone(time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			if gone {
				close(u.exited)
				return
			}
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	u.status = sync.OnceValue(func() string {
		// The shell writes it right after nixboard exited.
		data, err := switchtest.ReadFifo(status, stop, exitDeadline)
		if err != nil {
			return err.Error()
		}
		return strings.TrimSpace(string(data))
	})
	return u, s
}

// awaitBuild waits until the fixture build waits on its fifo.
func (u *underWay) awaitBuild(t *testing.T, f *switchtest.Fixture) {
	t.Helper()
	u.f = f
	pid, err := f.ReadWaitFifo(u.exited, buildDeadline)
	if err != nil {
		t.Fatalf("%v; output:\n%s", err, u.output())
	}
	var ok bool
	if u.builder, ok = switchtest.ProcOf(pid); !ok {
		t.Fatalf("the waiting build (pid %d) is gone already", pid)
	}
}

func startPlainSwitch(t *testing.T, mode nixtest.Mode) *underWay {
	f := switchtest.New(t, switchtest.Config{InstallHomeManager: true, Wait: true, Mode: mode})
	u := startChild(t, switchEnv(f, "fixture"), append([]string{"switch", "--plain", "--dir", f.Dir, "--"}, f.ExtraArgs...)...)
	u.awaitBuild(t, f)
	return u
}

func startScreenSwitch(t *testing.T, mode nixtest.Mode) *underWay {
	f := switchtest.New(t, switchtest.Config{InstallHomeManager: true, Wait: true, Mode: mode})
	u, _ := startInTmux(t, switchEnv(f, "fixture"), append([]string{"switch", "--dir", f.Dir, "--"}, f.ExtraArgs...)...)
	u.awaitBuild(t, f)
	return u
}

// startWizardSwitch runs the wizard on a terminal with --answers --yes: it
// renders the configuration, writes it and switches with the flake's own
// home-manager (nix run), as for a person.
func startWizardSwitch(t *testing.T, mode nixtest.Mode) *underWay {
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	f, answers, dir := wizardSwitchFixtureWith(t, switchtest.Config{Mode: mode, Wait: true})
	u, s := startInTmux(t, switchEnv(f, me.Username), "--dir", dir, "--answers", answers, "--yes")
	built := make(chan error, 1)
	var pid int
	go func() {
		var err error
		pid, err = f.ReadWaitFifo(u.exited, buildDeadline)
		built <- err
	}()
	// Where detection finds problems, the welcome waits for enter, and
	// the switch asks before it starts (bookworm's Nix 2.8 is too old for
	// nixpkgs, not for the fixture): go on, and try anyway. Without
	// them, the wizard goes on by itself.
	entered, tried := false, false
	for {
		select {
		case err := <-built:
			if err != nil {
				t.Fatalf("%v; screen:\n%s", err, s.screen())
			}
			u.f = f
			var ok bool
			if u.builder, ok = switchtest.ProcOf(pid); !ok {
				t.Fatalf("the waiting build (pid %d) is gone already", pid)
			}
			return u
		case <-time.After(50 * time.Millisecond):
			scr := s.screen()
			if !entered && strings.Contains(scr, "Answers were given with --yes: press enter") {
				s.keys("Enter")
				entered = true
			}
			if !tried && strings.Contains(scr, "try anyway") {
				s.keys("t")
				tried = true
			}
		}
	}
}

// replayFifo makes a fifo, and once a replay opened it, writes one line of
// a switch into it and keeps it open, so the replay waits for more.
func replayFifo(t *testing.T) (path string, opened <-chan error) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "switch.log")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	ch := make(chan error, 1)
	go func() {
		w, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err == nil {
			t.Cleanup(func() { w.Close() })
			_, err = w.WriteString("Starting Home Manager activation\n")
		}
		ch <- err
	}()
	t.Cleanup(func() {
		// Unblocks the open above when no replay came.
		if r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			r.Close()
		}
	})
	return path, ch
}

func awaitOpened(t *testing.T, u *underWay, opened <-chan error) {
	t.Helper()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatal(err)
		}
	case <-u.exited:
		t.Fatalf("the replay ended before it read its fifo:\n%s", u.output())
	case <-time.After(exitDeadline):
		t.Fatalf("the replay did not open its fifo:\n%s", u.output())
	}
}

func startScreenReplay(t *testing.T, _ nixtest.Mode) *underWay {
	fifo, opened := replayFifo(t)
	u, s := startInTmux(t, []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}, "replay", fifo)
	awaitOpened(t, u, opened)
	s.waitFor("replay switch.log", exitDeadline)
	return u
}

func startPlainReplay(t *testing.T, _ nixtest.Mode) *underWay {
	fifo, opened := replayFifo(t)
	u := startChild(t, []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}, "replay", "--plain", fifo)
	awaitOpened(t, u, opened)
	return u
}

// TestReplayPlainStopsOnEndlessInput: `replay --plain` of /dev/zero (one
// line that never ends, read as fast as it comes) stops on each stop
// signal. It used to read on at full speed for good.
func TestReplayPlainStopsOnEndlessInput(t *testing.T) {
	t.Parallel()
	for _, sig := range stopSignalsTested {
		t.Run(signalName(sig), func(t *testing.T) {
			t.Parallel()
			u := startChild(t, []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}, "replay", "--speed", "max", "--plain", "/dev/zero")
			// It reads once /dev/zero is open.
			deadline := time.Now().Add(exitDeadline)
			for !hasOpen(u.nixboard.Pid, "/dev/zero") {
				if time.Now().After(deadline) {
					t.Fatalf("nixboard never opened /dev/zero:\n%s", u.output())
				}
				time.Sleep(5 * time.Millisecond)
			}
			checkStop(t, u, sig)
			if out := u.output(); !strings.Contains(out, "switch failed: interrupted") {
				t.Errorf("output:\n%s", out)
			}
		})
	}
}

// hasOpen reports whether process pid has file open.
func hasOpen(pid int, file string) bool {
	fds, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "fd", "*"))
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil && target == file {
			return true
		}
	}
	return false
}

// TestBrokenOutputStopsTheSwitch: the reader of a plain switch's output
// goes away (`nixboard switch --plain | head -1`) while a build runs. The
// first write after that raises SIGPIPE, which stops nixboard like the
// other stop signals: the switch's processes end first, then nixboard
// exits 128+SIGPIPE. Uncaught, SIGPIPE killed nixboard at once and left
// the switch running.
func TestBrokenOutputStopsTheSwitch(t *testing.T) {
	t.Parallel()
	f := switchtest.New(t, switchtest.Config{InstallHomeManager: true, Wait: true})
	cmd := exec.Command(buildNixboard(t), append([]string{"switch", "--plain", "--dir", f.Dir, "--"}, f.ExtraArgs...)...)
	cmd.Env = switchEnv(f, "fixture")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	u := &underWay{exited: exited, output: stderr.String}
	u.awaitBuild(t, f)
	tree := switchtest.Tree(cmd.Process.Pid)
	if len(tree) == 0 {
		t.Fatal("nothing runs below nixboard while its switch builds")
	}
	// The reader goes away; the next progress line (at most a second
	// later, as the plain output writes) meets a closed pipe.
	r.Close()
	select {
	case <-exited:
	case <-time.After(exitDeadline):
		t.Fatalf("nixboard still runs %v after its output was closed:\n%s", exitDeadline, stderr.String())
	}
	for _, p := range append(tree, u.builder) {
		if p.Alive() {
			t.Errorf("%v survived nixboard", p)
		}
	}
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if code := cmd.ProcessState.ExitCode(); code != 128+int(syscall.SIGPIPE) {
		t.Errorf("exit status %d (signaled %v: %v), want %d; stderr:\n%s", code, ws.Signaled(), ws.Signal(), 128+int(syscall.SIGPIPE), stderr.String())
	}
}
