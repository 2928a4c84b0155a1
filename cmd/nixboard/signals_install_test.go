package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/switchtest"
)

// stuckCurl prints a fake installer that never ends and will not be
// interrupted: it ignores SIGINT, and so does the child it starts with
// setsid (out of the installer's process group, as nix's builders leave
// nix's). Once both run, the child writes both pids into the fifo
// $FAKE_FIFO: the event the test waits for.
const stuckCurl = `#!/bin/sh
cat <<'SCRIPT'
trap '' INT
echo "fake installer: waiting"
setsid /bin/sh -c 'trap "" INT; echo "$0 $$" > "$FAKE_FIFO"; exec sleep 600' $$ &
while :; do sleep 1; done
SCRIPT
`

// trustingSudo accepts `sudo -v` at once and runs anything else as is.
const trustingSudo = `#!/bin/sh
case "$1" in -v|-n) exit 0 ;; esac
exec "$@"
`

// TestWizardStopSignalsWhileInstalling sends SIGTERM and SIGHUP to a real
// nixboard wizard on a terminal while its (fake) installer runs, a
// pipeline that ignores SIGINT with a child that left its process group:
// nixboard exits with 128+signal only once both are gone, as `nixboard
// switch` does with nix (TestStopSignals' wizard mode covers the switch).
func TestWizardStopSignalsWhileInstalling(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(signalName(sig), func(t *testing.T) {
			t.Parallel()
			checkInstallerStop(t, sig)
		})
	}
}

func checkInstallerStop(t *testing.T, sig syscall.Signal) {
	bin, home := t.TempDir(), t.TempDir()
	for name, text := range map[string]string{"curl": stuckCurl, "sudo": trustingSudo} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range []string{"sh", "cat", "chmod", "uname", "id", "hostname", "df", "git", "setsid", "sleep"} {
		if p, err := lookTool(tool); err == nil {
			os.Symlink(p, filepath.Join(bin, tool))
		} else if tool == "setsid" || tool == "sleep" {
			t.Skipf("%s not installed", tool)
		}
	}
	fifo := filepath.Join(t.TempDir(), "pids")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + bin, "HOME=" + home, "USER=alice", "LOGNAME=alice", "FAKE_FIFO=" + fifo}
	u, s := startInTmux(t, env, "--dir", filepath.Join(home, "hm"))

	// The pids arrive once the installer runs; nixboard exiting first
	// (or never getting there) unblocks the read through the cleanup.
	pids := make(chan string, 1)
	go func() {
		data, _ := os.ReadFile(fifo)
		pids <- strings.TrimSpace(string(data))
	}()
	t.Cleanup(func() {
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	s.waitFor("Nix is not installed. Press enter", 30*time.Second)
	s.keys("Enter")
	s.waitFor("enter run", 10*time.Second)
	s.keys("Enter")
	s.waitFor("[y/N]", 10*time.Second)
	s.keys("y")
	var got string
	select {
	case got = <-pids:
	case <-u.exited:
		t.Fatalf("nixboard exited before its installer ran:\n%s", s.screen())
	case <-time.After(exitDeadline):
		t.Fatalf("the installer did not start:\n%s", s.screen())
	}
	var procs []switchtest.Proc
	for _, f := range strings.Fields(got) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("pids %q: %v", got, err)
		}
		p, ok := switchtest.ProcOf(pid)
		if !ok {
			t.Fatalf("installer process %d is gone already", pid)
		}
		procs = append(procs, p)
		t.Cleanup(func() {
			if p.Alive() {
				syscall.Kill(p.Pid, syscall.SIGKILL)
			}
		})
	}
	if len(procs) != 2 {
		t.Fatalf("pids %q, want the installer's and its child's", got)
	}
	tree := switchtest.Tree(u.nixboard.Pid)
	if len(tree) == 0 {
		t.Fatal("nothing runs below nixboard while it installs: the checks below would prove nothing")
	}
	if err := syscall.Kill(u.nixboard.Pid, sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-u.exited:
	case <-time.After(exitDeadline):
		t.Fatalf("nixboard still runs %v after %s:\n%s", exitDeadline, signalName(sig), s.screen())
	}
	// nixboard exits only once they are gone: look right away.
	for _, p := range append(procs, tree...) {
		if p.Alive() {
			t.Errorf("%s: %v survived nixboard", signalName(sig), p)
		}
	}
	if want := fmt.Sprint(128 + int(sig)); u.status() != want {
		t.Errorf("exit status %q after %s, want %s; screen:\n%s", u.status(), signalName(sig), want, s.screen())
	}
}
