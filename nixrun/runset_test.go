package nixrun

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// blockedPlan is a plan whose process prints "ready" and then waits for a
// fifo that nothing writes to: it runs until it is stopped. With ignoreInt
// it ignores SIGINT, as a process busy cleaning up would.
func blockedPlan(t *testing.T, ignoreInt bool) Plan {
	t.Helper()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `echo ready; read x < "$0"`
	if ignoreInt {
		script = `trap '' INT; ` + script
	}
	return Plan{Argv: []string{"/bin/sh", "-c", script, fifo}, Env: []string{"PATH=/usr/bin:/bin"}, Dir: t.TempDir(), LogDir: t.TempDir()}
}

// awaitReady reads r until its "ready" line, then drains it in the
// background.
func awaitReady(t *testing.T, r *Run) {
	t.Helper()
	for ready := false; !ready; {
		batch, err := r.Next()
		if err != nil {
			t.Fatalf("the run ended before it was ready: %v", err)
		}
		for _, l := range batch {
			ready = ready || string(l.Text) == "ready"
		}
	}
	go func() {
		for {
			if _, err := r.Next(); err != nil {
				return
			}
		}
	}()
}

func endsWithExitMarker(t *testing.T, r *Run) {
	t.Helper()
	data, err := os.ReadFile(r.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if last := lines[len(lines)-1]; !bytes.HasPrefix(last, []byte(`@nixboard {"action":"exit"`)) {
		t.Errorf("the log ends with %q, not the exit marker", last)
	}
}

// TestKillEndsTheGrace: a run that ignores SIGINT is killed by Kill at
// once, although its grace is an hour: only Kill can end it here.
func TestKillEndsTheGrace(t *testing.T) {
	t.Parallel()
	p := blockedPlan(t, true)
	p.InterruptGrace = time.Hour
	r, err := Start(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	awaitReady(t, r)
	interrupted := make(chan struct{})
	go func() {
		r.Interrupt()
		close(interrupted)
	}()
	// Kill may come before or after Interrupt began: either way the run
	// ends now, and both return once it is over.
	r.Kill()
	<-interrupted
	if err := r.Wait(); err == nil {
		t.Error("a killed run exited 0")
	}
	if got := r.ExitStatus(); got != 128+int(syscall.SIGKILL) {
		t.Errorf("exit status %d, want %d (killed)", got, 128+int(syscall.SIGKILL))
	}
	if err := syscall.Kill(r.Pid(), 0); err == nil {
		t.Errorf("the process %d is still alive", r.Pid())
	}
	endsWithExitMarker(t, r)
}

// TestRunSetClose: Close interrupts every run of the set and returns once
// they are over; a set that is closed starts nothing.
func TestRunSetClose(t *testing.T) {
	t.Parallel()
	set := NewRunSet()
	ctx := WithRunSet(context.Background(), set)
	var runs []*Run
	for range 2 {
		r, err := Start(ctx, blockedPlan(t, false))
		if err != nil {
			t.Fatal(err)
		}
		awaitReady(t, r)
		runs = append(runs, r)
	}
	set.Close()
	for _, r := range runs {
		if r.ExitStatus() < 0 {
			t.Errorf("Close returned before run %d was over", r.Pid())
		}
		if !r.Interrupted() {
			t.Errorf("run %d was not interrupted", r.Pid())
		}
		endsWithExitMarker(t, r)
	}
	if _, err := Start(ctx, blockedPlan(t, false)); !errors.Is(err, ErrStopping) {
		t.Errorf("Start after Close: %v, want ErrStopping", err)
	}
}

// TestStartAfterCancel: a context that ended already starts nothing (a
// stop signal that came while the switch was being prepared).
func TestStartAfterCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := blockedPlan(t, false)
	if r, err := Start(ctx, p); err == nil {
		r.Interrupt()
		t.Fatal("Start with an ended context started the run")
	}
	if logs, _ := filepath.Glob(filepath.Join(p.LogDir, "*")); len(logs) != 0 {
		t.Errorf("a run that never started left logs: %v", logs)
	}
}
