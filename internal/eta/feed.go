package eta

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nixboard/nixboard/nixlog"
)

// maxPlanned bounds the derivations a Feed remembers from nix's plan; a
// real switch plans a few hundred at most.
const maxPlanned = 20000

// FeedOptions configure a Feed.
type FeedOptions struct {
	// Now is the clock of the State the feed reads (a replay's clock for a
	// replay); time.Now when nil.
	Now func() time.Time
	// Jobs is nix's max-jobs, how many builds run at once, when known;
	// the feed also takes the most builds it saw running at once, so 0
	// (unknown) learns it as the run goes.
	Jobs int
	// Estimator tunes the smoothing and the rate window.
	Estimator EstimatorOptions
}

// Feed follows a run for the estimate: it reads nix's plan from the raw
// lines (Lines), and the builds and byte totals from the run's
// nixlog.State (Update), records every successful build's duration into
// the History, and estimates the time left.
//
// nixlog.State does not keep the list of derivations nix plans to build
// ("these N derivations will be built:" and the paths after it), so the
// feed reads those messages itself; it looks at the few lines that are
// messages and skips the rest with one prefix test.
//
// A Feed is safe for use from several goroutines: plain mode hands it the
// lines from its reader and updates it from its ticker.
type Feed struct {
	mu   sync.Mutex
	hist *History
	est  *Estimator
	now  func() time.Time
	jobs int

	parser nixlog.Parser
	// inPlan is true while the lines after a plan message list the
	// derivations; plan is set once nix printed one.
	inPlan, plan bool
	// planned are the planned derivations (path to key) that have not
	// started; started are the derivations that did.
	planned map[string]string
	order   []string
	started map[string]bool
	// pending are the builds that stopped without failing, by activity
	// id, until Finish records them: nix says a build failed only after
	// its activity stopped, so a build that looks successful may still
	// turn out failed, and a failure's duration is not typical.
	pending map[uint64]pendingBuild
	seen    map[uint64]bool
	// peak is the most builds seen running at once.
	peak int

	last Estimate
}

// NewFeed returns a feed that records into and looks up h (which may be
// nil: then every build is unknown and nothing is recorded).
func NewFeed(h *History, opts FeedOptions) *Feed {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Feed{hist: h, est: NewEstimator(opts.Estimator), now: opts.Now, jobs: opts.Jobs,
		planned: map[string]string{}, started: map[string]bool{}, pending: map[uint64]pendingBuild{}, seen: map[uint64]bool{}}
}

type pendingBuild struct {
	key string
	d   time.Duration
}

// msgPrefix starts every message line Nix writes in internal-json.
var msgPrefix = []byte(`@nix {"action":"msg"`)

// Lines reads nix's plan from a batch of raw lines; hand it every batch
// the State is fed, in order.
func (f *Feed) Lines(batch []nixlog.RawLine) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, l := range batch {
		if !bytes.HasPrefix(l.Text, msgPrefix) {
			continue
		}
		e := f.parser.Parse(l.Text)
		if e.Kind != nixlog.KindMsg {
			continue
		}
		f.message(nixlog.StripANSI(e.Text))
	}
}

// message reads one message of nix's plan: "these 3 derivations will be
// built:" (or "this derivation will be built:") and the indented
// derivation paths after it.
func (f *Feed) message(text string) {
	if f.inPlan {
		if p := strings.TrimSpace(text); strings.HasPrefix(text, "  ") && strings.HasSuffix(p, ".drv") && !strings.ContainsAny(p, " \t") {
			if _, ok := f.planned[p]; !ok && !f.started[p] && len(f.planned) < maxPlanned {
				f.planned[p] = Key(p)
				f.order = append(f.order, p)
			}
			return
		}
		f.inPlan = false
	}
	if _, ok := nixlog.PlannedBuilds([]byte(text)); ok {
		f.inPlan, f.plan = true, true
	}
}

// Typical returns the typical duration of a build as the screen shows it
// next to the build ("usually 2m10s"), and false when this machine never
// built it.
func (f *Feed) Typical(b nixlog.Build) (time.Duration, bool) {
	if f.hist == nil {
		return 0, false
	}
	return f.hist.Typical(Key(buildPath(b)))
}

// PlannedBuild is a derivation nix said it will build that has not
// started yet.
type PlannedBuild struct {
	// Drv is the derivation's store path, Name its name ("hello-2.12").
	Drv, Name string
	// Typical is how long it usually takes on this machine; Known is
	// false when this machine never built it.
	Typical time.Duration
	Known   bool
}

