package nixtest

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Mode is one of the two ways people run Nix, and the name of the subtest
// that runs in it.
type Mode string

const (
	// SingleUser runs nix directly on the store, as a single-user install
	// (or root) does.
	SingleUser Mode = "single-user"
	// ThroughDaemon runs nix as a client of a nix-daemon, as multi-user
	// installs (most people) do: the builds happen in the daemon, and the
	// daemon's messages reach the client's log.
	ThroughDaemon Mode = "daemon"
)

// Modes are the modes every switch test runs in.
var Modes = []Mode{SingleUser, ThroughDaemon}

// Env returns what a test adds to a nix command's environment to run it in
// mode m: nothing for SingleUser, the client side of a daemon that Daemon
// starts for the test for ThroughDaemon.
func (m Mode) Env(t testing.TB) []string {
	t.Helper()
	if m == ThroughDaemon {
		return Daemon(t)
	}
	return nil
}

// EachMode runs fn as a parallel subtest in every mode of Modes, named
// after the mode ("single-user", "daemon").
func EachMode(t *testing.T, fn func(t *testing.T, m Mode)) {
	t.Helper()
	for _, m := range Modes {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			fn(t, m)
		})
	}
}

// daemonDeadline bounds how long a test waits for its daemon to answer. It
// is generous, for a loaded machine: the wait ends as soon as the daemon
// answers.
const daemonDeadline = 60 * time.Second

// Daemon starts a nix-daemon (the one installed beside nix) for the test,
// on a socket of its own in t.TempDir(), with the offline configuration,
// and returns the environment its clients need: NIX_REMOTE=daemon and
// NIX_DAEMON_SOCKET_PATH (both understood by Nix 2.8 and 2.26). The daemon
// works on the same store as single-user nix (it needs root, as CI runs),
// and is stopped with everything it started when the test ends.
//
// The test makes the listening socket itself and hands it over the way
// systemd's socket activation does (LISTEN_FDS), so clients can connect as
// soon as Daemon returns; Daemon still waits for the daemon to answer a
// `nix store ping`, so a daemon that cannot work fails here, not in the
// middle of a switch. Without nix-daemon the test is skipped, or fails
// under CI=true; a daemon that does not start always fails it.
func Daemon(t testing.TB) []string {
	t.Helper()
	client, _ := startDaemon(t)
	return client
}

