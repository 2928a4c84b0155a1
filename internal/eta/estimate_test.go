package eta

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

const sec = time.Second

// step is one update of an estimator and what it must say.
type step struct {
	in Inputs
	// want is the expected estimate; -1 means unknown.
	want time.Duration
}

func TestEstimator(t *testing.T) {
	known := func(key string, d time.Duration) Work { return Work{Key: key, Typical: d, Known: true} }
	running := func(key string, d time.Duration, started time.Duration) Work {
		return Work{Key: key, Typical: d, Known: true, Started: at(started)}
	}
	// The gap a rise closes in one second with the default smoothing.
	rise := func(from, to time.Duration) time.Duration {
		return from + time.Duration((1-math.Exp(-1.0/5))*float64(to-from))
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"nothing announced yet", []step{
			{Inputs{Now: at(0)}, -1},
			{Inputs{Now: at(5 * sec)}, -1},
		}},
		{"bytes fetched while evaluating, nothing announced", []step{
			{Inputs{Now: at(0), BytesDone: 21, BytesExpected: 21}, -1},
			{Inputs{Now: at(2 * sec), BytesDone: 21, BytesExpected: 21}, -1},
		}},
		{"bytes left and no rate yet", []step{
			{Inputs{Now: at(0), BytesExpected: 1000, Announced: 1}, -1},
			{Inputs{Now: at(sec / 2), BytesDone: 50, BytesExpected: 1000, Announced: 1}, -1},
			// A second of samples: 100 B/s, 900 B left.
			{Inputs{Now: at(sec), BytesDone: 100, BytesExpected: 1000, Announced: 1}, 9 * sec},
			{Inputs{Now: at(2 * sec), BytesDone: 200, BytesExpected: 1000, Announced: 1}, 8 * sec},
		}},
		{"a stalled download is unknown, not infinite", []step{
			{Inputs{Now: at(0), BytesExpected: 1000, Announced: 1}, -1},
			{Inputs{Now: at(sec), BytesDone: 100, BytesExpected: 1000, Announced: 1}, 9 * sec},
			// Ten seconds without a byte: the window's rate is zero.
			{Inputs{Now: at(12 * sec), BytesDone: 100, BytesExpected: 1000, Announced: 1}, -1},
		}},
		{"a build never seen makes it unknown", []step{
			{Inputs{Now: at(0), Builds: []Work{known("a", 10*sec), {Key: "b"}}, Announced: 2}, -1},
			// Once b is done (gone from the list) a is enough.
			{Inputs{Now: at(sec), Builds: []Work{known("a", 10*sec)}, Announced: 2}, 10 * sec},
		}},
		{"a running build counts what it has left, never below zero", []step{
			{Inputs{Now: at(0), Builds: []Work{known("a", 10*sec)}, Announced: 1}, 10 * sec},
			{Inputs{Now: at(4 * sec), Builds: []Work{running("a", 10*sec, 2*sec)}, Announced: 1}, 8 * sec},
			{Inputs{Now: at(30 * sec), Builds: []Work{running("a", 10*sec, 2*sec)}, Announced: 1}, 0},
		}},
		{"parallel builds: the longest, or the sum over the jobs", []step{
			{Inputs{Now: at(0), Builds: []Work{known("a", 10*sec), known("b", 10*sec)}, Announced: 2, Jobs: 2}, 10 * sec},
			{Inputs{Now: at(0), Builds: []Work{known("a", 10*sec), known("b", 10*sec), known("c", 10*sec)}, Announced: 3, Jobs: 2}, 15 * sec},
			{Inputs{Now: at(0), Builds: []Work{known("a", 40*sec), known("b", 2*sec), known("c", 2*sec)}, Announced: 4, Jobs: 4}, 40 * sec},
		}},
		{"downloads and builds add up", []step{
			{Inputs{Now: at(0), BytesExpected: 1000, Builds: []Work{known("a", 5*sec)}, Announced: 2}, -1},
			{Inputs{Now: at(sec), BytesDone: 100, BytesExpected: 1000, Builds: []Work{known("a", 5*sec)}, Announced: 2}, 14 * sec},
		}},
		{"more work announced starts again from the new figures", []step{
			{Inputs{Now: at(0), Builds: []Work{known("a", 10*sec)}, Announced: 1}, 10 * sec},
			{Inputs{Now: at(sec), Builds: []Work{known("a", 10*sec), known("b", 30*sec)}, Announced: 2}, 40 * sec},
		}},
		{"a rise without news is eased in", []step{
			{Inputs{Now: at(0), Builds: []Work{known("a", 10*sec)}, Announced: 1}, 10 * sec},
			// The history now says a takes 30 s (another run saved): no
			// new work, so the estimate eases up.
			{Inputs{Now: at(sec), Builds: []Work{known("a", 30*sec)}, Announced: 1}, rise(10*sec, 30*sec)},
			{Inputs{Now: at(2 * sec), Builds: []Work{known("a", 30*sec)}, Announced: 1}, rise(rise(10*sec, 30*sec), 30*sec)},
			// A fall shows at once.
			{Inputs{Now: at(3 * sec), Builds: []Work{known("a", 5*sec)}, Announced: 1}, 5 * sec},
		}},
		{"unknown again, then known: no smoothing across the gap", []step{
			{Inputs{Now: at(0), Builds: []Work{known("a", 10*sec)}, Announced: 1}, 10 * sec},
			{Inputs{Now: at(sec), Builds: []Work{known("a", 10*sec), {Key: "x"}}, Announced: 1}, -1},
			{Inputs{Now: at(2 * sec), Builds: []Work{known("a", 30*sec)}, Announced: 1}, 30 * sec},
		}},
		{"everything done: zero", []step{
			{Inputs{Now: at(0), Builds: []Work{known("a", 10*sec)}, Announced: 1}, 10 * sec},
			{Inputs{Now: at(sec), Announced: 1}, 0},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := NewEstimator(EstimatorOptions{})
			for i, s := range c.steps {
				got := e.Update(s.in)
				switch {
				case s.want < 0 && got.Known:
					t.Errorf("step %d: %v, want unknown", i, got.Left)
				case s.want >= 0 && (!got.Known || got.Left != s.want):
					t.Errorf("step %d: %v (known %v), want %v", i, got.Left, got.Known, s.want)
				}
			}
		})
	}
}

