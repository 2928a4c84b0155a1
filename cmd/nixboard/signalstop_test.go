package main

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixboard/nixboard/nixrun"
)

// TestSecondSignalKills: the first stop signal interrupts the runs (and
// ends the context with the signal as its cause); a second one kills them
// at once. The run here ignores SIGINT and its grace is an hour, so only
// the second signal can end it.
func TestSecondSignalKills(t *testing.T) {
	t.Parallel()
	runs := nixrun.NewRunSet()
	errOut := &lockedBuffer{}
	ctx, s := newSignalStop(runs, errOut)
	go s.loop()
	defer s.release()
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := nixrun.Start(ctx, nixrun.Plan{
		Argv:           []string{"/bin/sh", "-c", `trap '' INT; echo ready; read x < "$0"`, fifo},
		Env:            []string{"PATH=/usr/bin:/bin"},
		Dir:            t.TempDir(),
		LogDir:         t.TempDir(),
		InterruptGrace: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	for ready := false; !ready; {
		batch, err := r.Next()
		if err != nil {
			t.Fatalf("the run ended before it was ready: %v", err)
		}
		for _, l := range batch {
			ready = ready || string(l.Text) == "ready"
		}
	}
	s.ch <- syscall.SIGTERM
	<-ctx.Done()
	if sig, ok := stoppedBySignal(ctx); !ok || sig.sig != syscall.SIGTERM {
		t.Errorf("the context ended with %v, want the signal", context.Cause(ctx))
	}
	s.ch <- syscall.SIGTERM
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	runs.Close()
	if got := r.ExitStatus(); got != 128+int(syscall.SIGKILL) {
		t.Errorf("exit status %d, want %d: the second signal did not kill the run", got, 128+int(syscall.SIGKILL))
	}
	if !strings.Contains(errOut.String(), "SIGTERM again: killing the switch now") {
		t.Errorf("stderr: %q", errOut.String())
	}
}

// TestHeldInterruptIsSudos: while the terminal is handed to sudo, a
// SIGINT (ctrl+c at sudo's prompt, which reaches nixboard too) does not
// stop nixboard, also when it is read only after the hand-over ended; a
// SIGINT after that does.
func TestHeldInterruptIsSudos(t *testing.T) {
	t.Parallel()
	runs := nixrun.NewRunSet()
	ctx, s := newSignalStop(runs, &lockedBuffer{})
	go s.loop()
	defer s.release()
	release := s.holdInterrupt()
	s.ch <- syscall.SIGINT
	release()
	if err := ctx.Err(); err != nil {
		t.Fatalf("a SIGINT while sudo had the terminal stopped nixboard: %v", context.Cause(ctx))
	}
	s.ch <- syscall.SIGINT
	<-ctx.Done()
	if sig, ok := stoppedBySignal(ctx); !ok || sig.sig != syscall.SIGINT {
		t.Errorf("the context ended with %v", context.Cause(ctx))
	}
	runs.Close()
}
