package nixlog

import "time"

// MarkKind says what a Mark records.
type MarkKind uint8

// The moments a State records as they happen.
const (
	// MarkPhase is the run entering Mark.Phase.
	MarkPhase MarkKind = iota
	// MarkBuildFailed is a build that nix reported failed (Mark.Drv).
	MarkBuildFailed
	// MarkStep and MarkStepEnd are a step before the builds starting and
	// ending (Mark.Step indexes State.Steps' list).
	MarkStep
	MarkStepEnd
	// MarkStall is a transfer stalling, moving again or ending stalled
	// (Mark.Stall, stall.go).
	MarkStall
)

// Mark is a moment of a run, recorded by the State the instant the line
// that caused it was folded: the phase changing, a build failing. A
// consumer that polls the State now and then (the plain lines, the JSON
// stream, the screen) still learns every phase in order and when it began,
// however long its polls are apart.
type Mark struct {
	// Seq numbers the marks of a State from 0, without gaps.
	Seq  int
	Kind MarkKind
	// At is the time since the run started.
	At time.Duration
	// Phase is the phase entered (MarkPhase).
	Phase Phase
	// Drv and Name are the failed build's derivation and short name, and
	// Message nix's message about it (MarkBuildFailed).
	Drv, Name, Message string
	// Step is the index of the step (MarkStep, MarkStepEnd).
	Step int
	// Stall is the stall event's payload (MarkStall).
	Stall *StallInfo
}

// maxMarks bounds the marks a State keeps: a real run has a handful of
// phase changes and failed builds, and a log that flips between phases
// for ever must not grow the State. MarksSince reports what was dropped.
const maxMarks = 4096

// mark records a moment; the caller holds s.mu.
func (s *State) mark(m Mark) {
	m.Seq = s.markSeq
	s.markSeq++
	m.At = s.now().Sub(s.started)
	if m.At < 0 {
		m.At = 0
	}
	*s.marks.slot(maxMarks) = m
}

// livePhase is the phase the lines so far put the run in, before it is
// finished: the activation once it started, then a running build, then a
// running download, else the furthest phase an activity started.
func (s *State) livePhase() Phase {
	switch {
	case s.act.Started:
		return PhaseActivating
	case s.openBuilds > 0:
		return PhaseBuilding
	case s.openCopies > 0 && s.builtInSet:
		// Downloads beside builds: between two builds the run is still
		// building, not back to downloading.
		return PhaseBuilding
	case s.openCopies > 0:
		return PhaseDownloading
	default:
		return s.lastPhase
	}
}

// notePhase records a phase change after a line was folded; the caller
// holds s.mu. It costs a few comparisons, so it runs on every line.
func (s *State) notePhase() {
	if s.finished {
		return
	}
	if p := s.livePhase(); p != s.curPhase {
		s.curPhase = p
		s.mark(Mark{Kind: MarkPhase, Phase: p})
	}
}

// MarksSince returns the kept marks numbered from seq on, oldest first, and
// the number to ask for next time. Marks older than the newest maxMarks are
// gone: the first returned may be numbered above seq.
func (s *State) MarksSince(seq int) ([]Mark, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := min(s.markSeq-max(seq, 0), s.marks.len())
	if n <= 0 {
		return nil, s.markSeq
	}
	out := make([]Mark, 0, n)
	s.marks.newest(n, func(m *Mark) { out = append(out, *m) })
	return out, s.markSeq
}

// Now is the State's clock: the time its activities and builds are
// stamped with (a replay's recorded time with Options.LineClock).
func (s *State) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// buildLogByDrv returns the newest n lines of the kept build of drv (nil
// when it is unknown or forgotten).
func (s *State) buildLogByDrv(drv string, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buildByDrv[drv]; b != nil {
		return newestLines(&b.lines, n)
	}
	return nil
}