// startDaemon is Daemon, and also returns the daemon's pid, which is its
// process group.
func startDaemon(t testing.TB) ([]string, int) {
	t.Helper()
	nix := Require(t)
	daemon := filepath.Join(filepath.Dir(nix), "nix-daemon")
	if _, err := os.Stat(daemon); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nix-daemon is required in CI beside %s: %v", nix, err)
		}
		t.Skipf("no nix-daemon beside %s: %v", nix, err)
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the daemon tests run as root in CI: nix-daemon needs to own the store")
		}
		t.Skip("the daemon tests need root: nix-daemon must own the store")
	}
	dir := t.TempDir()
	socket := filepath.Join(dir, "socket")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: socket, Net: "unix"})
	if err != nil {
		t.Fatalf("nix-daemon socket: %v", err)
	}
	// The daemon removes nothing it did not create; the listener must not
	// unlink the socket when it is closed below.
	ln.SetUnlinkOnClose(false)
	lf, err := ln.File()
	ln.Close()
	if err != nil {
		t.Fatalf("nix-daemon socket: %v", err)
	}
	defer lf.Close()

	logPath := filepath.Join(dir, "daemon.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	// sh sets LISTEN_PID to its own pid and execs the daemon in place, so
	// the daemon finds its own pid there, as socket activation requires.
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ exec "$0"`, daemon)
	cmd.Env = append(Env(), "LISTEN_FDS=1", "NIX_DAEMON_SOCKET_PATH="+socket)
	cmd.ExtraFiles = []*os.File{lf} // fd 3, SD_LISTEN_FDS_START
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// A process group of its own: the daemon forks a worker per client,
	// and the cleanup stops them all.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", daemon, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() { stopDaemon(t, cmd.Process.Pid, exited, logPath) })

	client := []string{"NIX_REMOTE=daemon", "NIX_DAEMON_SOCKET_PATH=" + socket}
	ctx, cancel := context.WithTimeout(context.Background(), daemonDeadline)
	defer cancel()
	ping := exec.CommandContext(ctx, nix, "store", "ping")
	ping.Env = append(Env(), client...)
	out, err := ping.CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(logPath)
		t.Fatalf("nix-daemon on %s does not answer: nix store ping: %v\n%s\ndaemon log:\n%s", socket, err, out, log)
	}
	if !bytes.Contains(out, []byte("daemon")) {
		t.Fatalf("nix store ping did not go through a daemon:\n%s", out)
	}
	return client, cmd.Process.Pid
}

// DaemonClients counts the clients the daemon of env (a Daemon's client
// environment) has accepted so far, from the daemon's log: a test compares
// two counts to prove that something ran through the daemon rather than on
// the store directly. It is 0 for an environment without a test daemon.
func DaemonClients(env []string) int {
	socket := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "NIX_DAEMON_SOCKET_PATH="); ok {
			socket = v
		}
	}
	if socket == "" {
		return 0
	}
	log, _ := os.ReadFile(filepath.Join(filepath.Dir(socket), "daemon.log"))
	return bytes.Count(log, []byte("accepted connection from"))
}

// stopDaemon ends the daemon and its workers. The daemon forks a worker
// per client, each in a session of its own, so the daemon's process group
// does not hold them: they are found as its children and killed first
// (their builders die with them: Nix starts builders with a parent-death
// signal), then the daemon gets SIGTERM (SIGKILL if it ignores it) and is
// reaped. A worker still there then is an error.
func stopDaemon(t testing.TB, pid int, exited <-chan struct{}, logPath string) {
	workers := children(pid)
	// A pidfd of each worker, opened while the daemon has not reaped it
	// (its pid cannot be another process's yet), says when it is gone.
	pidfds := make([]int, len(workers))
	for i, w := range workers {
		fd, err := unix.PidfdOpen(w, 0)
		if err != nil {
			if !errors.Is(err, unix.ESRCH) { // ESRCH: gone already
				t.Errorf("nix-daemon worker %d: pidfd_open: %v (Linux 5.3 or later is needed)", w, err)
			}
			fd = -1
		}
		pidfds[i] = fd
	}
	for _, w := range workers {
		syscall.Kill(-w, syscall.SIGKILL)
		syscall.Kill(w, syscall.SIGKILL)
	}
	syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(time.Minute):
		// Generous: a loaded machine (two cores, other tests' builds)
		// must not make a daemon that does exit look like one that
		// ignores the signal.
		t.Errorf("nix-daemon (pid %d) ignored SIGTERM for a minute; killing it", pid)
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	<-exited
	for i, w := range workers {
		if !gone(pidfds[i], 10*time.Second) {
			t.Errorf("nix-daemon worker %d survived SIGKILL", w)
		}
	}
	if t.Failed() {
		if log, _ := os.ReadFile(logPath); len(strings.TrimSpace(string(log))) > 0 {
			t.Logf("nix-daemon log:\n%s", log)
		}
	}
}

// children lists the live processes whose parent is pid, from /proc.
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if state, ppid, ok := procStat(child); ok && state != "Z" && ppid == pid {
			out = append(out, child)
		}
	}
	return out
}

// procStat reads a process's state and parent from /proc/PID/stat.
func procStat(pid int) (state string, ppid int, ok bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, false
	}
	// The fields after the ")" that ends the command name: state ppid ...
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(fields) < 2 {
		return "", 0, false
	}
	ppid, err = strconv.Atoi(fields[1])
	return fields[0], ppid, err == nil
}

// gone waits, up to timeout, for the process of pidfd to end, and closes
// pidfd (-1 is a process that was gone already). A pidfd becomes readable
// when its process exits, whether or not it is our child: the wait ends
// at that event.
func gone(pidfd int, timeout time.Duration) bool {
	if pidfd < 0 {
		return true
	}
	defer unix.Close(pidfd)
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}, int(left.Milliseconds())+1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return false
		}
		if n > 0 {
			return true
		}
	}
}
