package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/nixboard/nixboard/nixrun"
)

// stopSignals end nixboard, all the same way: a hang-up (the terminal
// window closed, the SSH session ended), SIGTERM (kill, a service
// manager), and SIGINT sent as a signal (on a screen, Ctrl-C is a key and
// the screen asks first). The first one cancels the context every command
// runs under, which interrupts every process started under it through
// internal/proc (a switch, the wizard's installer, sudo on the terminal):
// SIGINT, a grace, then SIGKILL of all of it; Main then waits until no
// process of any of them is left before it returns. A second one kills
// what is left at once. SIGPIPE (the reader of nixboard's output went
// away: `nixboard switch --plain | head`) stops it the same way once;
// caught, it no longer kills nixboard on the spot with its processes left
// running, and the writes that follow fail instead of signalling again.
var stopSignals = []os.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE}

// stoppedBy is the cause of the context's end when a signal stopped
// nixboard.
type stoppedBy struct{ sig syscall.Signal }

func (s stoppedBy) Error() string { return "stopped by " + signalName(s.sig) }

// status is the shell's convention for a process ended by a signal.
func (s stoppedBy) status() int { return 128 + int(s.sig) }

// signalName is SIGHUP, SIGINT, SIGTERM (or the number of another).
func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGPIPE:
		return "SIGPIPE"
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// signalStop is the one signal path of nixboard.
type signalStop struct {
	ch     chan os.Signal
	cancel context.CancelCauseFunc
	runs   *nixrun.RunSet
	errOut io.Writer
	done   chan struct{}
	once   sync.Once

	// releases carries the end of a hold to the loop, which answers
	// once it has read the signals queued until then.
	releases chan chan struct{}

	mu sync.Mutex
	// held counts the terminal hand-overs in progress (holdInterrupt).
	held int
}

// catchStopSignals returns the context commands run under, which carries
// runs and ends at the first stop signal, and starts handling the signals.
func catchStopSignals(runs *nixrun.RunSet, errOut io.Writer) (context.Context, *signalStop) {
	ctx, s := newSignalStop(runs, errOut)
	signal.Notify(s.ch, stopSignals...)
	go s.loop()
	return ctx, s
}

// newSignalStop is catchStopSignals before any signal is caught: a test
// sends the signals into s.ch itself.
func newSignalStop(runs *nixrun.RunSet, errOut io.Writer) (context.Context, *signalStop) {
	ctx, cancel := context.WithCancelCause(nixrun.WithRunSet(context.Background(), runs))
	return ctx, &signalStop{ch: make(chan os.Signal, 4), cancel: cancel, runs: runs, errOut: errOut, done: make(chan struct{}), releases: make(chan chan struct{})}
}

func (s *signalStop) loop() {
	n := 0
	piped := false
	handle := func(sig os.Signal) {
		ss, _ := sig.(syscall.Signal)
		if ss == syscall.SIGINT && s.interruptHeld() {
			// The terminal's ctrl+c, meant for sudo, which has the
			// terminal: it cancels sudo alone.
			return
		}
		if ss == syscall.SIGPIPE {
			// Every write to the closed output raises another: only
			// the first is a request to stop, and never a second one.
			if piped {
				return
			}
			piped = true
		}
		n++
		if n == 1 {
			s.cancel(stoppedBy{ss})
			return
		}
		if n == 2 {
			fmt.Fprintf(s.errOut, "nixboard: %s again: killing the switch now\n", signalName(ss))
		}
		s.runs.Kill()
	}
	for {
		select {
		case <-s.done:
			return
		case sig := <-s.ch:
			handle(sig)
		case ack := <-s.releases:
			// A ctrl+c that sudo ended on may still be queued here:
			// it was the terminal's too.
			for drained := false; !drained; {
				select {
				case sig := <-s.ch:
					handle(sig)
				default:
					drained = true
				}
			}
			s.mu.Lock()
			s.held--
			s.mu.Unlock()
			close(ack)
		}
	}
}

// holdInterrupt makes SIGINT no stop signal until the returned function
// is called: while the wizard hands the terminal to sudo, ctrl+c there
// reaches every process in the foreground, nixboard included, and is
// meant for sudo (wizard.Deps.HoldInterrupt). SIGHUP and SIGTERM still
// stop nixboard.
func (s *signalStop) holdInterrupt() (release func()) {
	s.mu.Lock()
	s.held++
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			ack := make(chan struct{})
			select {
			case s.releases <- ack:
				<-ack
			case <-s.done:
				s.mu.Lock()
				s.held--
				s.mu.Unlock()
			}
		})
	}
}

func (s *signalStop) interruptHeld() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held > 0
}

// release stops handling the signals: from here on they act as they
// would on any program. Call it only once the runs are over.
func (s *signalStop) release() {
	s.once.Do(func() {
		signal.Stop(s.ch)
		close(s.done)
	})
}

// stoppedBySignal returns the signal that ended ctx, if one did.
func stoppedBySignal(ctx context.Context) (stoppedBy, bool) {
	s, ok := context.Cause(ctx).(stoppedBy)
	return s, ok
}
