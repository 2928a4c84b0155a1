package eta

import (
	"math"
	"strconv"
	"time"
)

// Work is one build that remains: planned (Started zero) or running.
type Work struct {
	// Key names the derivation (see Key).
	Key string
	// Typical is its typical duration; Known is false when this machine
	// never built it, and then the estimate is unknown.
	Typical time.Duration
	Known   bool
	// Started is when the build started; zero while it is only planned.
	Started time.Time
}

// Inputs are what remains of a run at one instant.
type Inputs struct {
	Now time.Time
	// BytesDone and BytesExpected are the download bytes transferred and
	// announced for the whole run.
	BytesDone, BytesExpected int64
	// Builds are the builds that remain: planned and running.
	Builds []Work
	// Announced counts the builds announced so far; it only grows. When
	// it grows, or BytesExpected does, the estimate starts again from the
	// new figures instead of easing towards them. With neither announced
	// the estimate is unknown.
	Announced int
	// Jobs is how many builds nix runs at once (its max-jobs); less than
	// 1 means 1.
	Jobs int
}

// Estimate is the time left of a run.
type Estimate struct {
	// Left is the time left, never negative; meaningful when Known.
	Left  time.Duration
	Known bool
	// Rate is the download rate over the sliding window in bytes per
	// second, when RateKnown.
	Rate      float64
	RateKnown bool
}

// String is "unknown" or the time left rounded for a person: "45s",
// "3m10s", "1h05m".
func (e Estimate) String() string {
	if !e.Known {
		return "unknown"
	}
	return FormatLeft(e.Left)
}

// FormatLeft rounds d to whole seconds under ten minutes, to ten seconds
// under an hour and to minutes above.
func FormatLeft(d time.Duration) string {
	s := int64(math.Round(d.Seconds()))
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 600:
		return strconv.FormatInt(s/60, 10) + "m" + pad2(s%60) + "s"
	case s < 3600:
		s = (s + 5) / 10 * 10
		return strconv.FormatInt(s/60, 10) + "m" + pad2(s%60) + "s"
	default:
		m := (s + 30) / 60
		return strconv.FormatInt(m/60, 10) + "h" + pad2(m%60) + "m"
	}
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// EstimatorOptions tune an Estimator; zero fields take the defaults.
type EstimatorOptions struct {
	// Window is how far back the download rate looks (DefaultWindow).
	Window time.Duration
	// MinSpan is the shortest stretch of samples a rate is computed from
	// (DefaultMinSpan); before it, the rate is unknown.
	MinSpan time.Duration
	// Smoothing is the time constant with which the shown estimate eases
	// towards a higher new one (DefaultSmoothing).
	Smoothing time.Duration
}

// The defaults of EstimatorOptions.
const (
	DefaultWindow    = 10 * time.Second
	DefaultMinSpan   = time.Second
	DefaultSmoothing = 5 * time.Second
)

// riseTolerance is how much a raw estimate may grow from one update to
// the next and still count as not having grown: the rate is a float and
// durations are rounded to nanoseconds, so a steady run's raw estimate
// wobbles by far less than this.
const riseTolerance = 10 * time.Millisecond

type sample struct {
	at    time.Time
	bytes int64
}

// Estimator turns successive Inputs into an estimate that does not jump
// about. It is not safe for concurrent use; one run has one.
//
// The raw estimate is the download time (bytes left at the rate over the
// last Window) plus the build time: each remaining build needs its typical
// duration, less what a running one has spent already (never below zero),
// and Jobs builds run at once, so the build time is the larger of the
// longest remaining build and the sum over Jobs. Downloads and builds are
// added, not overlapped: nix fetches what a build needs before it starts
// it. Activation is not counted. The raw estimate is unknown when bytes
// remain but no rate is known yet, when a remaining build was never seen
// on this machine, or when no build was announced and no bytes remain.
//
// What is shown follows this rule, checked on every update:
//   - unknown raw: unknown (and the smoothing starts again);
//   - first known estimate, or more work announced: the raw estimate;
//   - a raw estimate at or below the last shown one: the raw estimate, so
//     progress and good news show at once and a steady run counts down
//     exactly;
//   - a raw estimate above the last shown one (the rate fell, a build
//     overran nothing new was announced for): the shown value rises
//     towards it, closing 1-exp(-dt/Smoothing) of the gap per update, so
//     a dip in the rate raises it gradually over about Smoothing.
//
// So with nothing newly announced and a steady rate the estimate never
// goes up, and it is never negative.
type Estimator struct {
	opts    EstimatorOptions
	samples []sample

	shown     time.Duration
	known     bool
	lastAt    time.Time
	announced int
	expected  int64
}

