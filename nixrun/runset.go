package nixrun

import (
	"context"
	"errors"
	"sync"
)

// ErrStopping is why a run does not start once its RunSet was closed.
var ErrStopping = errors.New("nixboard is stopping")

// RunSet holds the runs started under one context, so that whatever ends
// the program (a signal, a screen that failed, the last command returning)
// can make sure no process of any run outlives it: Close interrupts what
// still runs and returns once every run is gone, runs still being started
// included.
type RunSet struct {
	mu     sync.Mutex
	runs   map[*Run]bool
	closed bool
	killed bool
	// live counts the runs from their admission (before their process
	// starts) to the end of their last process.
	live sync.WaitGroup
}

// NewRunSet returns an empty, open set.
func NewRunSet() *RunSet { return &RunSet{runs: map[*Run]bool{}} }

type runSetKey struct{}

// WithRunSet returns a context whose runs (Start with it or a context
// derived from it) are entered into s.
func WithRunSet(ctx context.Context, s *RunSet) context.Context {
	return context.WithValue(ctx, runSetKey{}, s)
}

func runSetFrom(ctx context.Context) *RunSet {
	s, _ := ctx.Value(runSetKey{}).(*RunSet)
	return s
}

// add admits a run about to start; false once the set is closed.
func (s *RunSet) add() bool {
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
func (s *RunSet) track(r *Run) {
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
func (s *RunSet) remove(r *Run) {
	s.mu.Lock()
	delete(s.runs, r)
	s.mu.Unlock()
	s.live.Done()
}

// list closes the set (killed too when kill is set) and returns its runs.
func (s *RunSet) list(kill bool) []*Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.killed = s.killed || kill
	runs := make([]*Run, 0, len(s.runs))
	for r := range s.runs {
		runs = append(runs, r)
	}
	return runs
}

// Close starts no more runs, interrupts every run still going (as
// Run.Interrupt does) and returns once all of them are over.
func (s *RunSet) Close() {
	var wg sync.WaitGroup
	for _, r := range s.list(false) {
		wg.Go(r.Interrupt)
	}
	wg.Wait()
	s.live.Wait()
}

// Kill starts no more runs and kills every run still going at once
// (Run.Kill), without waiting: Close waits.
func (s *RunSet) Kill() {
	for _, r := range s.list(true) {
		go r.Kill()
	}
}