// Planned returns the first n (all when n <= 0) of the derivations nix
// planned to build that had not started at the last Update, in the order
// nix listed them, and how many there are in all.
func (f *Feed) Planned(n int) ([]PlannedBuild, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	total := 0
	var out []PlannedBuild
	for _, p := range f.order {
		key, ok := f.planned[p]
		if !ok {
			continue
		}
		total++
		if n > 0 && len(out) >= n {
			continue
		}
		b := PlannedBuild{Drv: p, Name: nixlog.StoreName(p)}
		if b.Name == "" {
			b.Name = p
		}
		if f.hist != nil {
			b.Typical, b.Known = f.hist.Typical(key)
		}
		out = append(out, b)
	}
	return out, total
}

func buildPath(b nixlog.Build) string {
	if b.Drv != "" {
		return b.Drv
	}
	return b.Name
}

// Update reads the state, notes the builds that finished since the last
// call and returns the estimate. Call it at the screen's frame rate (or at
// least as often as nixlog.Limits.FinishedBuilds builds can finish, since
// the state forgets older finished builds).
func (f *Feed) Update(s *nixlog.State) Estimate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.update(s)
}

func (f *Feed) update(s *nixlog.State) Estimate {
	now := f.now()
	h := s.Header()
	var work []Work
	for _, b := range s.Builds() {
		p := buildPath(b)
		if !f.started[p] {
			f.started[p] = true
			delete(f.planned, p)
		}
		switch b.Status {
		case nixlog.BuildRunning:
			w := Work{Key: Key(p), Started: b.Start}
			if f.hist != nil {
				w.Typical, w.Known = f.hist.Typical(w.Key)
			}
			work = append(work, w)
		case nixlog.BuildSucceeded:
			if !f.seen[b.ID] && !b.End.IsZero() {
				f.pending[b.ID] = pendingBuild{key: Key(p), d: b.End.Sub(b.Start)}
			}
			f.seen[b.ID] = true
		case nixlog.BuildFailed:
			delete(f.pending, b.ID)
			f.seen[b.ID] = true
		}
	}
	kept := f.order[:0]
	for _, p := range f.order {
		key, ok := f.planned[p]
		if !ok {
			continue
		}
		kept = append(kept, p)
		w := Work{Key: key}
		if f.hist != nil {
			w.Typical, w.Known = f.hist.Typical(key)
		}
		work = append(work, w)
	}
	f.order = kept
	running := 0
	for _, w := range work {
		if !w.Started.IsZero() {
			running++
		}
	}
	f.peak = max(f.peak, running)
	// Builds nix counts but has not named (nix 2.8 prints no plan) are
	// work of unknown length; one of them makes the estimate unknown.
	// Once nix printed a plan, which names every build it will run,
	// its count is no such sign: it also holds the derivations whose
	// outputs nix substitutes, until the downloads end (Nix 2.26's
	// parallel-ok.log counts 5 for 3 builds and 2 downloads).
	named := len(f.started) + len(f.planned)
	if h.BuildsExpected > named && !f.plan {
		work = append(work, Work{})
	}
	in := Inputs{
		Now:           now,
		BytesDone:     h.BytesDone,
		BytesExpected: h.BytesExpected,
		Builds:        work,
		// Builds and download bytes are the work nix announces for a
		// realisation; the store paths copied while a flake is evaluated
		// (its inputs) are not, so they do not make "0s left" out of an
		// evaluation.
		Announced: max(h.BuildsExpected, named),
		Jobs:      max(f.jobs, f.peak),
	}
	f.last = f.est.Update(in)
	if h.Phase >= nixlog.PhaseActivating {
		// The builds and downloads are over; how long the activation
		// takes is not something the history knows: "0s left" for the
		// seconds it runs would be a guess.
		f.last = Estimate{}
	}
	return f.last
}

// Estimate is the estimate the last Update returned.
func (f *Feed) Estimate() Estimate {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// Finish records the durations of the run's successful builds into the
// history (which the caller then saves); call it once the run ended, with
// the state fed every line.
func (f *Feed) Finish(s *nixlog.State) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.update(s)
	if f.hist == nil {
		return
	}
	ids := make([]uint64, 0, len(f.pending))
	for id := range f.pending {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := f.pending[id]
		f.hist.Record(p.key, p.d)
	}
	clear(f.pending)
}