// TestSlowerRateRisesGradually: after ten seconds at 100 B/s the rate
// falls to 10 B/s; the window's rate falls gradually and the estimate
// eases up towards the new raw figure instead of jumping to it.
func TestSlowerRateRisesGradually(t *testing.T) {
	e := NewEstimator(EstimatorOptions{})
	in := func(s int, bytes int64) Inputs {
		return Inputs{Now: at(time.Duration(s) * sec), BytesDone: bytes, BytesExpected: 2000, Announced: 1}
	}
	for s := 0; s <= 10; s++ {
		e.Update(in(s, int64(100*s)))
	}
	if got := e.Update(in(10, 1000)); !got.Known || got.Left != 10*sec {
		t.Fatalf("at 100 B/s with 1000 B left: %v", got.Left)
	}
	got := e.Update(in(11, 1010))
	// The window is [1s, 11s]: (1010-100) B in 10 s, 990 B left.
	left, rate := 990.0, 91.0
	raw := time.Duration(left / rate * float64(sec))
	want := 10*sec + time.Duration((1-math.Exp(-1.0/5))*float64(raw-10*sec))
	if !got.Known || got.Left != want || got.Rate != 91 {
		t.Errorf("after the rate fell: %v at %v B/s, want %v (raw %v) at 91 B/s", got.Left, got.Rate, want, raw)
	}
}

