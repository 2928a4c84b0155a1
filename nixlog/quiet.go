package nixlog

import (
	"time"

	"github.com/nixboard/nixboard/internal/textwrap"
)

// QuietAfter is how long a run may print nothing before nixboard says so.
const QuietAfter = 15 * time.Second

// Quiet watches a State for a stretch without output. Its owner (the
// stream, the screen) calls Check with its own clock, so tests drive it with
// an injected one and never sleep.
type Quiet struct {
	lines int64
	since time.Time
	told  bool
}

// Check returns how long s has printed nothing, and true once per quiet
// stretch when that reaches QuietAfter.
func (q *Quiet) Check(s *State, now time.Time) (time.Duration, bool) {
	lines := s.Stats().Lines
	if q.since.IsZero() || lines != q.lines {
		q.lines, q.since, q.told = lines, now, false
		return 0, false
	}
	d := now.Sub(q.since)
	if d >= QuietAfter && !q.told {
		q.told = true
		return d, true
	}
	return d, false
}

// Doing says in words what the run is doing now and what a long silence
// there may mean: the newest running step before the builds, else the
// phase.
func (s *State) Doing() (doing, meaning string) {
	s.mu.Lock()
	steps := s.stepsNow()
	phase := s.livePhase()
	if s.finished {
		phase = s.curPhase
	}
	s.mu.Unlock()
	for i := len(steps) - 1; i >= 0; i-- {
		if st := steps[i]; !st.Done {
			return StepWords(st), stepMeaning[st.Kind]
		}
	}
	return phase.String(), phaseMeaning[phase]
}

// StepWords is a running step in words: "fetching /x", "evaluating
// path:/x#home-manager", "querying https://cache.nixos.org for 12 paths".
func StepWords(st Step) string { return stepWords(st, false) }

// StepDoneWords is a finished step in words: "fetched /x (195 B)",
// "evaluated path:/x#home-manager", "queried https://cache.nixos.org for 12
// paths".
func StepDoneWords(st Step) string { return stepWords(st, true) }

// stepWords words a step running or done: the verb's tense differs, and a
// running fetch also says how much of what it expects has arrived.
func stepWords(st Step, done bool) string {
	verb := func(running, finished string) string {
		if done {
			return finished
		}
		return running
	}
	switch st.Kind {
	case StepEvaluate:
		return verb("evaluating ", "evaluated ") + st.What
	case StepQuery:
		w := verb("querying ", "queried ") + st.What
		if st.Caches > 1 {
			w += " and " + textwrap.Count(st.Caches-1, "more cache", "more caches")
		}
		return w + " for " + textwrap.Count(st.Paths, "path", "paths")
	default:
		w := verb("fetching ", "fetched ") + st.What
		switch {
		case !done && st.Expected > 0:
			w += " (" + Size(st.Bytes) + " of " + Size(st.Expected) + ")"
		case st.Bytes > 0:
			w += " (" + Size(st.Bytes) + ")"
		}
		return w
	}
}

var stepMeaning = map[StepKind]string{
	StepEvaluate: "Nix evaluates without printing anything: a first evaluation of nixpkgs takes a while; one that never ends is a loop in the configuration.",
	StepFetch:    "Nix shows no progress while it clones a git input or unpacks a tarball: a large input (nixpkgs is about 40 MiB) takes minutes on a slow link.",
	StepQuery:    "Nix is asking the binary caches which paths they have: a cache that does not answer makes it wait for connect-timeout, then it builds instead.",
}

var phaseMeaning = map[Phase]string{
	PhaseEvaluating:  "Nix evaluates (or fetches the flake's inputs) without printing anything: a first run of a large configuration takes a while; one that never ends is a loop in the configuration.",
	PhaseDownloading: "No download has moved: the cache may be slow or not answering.",
	PhaseBuilding:    "The running builds print nothing: they may be compiling or running tests, or waiting for a lock another nix holds.",
	PhaseActivating:  "The activation is waiting: one of its steps may be asking for input it will not get.",
	PhaseDone:        "The run has ended.",
	PhaseFailed:      "The run has ended.",
}
