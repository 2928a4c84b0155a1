package proc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestInterruptKillsDescendantsOutsideTheGroup: a child that left the
// process group with setsid (as nix's builders do) and ignores SIGINT,
// under a parent that ignores SIGINT too, is still killed, and Wait
// returns only once it is gone.
func TestInterruptKillsDescendantsOutsideTheGroup(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid not installed")
	}
	t.Parallel()
	script := `trap '' INT; setsid /bin/sh -c 'trap "" INT; echo away $$; exec sleep 60' & while :; do sleep 1; done`
	away := make(chan int, 1)
	p, err := Start(context.Background(), Spec{
		Argv: []string{"/bin/sh", "-c", script},
		Env:  []string{"PATH=/usr/bin:/bin"},
		Lines: func(l Line) {
			if pid, ok := strings.CutPrefix(string(l.Text), "away "); ok {
				n, _ := strconv.Atoi(pid)
				away <- n
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	pid := <-away
	sleeper, ok := procStat(pid)
	if !ok {
		t.Fatalf("the setsid child %d is gone already", pid)
	}
	if sleeper.pgrp == p.Pid() {
		t.Fatalf("the setsid child is still in the group %d: the test proves nothing", p.Pid())
	}
	p.Interrupt()
	p.Wait()
	// Interrupt returns once what it killed has exited: no waiting here.
	if cur, ok := procStat(pid); ok && cur.start == sleeper.start {
		t.Errorf("the child outside the process group (pid %d) survived the interrupt", pid)
	}
}

// TestInterruptKillsTheGroupOfANotedLeader: a builder-like child that
// leads a group of its own (setsid) starts a process after the interrupt
// noted the tree, and then exits, so that process is an orphan: no longer
// below anything nixboard started, and in no group of nixboard's. It is in
// the group the noted child led, and goes with it; Wait returns once it is
// gone. (nix kills its builder's group when interrupted: a `sleep` the
// builder had just started was still exiting when the switch's Wait
// returned, and TestSwitchScreenCtrlC found it.)
func TestInterruptKillsTheGroupOfANotedLeader(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Fatal("setsid is not installed")
	}
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "go")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// The top shell says when SIGINT reached it (Interrupt has noted the
	// tree by then) and goes on, so the grace runs until Kill. The setsid
	// child waits for the fifo, starts the orphan-to-be and exits.
	script := `trap 'echo interrupted' INT; setsid /bin/sh -c 'trap "" INT; echo leader $$; read x < "$0"; sleep 600 & echo orphan $!; exit 0' "$0" & while :; do sleep 1; done`
	leader, orphan, interrupted := make(chan int, 1), make(chan int, 1), make(chan struct{}, 1)
	p, err := Start(context.Background(), Spec{
		Argv:  []string{"/bin/sh", "-c", script, fifo},
		Env:   []string{"PATH=/usr/bin:/bin"},
		Grace: time.Hour,
		Lines: func(l Line) {
			word, pid, _ := strings.Cut(string(l.Text), " ")
			n, _ := strconv.Atoi(pid)
			switch word {
			case "leader":
				leader <- n
			case "orphan":
				orphan <- n
			case "interrupted":
				select {
				case interrupted <- struct{}{}:
				default:
				}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	l := <-leader
	lfd, err := unix.PidfdOpen(l, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(lfd)
	stopped := make(chan struct{})
	go func() {
		p.Interrupt() // notes the tree (with the leader), SIGINT, the grace
		close(stopped)
	}()
	<-interrupted
	f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("go\n")
	f.Close()
	o := <-orphan
	// The leader exits: its pidfd becomes readable. The orphan is then
	// below nothing of the run's, in the group the leader led.
	if _, err := unix.Poll([]unix.PollFd{{Fd: int32(lfd), Events: unix.POLLIN}}, -1); err != nil {
		t.Fatal(err)
	}
	orphaned, ok := procStat(o)
	if !ok || orphaned.pgrp != l {
		t.Fatalf("the orphan %d: %+v %v, want it alive in group %d", o, orphaned, ok, l)
	}
	p.Kill()
	<-stopped
	p.Wait()
	if cur, ok := procStat(o); ok && cur.start == orphaned.start {
		t.Errorf("the orphan %d in the noted leader's group survived the interrupt", o)
		syscall.Kill(o, syscall.SIGKILL)
	}
}