func TestEstimateString(t *testing.T) {
	cases := []struct {
		e    Estimate
		want string
	}{
		{Estimate{}, "unknown"},
		{Estimate{Known: true}, "0s"},
		{Estimate{Known: true, Left: 44600 * time.Millisecond}, "45s"},
		{Estimate{Known: true, Left: 190 * sec}, "3m10s"},
		{Estimate{Known: true, Left: 605 * sec}, "10m10s"},
		{Estimate{Known: true, Left: 3600*sec + 5*60*sec + 20*sec}, "1h05m"},
	}
	for _, c := range cases {
		if got := c.e.String(); got != c.want {
			t.Errorf("%+v = %q, want %q", c.e, got, c.want)
		}
	}
}

// TestEstimatorProperties drives estimators with random progress. Whatever
// happens, the estimate is unknown or not negative. When nothing new is
// announced and the rate is steady (bytes arrive at a constant rate and
// builds start and finish at random), it never goes up.
func TestEstimatorProperties(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 14))
		randomRun(t, r, seed)
		steadyRun(t, r, seed)
	}
}

// randomRun is anything goes: rates jump, work is announced, builds are
// unknown, the clock even stands still.
func randomRun(t *testing.T, r *rand.Rand, seed uint64) {
	e := NewEstimator(EstimatorOptions{})
	now := t0
	var done, expected int64
	announced := 0
	var builds []Work
	for i := range 200 {
		now = now.Add(time.Duration(r.IntN(3000)) * time.Millisecond)
		done += int64(r.IntN(5000))
		if r.IntN(10) == 0 {
			expected += int64(r.IntN(100000))
			announced++
		}
		if r.IntN(8) == 0 {
			w := Work{Key: "k", Typical: time.Duration(r.IntN(100)) * sec, Known: r.IntN(5) > 0}
			if r.IntN(2) == 0 {
				w.Started = now.Add(-time.Duration(r.IntN(200)) * sec)
			}
			builds = append(builds, w)
			announced++
		}
		if len(builds) > 0 && r.IntN(6) == 0 {
			builds = builds[1:]
		}
		est := e.Update(Inputs{Now: now, BytesDone: done, BytesExpected: expected, Builds: builds, Announced: announced, Jobs: r.IntN(4)})
		if est.Known && est.Left < 0 {
			t.Fatalf("seed %d step %d: negative estimate %v", seed, i, est.Left)
		}
	}
}

// steadyRun announces everything up front, then downloads at a constant
// rate while builds (all seen before) start and finish.
func steadyRun(t *testing.T, r *rand.Rand, seed uint64) {
	e := NewEstimator(EstimatorOptions{})
	perMs := int64(1 + r.IntN(2000))
	expected := perMs * int64(1000+r.IntN(120000))
	var planned, runningW []Work
	for range r.IntN(8) {
		planned = append(planned, Work{Key: "k", Typical: time.Duration(r.IntN(60000)) * time.Millisecond, Known: true})
	}
	announced := 1 + len(planned)
	jobs := 1 + r.IntN(4)
	var elapsed time.Duration
	var prev Estimate
	for i := range 400 {
		elapsed += time.Duration(r.IntN(700)) * time.Millisecond
		now := at(elapsed)
		done := min(perMs*elapsed.Milliseconds(), expected)
		if len(planned) > 0 && len(runningW) < jobs && r.IntN(4) == 0 {
			w := planned[0]
			w.Started = now
			planned, runningW = planned[1:], append(runningW, w)
		}
		if len(runningW) > 0 && r.IntN(7) == 0 {
			runningW = runningW[1:]
		}
		builds := append(append([]Work(nil), runningW...), planned...)
		est := e.Update(Inputs{Now: now, BytesDone: done, BytesExpected: expected, Builds: builds, Announced: announced, Jobs: jobs})
		if est.Known && est.Left < 0 {
			t.Fatalf("seed %d step %d: negative estimate %v", seed, i, est.Left)
		}
		if est.Known && prev.Known && est.Left > prev.Left {
			t.Fatalf("seed %d step %d: the estimate rose from %v to %v with nothing new and a steady rate", seed, i, prev.Left, est.Left)
		}
		if prev.Known && !est.Known && done < expected {
			t.Fatalf("seed %d step %d: a steady run became unknown", seed, i)
		}
		prev = est
	}
}
