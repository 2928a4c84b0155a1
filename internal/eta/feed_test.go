package eta

import (
	"errors"
	"io"
	"path/filepath"
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
	f.Update(s)
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
			for _, st := range replayLog(t, path, h) {
				if st.line < c.done && st.est.Known {
					t.Fatalf("first replay, line %d: estimate %v from an empty history, want unknown", st.line, st.est.Left)
				}
				if st.line >= c.done && (!st.est.Known || st.est.Left != 0) {
					t.Fatalf("first replay, line %d: estimate %v (known %v) with every build done, want 0s", st.line, st.est.Left, st.est.Known)
				}
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
			steps := replayLog(t, path, h2)
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
