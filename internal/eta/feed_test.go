package eta

import (
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nixboard/nixboard/nixlog"
)

// replayStep is the estimate after one line of a replayed log.
type replayStep struct {
	line int
	text string
	est  Estimate
}

// replayLog feeds the recorded log at path through a State and a Feed one
// line at a time, with the state's clock at each line's recorded time, so
// the builds' durations are those of the recording whatever the machine's
// speed. It returns the estimate after every line.
func replayLog(t *testing.T, path string, h *History) []replayStep {
	t.Helper()
	rep, err := nixlog.OpenReplay(path, nixlog.ReplayOptions{Speed: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cur := base
	now := func() time.Time { return cur }
	s := nixlog.NewState(nixlog.Options{Now: now})
	f := NewFeed(h, FeedOptions{Now: now})
	var steps []replayStep
	for {
		batch, err := rep.Next()
		for _, l := range batch {
			cur = base.Add(l.At)
			one := []nixlog.RawLine{l}
			s.FeedLines(one)
			f.Lines(one)
			steps = append(steps, replayStep{line: len(steps) + 1, text: string(l.Text), est: f.Update(s)})
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Finish(true)
	f.Finish(s)
	return steps
}

// TestSecondReplayKnowsTheDurations replays recorded switches twice with
// one history: the first replay learns the three builds' durations and
// estimates nothing (it has never seen them), the second estimates from
// them. The recordings have no time markers, so a replay puts line k at
// k*5ms (nixlog.PlainPace): in the nix 2.26 logs fixture-base builds from
// line 33 to 444 (2.055s), fixture-lib from 445 to 755 (1.55s) and
// fixture-app from 756 to 917 (0.805s).
func TestSecondReplayKnowsTheDurations(t *testing.T) {
	type check struct {
		line int
		want string // "unknown" or a duration
	}
	cases := []struct {
		log string
		// done is the line of the last build's stop: before it a build
		// of unknown length remains.
		done   int
		checks []check
	}{
		{"nix-2.26/switch-ok.log", 917, []check{
			// Once nix said it plans the three builds: all of them.
			{16, "4.41s"},
			{33, "4.41s"},
			// Halfway through fixture-base.
			{239, "3.38s"},
			// fixture-lib started: lib and app are left.
			{445, "2.355s"},
			{756, "805ms"},
			{917, "0s"},
		}},
		{"nix-2.26-daemon/switch-ok.log", 917, []check{
			{33, "4.41s"},
			{445, "2.355s"},
			{917, "0s"},
		}},
		// Nix 2.8 prints no plan: builds nix counts but has not named
		// yet are of unknown length, until the last one starts.
		{"nix-2.8/switch-ok.log", 905, []check{
			{21, "unknown"},
			{433, "unknown"},
			{744, "805ms"},
			{905, "0s"},
		}},
	}
	for _, c := range cases {
		t.Run(c.log, func(t *testing.T) {
			path := filepath.Join("..", "..", "nixlog", "testdata", "logs", c.log)
			h, err := OpenHistory(filepath.Join(t.TempDir(), "builds.json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			steps := replayLog(t, path, h)
			zero := false
			for _, st := range steps {
				if st.line < c.done && st.est.Known {
					t.Fatalf("first replay, line %d: estimate %v from an empty history, want unknown", st.line, st.est.Left)
				}
				// Once every build is done it is 0s, until the activation
				// starts: how long that takes is not estimated.
				if st.line >= c.done && st.est.Known && st.est.Left != 0 {
					t.Fatalf("first replay, line %d: estimate %v with every build done, want 0s", st.line, st.est.Left)
				}
				zero = zero || st.line >= c.done && st.est.Known
			}
			if !zero {
				t.Error("first replay: never 0s left once the builds were done")
			}
			if last := steps[len(steps)-1]; last.est.Known {
				t.Errorf("first replay, line %d (activating): estimate %v, want unknown", last.line, last.est.Left)
			}
			for _, k := range []string{"fixture-base", "fixture-lib", "fixture-app"} {
				if _, ok := h.Typical(k); !ok {
					t.Fatalf("first replay did not record %s", k)
				}
			}
			if err := h.Save(); err != nil {
				t.Fatal(err)
			}
			// The second run reads the history back from the file.
			h2, err := OpenHistory(h.Path(), nil)
			if err != nil {
				t.Fatal(err)
			}
			steps = replayLog(t, path, h2)
			for _, ch := range c.checks {
				got := steps[ch.line-1].est
				if ch.want == "unknown" {
					if got.Known {
						t.Errorf("line %d: %v, want unknown", ch.line, got.Left)
					}
					continue
				}
				want, _ := time.ParseDuration(ch.want)
				if !got.Known || got.Left != want {
					t.Errorf("line %d (%.60s): estimate %v (known %v), want %v", ch.line, steps[ch.line-1].text, got.Left, got.Known, want)
				}
			}
			// After the plan, nothing new is announced: the estimate
			// only falls.
			for i := 16; i < len(steps); i++ {
				if steps[i].est.Known && steps[i-1].est.Known && steps[i].est.Left > steps[i-1].est.Left {
					t.Errorf("line %d: estimate rose from %v to %v", steps[i].line, steps[i-1].est.Left, steps[i].est.Left)
				}
			}
		})
	}
}

// TestFailedBuildIsNotRecorded: in the recorded failing build nix stops
// fixture-bad's activity before it says the build failed; only
// fixture-prep, which succeeded, enters the history.
func TestFailedBuildIsNotRecorded(t *testing.T) {
	for _, log := range []string{"nix-2.26/build-fail.log", "nix-2.26-daemon/build-fail.log", "nix-2.8/build-fail.log"} {
		t.Run(log, func(t *testing.T) {
			h, err := OpenHistory(filepath.Join(t.TempDir(), "builds.json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			replayLog(t, filepath.Join("..", "..", "nixlog", "testdata", "logs", log), h)
			if _, ok := h.Typical("fixture-prep"); !ok {
				t.Error("the successful fixture-prep was not recorded")
			}
			if d, ok := h.Typical("fixture-bad"); ok {
				t.Errorf("the failed fixture-bad was recorded (%v)", d)
			}
		})
	}
}

// msgLine is an internal-json message line as nix writes it.
func msgLine(text string) nixlog.RawLine {
	b, _ := json.Marshal(map[string]any{"action": "msg", "level": 3, "msg": text})
	return nixlog.RawLine{Text: append([]byte("@nix "), b...)}
}

func TestFeedReadsThePlan(t *testing.T) {
	const a = "/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-hello-2.12.drv"
	const b = "/nix/store/jf1kq6xp7nwg6rvi6fkaccibkyqnaw0b-git-2.47.0.drv"
	cases := []struct {
		name  string
		lines []nixlog.RawLine
		want  []string
	}{
		{"plural", []nixlog.RawLine{msgLine("these 2 derivations will be built:"), msgLine("  " + a), msgLine("  " + b)}, []string{"hello", "git"}},
		{"singular, coloured", []nixlog.RawLine{msgLine("\x1b[1mthis derivation will be built:\x1b[0m"), msgLine("  \x1b[35;1m" + a + "\x1b[0m")}, []string{"hello"}},
		{"the list ends at the next message", []nixlog.RawLine{msgLine("these 1 derivations will be built:"), msgLine("  " + a), msgLine("these 2 paths will be fetched (1 MiB download):"), msgLine("  " + b)}, []string{"hello"}},
		{"paths to fetch are not builds", []nixlog.RawLine{msgLine("these 2 paths will be fetched (1 MiB download):"), msgLine("  /nix/store/jf1kq6xp7nwg6rvi6fkaccibkyqnaw0b-git-2.47.0")}, nil},
		{"not a message", []nixlog.RawLine{{Text: []byte("these 2 derivations will be built:")}, {Text: []byte("  " + a)}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := NewFeed(nil, FeedOptions{Now: func() time.Time { return t0 }})
			f.Lines(c.lines)
			var got []string
			for _, p := range f.order {
				got = append(got, f.planned[p])
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("planned %v, want %v", got, c.want)
			}
			// Planned builds never seen make the estimate unknown.
			if est := f.Update(nixlog.NewState(nixlog.Options{Now: func() time.Time { return t0 }})); len(c.want) > 0 && est.Known {
				t.Errorf("estimate %v with a plan of unknown builds", est.Left)
			}
		})
	}
}

func TestFeedTypical(t *testing.T) {
	h, err := OpenHistory(filepath.Join(t.TempDir(), "builds.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Record("hello", 3*time.Second)
	f := NewFeed(h, FeedOptions{})
	if d, ok := f.Typical(nixlog.Build{Drv: "/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-hello-2.13.drv"}); !ok || d != 3*time.Second {
		t.Errorf("a new version of hello: %v, %v; want its predecessor's 3s", d, ok)
	}
	if _, ok := f.Typical(nixlog.Build{Name: "git-2.47.0"}); ok {
		t.Error("git was never built")
	}
	if _, ok := NewFeed(nil, FeedOptions{}).Typical(nixlog.Build{Name: "hello-2.12"}); ok {
		t.Error("a feed without a history knows a duration")
	}
}

// TestEvaluationIsNotZeroLeft: in the recorded download, nix copies the
// flake's inputs while it evaluates, before it announces anything to
// fetch; the estimate is unknown then, not "0s". The download itself
// lasts less than the rate needs (a second of samples), so it stays
// unknown until the last byte.
func TestEvaluationIsNotZeroLeft(t *testing.T) {
	h, err := OpenHistory(filepath.Join(t.TempDir(), "builds.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range replayLog(t, filepath.Join("..", "..", "nixlog", "testdata", "logs", "nix-2.26", "download.log"), h) {
		if st.line < 140 && st.est.Known {
			t.Fatalf("line %d (%.60s): estimate %v before the download's rate is known", st.line, st.text, st.est.Left)
		}
	}
}

// TestFeedLearnsParallelBuilds: two builds run at once, so the feed counts
// two jobs: three 10s builds left are 15s, not 30s.
func TestFeedLearnsParallelBuilds(t *testing.T) {
	h, err := OpenHistory(filepath.Join(t.TempDir(), "builds.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	drvs := []string{
		"/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-a-1.0.drv",
		"/nix/store/jf1kq6xp7nwg6rvi6fkaccibkyqnaw0b-b-1.0.drv",
		"/nix/store/0pgn9bacx16b5y6fgxz0yd17l84jhgj4-c-1.0.drv",
	}
	for _, k := range []string{"a", "b", "c"} {
		h.Record(k, 10*time.Second)
	}
	now := func() time.Time { return t0 }
	s := nixlog.NewState(nixlog.Options{Now: now})
	f := NewFeed(h, FeedOptions{Now: now})
	lines := []nixlog.RawLine{msgLine("these 3 derivations will be built:")}
	for _, d := range drvs {
		lines = append(lines, msgLine("  "+d))
	}
	for i, d := range drvs[:2] {
		b, _ := json.Marshal(map[string]any{"action": "start", "id": 100 + i, "level": 3, "type": 105,
			"text": "building '" + d + "'", "fields": []any{d, "", 1, 1}})
		lines = append(lines, nixlog.RawLine{Text: append([]byte("@nix "), b...)})
	}
	s.FeedLines(lines)
	f.Lines(lines)
	if est := f.Update(s); !est.Known || est.Left != 15*time.Second {
		t.Errorf("estimate %v (known %v), want 15s with two builds at once", est.Left, est.Known)
	}
}
