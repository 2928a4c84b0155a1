package proc

import (
	"context"
	"sync"
)

// Set holds the processes started under one context, so that whatever
// ends the program (a signal, a screen that failed, the last command
// returning) can make sure none of them outlives it: Close interrupts what
// still runs and returns once every process is gone, those still being
// started included.
type Set struct {
	mu     sync.Mutex
	runs   map[*Process]bool
	closed bool
	killed bool
	// live counts the runs from their admission (before their process
	// starts) to the end of their last process.
	live sync.WaitGroup
}

// NewSet returns an empty, open set.
func NewSet() *Set { return &Set{runs: map[*Process]bool{}} }

type setKey struct{}

// WithSet returns a context whose processes (Start with it or a context
// derived from it) are entered into s.
func WithSet(ctx context.Context, s *Set) context.Context {
	return context.WithValue(ctx, setKey{}, s)
}

func setFrom(ctx context.Context) *Set {
	s, _ := ctx.Value(setKey{}).(*Set)
	return s
}

// add admits a run about to start; false once the set is closed.
func (s *Set) add() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.live.Add(1)
	return true
}

// track enters a run whose process started. A set closed since add
// stops it at once: Close could not see it.
func (s *Set) track(r *Process) {
	s.mu.Lock()
	s.runs[r] = true
	closed, killed := s.closed, s.killed
	s.mu.Unlock()
	switch {
	case killed:
		go r.Kill()
	case closed:
		go r.Interrupt()
	}
}

// remove lets go of a run that is over (r is nil for one that never
// started).
func (s *Set) remove(r *Process) {
	s.mu.Lock()
	delete(s.runs, r)
	s.mu.Unlock()
	s.live.Done()
}

// list closes the set (killed too when kill is set) and returns its runs.
func (s *Set) list(kill bool) []*Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.killed = s.killed || kill
	runs := make([]*Process, 0, len(s.runs))
	for r := range s.runs {
		runs = append(runs, r)
	}
	return runs
}

// Close starts no more runs, interrupts every run still going (as
// Process.Interrupt does) and returns once all of them are over.
func (s *Set) Close() {
	var wg sync.WaitGroup
	for _, r := range s.list(false) {
		wg.Go(r.Interrupt)
	}
	wg.Wait()
	s.live.Wait()
}

// Kill starts no more runs and kills every run still going at once
// (Process.Kill), without waiting: Close waits.
func (s *Set) Kill() {
	for _, r := range s.list(true) {
		go r.Kill()
	}
}
