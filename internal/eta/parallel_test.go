package eta

import (
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/nixlog"
)

// parallelStops are the lines (numbered as replayLog numbers them) where
// a recorded run's builds and path copies stop: the first build's, the
// last build's and the first copy's; total is the last build's stop time.
type parallelStops struct {
	firstBuild, lastBuild, firstDownload int
	total                                time.Duration
}

var (
	reStartOf = regexp.MustCompile(`^@nix \{"action":"start".*"id":(\d+),.*"type":(100|105)\}$`)
	reStopOf  = regexp.MustCompile(`^@nix \{"action":"stop","id":(\d+)\}$`)
)

func stopsOf(t *testing.T, path string) parallelStops {
	t.Helper()
	rep, err := nixlog.OpenReplay(path, nixlog.ReplayOptions{Speed: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	types := map[string]string{}
	var m parallelStops
	line := 0
	for {
		batch, err := rep.Next()
		for _, l := range batch {
			line++
			if s := reStartOf.FindSubmatch(l.Text); s != nil {
				types[string(s[1])] = string(s[2])
			}
			s := reStopOf.FindSubmatch(l.Text)
			if s == nil {
				continue
			}
			switch types[string(s[1])] {
			case "105":
				if m.firstBuild == 0 {
					m.firstBuild = line
				}
				m.lastBuild, m.total = line, l.At
			case "100":
				if m.firstDownload == 0 {
					m.firstDownload = line
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if m.firstBuild == 0 || m.firstDownload == 0 {
		t.Fatalf("%s: no build or copy stops: %+v", path, m)
	}
	return m
}

// TestSecondReplayOfParallelRun replays the recorded parallel run
// (nixlog's TestNixParallel: two downloads from two caches beside two
// builds, then a build that needs them all) twice with one history, on the
// recording's own clock (its time markers). The first replay knows no
// build and estimates nothing until the builds are done; it records each
// build for at least the time its builder slept (30 and 25 lines 0.1s
// apart). The second replay, on Nix 2.26, estimates from the first while
// the downloads and both builds still run, never rises once known (nothing
// new is announced after the plan), never says more than the whole first
// run took and a quarter, and reaches 0s as the last build ends. Nix 2.8
// prints no plan and counts the two derivations it substitutes as builds
// to come: the estimate stays unknown until the builds are done.
func TestSecondReplayOfParallelRun(t *testing.T) {
	for _, dir := range []string{"nix-2.8", "nix-2.8-daemon", "nix-2.26", "nix-2.26-daemon"} {
		t.Run(dir, func(t *testing.T) {
			path := filepath.Join("..", "..", "nixlog", "testdata", "logs", dir, "parallel-ok.log")
			h, err := OpenHistory(filepath.Join(t.TempDir(), "builds.json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			first := replayLog(t, path, h)
			m := stopsOf(t, path)
			lastStop := m.lastBuild
			for _, st := range first {
				if st.line < lastStop && st.est.Known {
					t.Fatalf("first replay, line %d: estimate %v from an empty history", st.line, st.est.Left)
				}
			}
			for key, least := range map[string]time.Duration{"fixture-par-one": 3 * time.Second, "fixture-par-two": 2500 * time.Millisecond, "fixture-top": 0} {
				if d, ok := h.Typical(key); !ok || d < least || d > least+time.Second {
					t.Errorf("first replay recorded %s as %v (%v), want at least %v", key, d, ok, least)
				}
			}
			if err := h.Save(); err != nil {
				t.Fatal(err)
			}
			h2, err := OpenHistory(h.Path(), nil)
			if err != nil {
				t.Fatal(err)
			}
			second := replayLog(t, path, h2)
			if !strings.HasPrefix(dir, "nix-2.26") {
				for _, st := range second {
					if st.line < lastStop && st.est.Known {
						t.Errorf("Nix 2.8, line %d: estimate %v while builds nix counts are unnamed", st.line, st.est.Left)
					}
				}
				if end := second[len(second)-1].est; !end.Known || end.Left != 0 {
					t.Errorf("at the end: %v (known %v), want 0s", end.Left, end.Known)
				}
				return
			}
			// Before the downloads are announced, the plan's three
			// builds are summed (a replay does not know max-jobs; no
			// two builds ran at once yet).
			announced := -1
			for i, st := range second {
				if strings.Contains(st.text, "will be fetched") {
					announced = i
					break
				}
			}
			var planned time.Duration
			for _, k := range []string{"fixture-par-one", "fixture-par-two", "fixture-top"} {
				d, _ := h2.Typical(k)
				planned += d
			}
			if announced < 1 || !second[announced-1].est.Known || second[announced-1].est.Left != planned || second[announced].est.Known {
				t.Fatalf("around the announcement (line %d): %+v then %+v, want the plan's %v then unknown (no rate yet)",
					announced+1, second[max(announced-1, 0)].est, second[max(announced, 0)].est, planned)
			}
			// Then unknown until the download rate is, and from then on
			// known, falling, and within the first run's length.
			knownAt := -1
			for i := announced + 1; i < len(second); i++ {
				st := second[i]
				if !st.est.Known {
					if knownAt >= 0 {
						t.Errorf("line %d: the estimate became unknown again", st.line)
					}
					continue
				}
				if knownAt < 0 {
					knownAt = st.line
				}
				if st.est.Left > m.total+m.total/4 {
					t.Errorf("line %d: %v left, the whole first run took %v", st.line, st.est.Left, m.total)
				}
				if prev := second[i-1].est; prev.Known && st.est.Left > prev.Left {
					t.Errorf("line %d: estimate rose from %v to %v", st.line, prev.Left, st.est.Left)
				}
			}
			// Known while both builds and both downloads run.
			if knownAt < 0 || knownAt >= m.firstBuild || knownAt >= m.firstDownload {
				t.Fatalf("the second replay knows no estimate before line %d, where the first build or download ends (known from line %d)", min(m.firstBuild, m.firstDownload), knownAt)
			}
			if end := second[lastStop-1].est; !end.Known || end.Left != 0 {
				t.Errorf("line %d, the last build done: %v (known %v), want 0s", lastStop, end.Left, end.Known)
			}
		})
	}
}

// TestCancelledBuildIsNotRecorded: in the recorded parallel run that
// fails, nix cancels fixture-par-one when fixture-par-bad fails; neither
// enters the history (the cancelled one would be recorded far shorter
// than it takes), and nothing else was built.
func TestCancelledBuildIsNotRecorded(t *testing.T) {
	for _, dir := range []string{"nix-2.8", "nix-2.8-daemon", "nix-2.26", "nix-2.26-daemon"} {
		t.Run(dir, func(t *testing.T) {
			h, err := OpenHistory(filepath.Join(t.TempDir(), "builds.json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			replayLog(t, filepath.Join("..", "..", "nixlog", "testdata", "logs", dir, "parallel-fail.log"), h)
			for _, k := range []string{"fixture-par-one", "fixture-par-bad", "fixture-top"} {
				if d, ok := h.Typical(k); ok {
					t.Errorf("%s was recorded (%v)", k, d)
				}
			}
		})
	}
}