// NewEstimator returns an Estimator with the given options.
func NewEstimator(opts EstimatorOptions) *Estimator {
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	if opts.MinSpan <= 0 {
		opts.MinSpan = DefaultMinSpan
	}
	if opts.Smoothing <= 0 {
		opts.Smoothing = DefaultSmoothing
	}
	return &Estimator{opts: opts}
}

// rate adds the sample of in and returns the rate over the window. It
// keeps the newest sample older than the window as its anchor, so the
// rate spans the whole window once the run is that old.
func (e *Estimator) rate(now time.Time, done int64) (float64, bool) {
	if n := len(e.samples); n > 0 && now.Before(e.samples[n-1].at) {
		// A clock that went back: keep the newest sample's time.
		now = e.samples[n-1].at
	}
	if n := len(e.samples); n > 0 && done < e.samples[n-1].bytes {
		// The total never goes back in nixlog; if it does, start over.
		e.samples = e.samples[:0]
	}
	e.samples = append(e.samples, sample{at: now, bytes: done})
	cut := 0
	for cut+1 < len(e.samples) && !e.samples[cut+1].at.After(now.Add(-e.opts.Window)) {
		cut++
	}
	if cut > 0 {
		e.samples = append(e.samples[:0], e.samples[cut:]...)
	}
	first, last := e.samples[0], e.samples[len(e.samples)-1]
	span := last.at.Sub(first.at)
	if span < e.opts.MinSpan {
		return 0, false
	}
	return float64(last.bytes-first.bytes) / span.Seconds(), true
}

// raw is the unsmoothed estimate of in, given the rate.
func raw(in Inputs, rate float64, rateKnown bool) (time.Duration, bool) {
	if in.Announced == 0 && len(in.Builds) == 0 && in.BytesExpected <= in.BytesDone {
		// No build announced and no bytes left: nothing to go on (the
		// bytes done may be the cache's nix-cache-info, fetched while nix
		// evaluates).
		return 0, false
	}
	var left time.Duration
	if bytesLeft := in.BytesExpected - in.BytesDone; bytesLeft > 0 {
		if !rateKnown || rate <= 0 {
			return 0, false
		}
		secs := float64(bytesLeft) / rate
		if secs > float64(math.MaxInt64/2)/float64(time.Second) {
			return 0, false
		}
		left = time.Duration(secs * float64(time.Second))
	}
	var sum, longest time.Duration
	for _, w := range in.Builds {
		if !w.Known {
			return 0, false
		}
		rem := w.Typical
		if !w.Started.IsZero() {
			rem -= in.Now.Sub(w.Started)
		}
		rem = max(rem, 0)
		sum += rem
		longest = max(longest, rem)
	}
	jobs := max(in.Jobs, 1)
	return left + max(longest, sum/time.Duration(jobs)), true
}

// Update takes the newest inputs and returns the estimate to show.
func (e *Estimator) Update(in Inputs) Estimate {
	rate, rateKnown := e.rate(in.Now, in.BytesDone)
	out := Estimate{Rate: rate, RateKnown: rateKnown}
	r, ok := raw(in, rate, rateKnown)
	newWork := in.Announced > e.announced || in.BytesExpected > e.expected
	e.announced = max(e.announced, in.Announced)
	e.expected = max(e.expected, in.BytesExpected)
	if !ok {
		e.known = false
		return out
	}
	shown := r
	if e.known && !newWork {
		switch {
		case r > e.shown+riseTolerance:
			dt := max(in.Now.Sub(e.lastAt), 0)
			alpha := 1 - math.Exp(-dt.Seconds()/e.opts.Smoothing.Seconds())
			shown = e.shown + time.Duration(alpha*float64(r-e.shown))
		case r > e.shown:
			// Rounding, not news.
			shown = e.shown
		}
	}
	shown = max(shown, 0)
	e.shown, e.known, e.lastAt = shown, true, in.Now
	out.Left, out.Known = shown, true
	return out
}
