package proc

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
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
