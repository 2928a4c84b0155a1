package nixrun_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
	"github.com/nixboard/nixboard/nixrun"
)

// TestInterruptLeavesNothingBehind cancels a switch while a fixture build
// sleeps and checks /proc: no process of the switch's process group and no
// process carrying the builder's marker may survive.
func TestInterruptLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testInterruptLeavesNothingBehind)
}

func testInterruptLeavesNothingBehind(t *testing.T, mode nixtest.Mode) {
	marker := switchtest.NewMarker("nixboard-interrupt")
	f := switchtest.New(t, switchtest.Config{InstallHomeManager: true, SleepSeconds: 60, Marker: marker, Mode: mode})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, _ := startSwitch(t, ctx, f)
	pgid := r.Pid()
	sleeping := false
	deadline := time.Now().Add(30 * time.Second)
	for !sleeping {
		batch, err := r.Next()
		if errors.Is(err, io.EOF) {
			log, _ := os.ReadFile(r.LogPath())
			t.Fatalf("switch ended before the sleeping build started:\n%s", log)
		}
		for _, l := range batch {
			sleeping = sleeping || bytes.Contains(l.Text, []byte("fixture: sleeping"))
		}
		if time.Now().After(deadline) {
			t.Fatal("the sleeping build did not start in 30s")
		}
	}
	// The builder runs in a session of its own (nix calls setsid), so it
	// is found by its marker, nix and the fixture script by their group.
	// It printed the line above itself, before its sleep: it runs now.
	builder := switchtest.Procs(-1, marker)
	if len(builder) == 0 || len(switchtest.Procs(pgid, "\x00never")) == 0 {
		t.Fatal("found no builder or no process in the group while the switch runs: the check below would prove nothing")
	}
	start := time.Now()
	cancel()
	go func() {
		for {
			if _, err := r.Next(); err != nil {
				return
			}
		}
	}()
	exitErr := r.Wait()
	took := time.Since(start)
	f.CheckMode(t)
	if exitErr == nil {
		t.Error("an interrupted switch exited 0")
	}
	if !r.Interrupted() {
		t.Error("Interrupted() = false after cancel")
	}
	// A guard against a hang, not a speed target: the grace and a
	// loaded machine's slowest kill fit in it many times over.
	if took > nixrun.InterruptGrace+2*time.Minute {
		t.Errorf("interrupt took %v", took)
	}
	t.Logf("interrupt took %v, exit status %d", took, r.ExitStatus())
	// Wait returned after the interrupt, which waits for every process it
	// killed: nothing of the switch's group may be left now.
	if left := switchtest.Procs(pgid, "\x00never"); len(left) > 0 {
		t.Errorf("processes of the switch survived the interrupt:\n%s", strings.Join(left, "\n"))
	}
	// The builder: single-user it was killed with the rest; through a
	// daemon, the daemon stops it when its client is gone, on its own
	// time. Wait for that event, with a deadline only against a hang.
	left := switchtest.AwaitGone(marker, time.Minute)
	if len(left) > 0 {
		t.Errorf("the builder survived the interrupt:\n%s", strings.Join(left, "\n"))
	}
	log, _ := os.ReadFile(r.LogPath())
	if !bytes.Contains(log, []byte(`"action":"exit"`)) {
		t.Errorf("the saved log of an interrupted run has no exit marker")
	}
}
