package nixlog

import (
	"fmt"
	"testing"
)

// TestStopWalksOnlyKeptFinishedBuilds: with thousands of builds left
// running, what a build stop walks (the kept finished builds, and the list
// of all builds once forgotten ones are half of it) stays at the limit of
// finished builds, whatever the number running: the work per line is
// constant (BenchmarkLinesWithOpenBuilds measures it).
func TestStopWalksOnlyKeptFinishedBuilds(t *testing.T) {
	for _, open := range []int{1000, 10000} {
		s := NewState(Options{Limits: Limits{Activities: 100000}})
		for k := 1; k <= open; k++ {
			s.Feed([]byte(fmt.Sprintf(`@nix {"action":"start","fields":["/nix/store/%032d-open-%d.drv","",1,1],"id":%d,"level":3,"text":"building","type":105}`, k, k, k)))
		}
		maxDone := 0
		for k := open + 1; k <= open+5000; k++ {
			s.Feed([]byte(fmt.Sprintf(`@nix {"action":"start","fields":["/nix/store/%032d-short-%d.drv","",1,1],"id":%d,"level":3,"text":"building","type":105}`, k, k, k)))
			s.Feed([]byte(fmt.Sprintf(`@nix {"action":"stop","id":%d}`, k)))
			maxDone = max(maxDone, len(s.doneBuilds))
		}
		if maxDone > s.lim.FinishedBuilds {
			t.Errorf("open=%d: a stop chose among %d finished builds, want at most %d", open, maxDone, s.lim.FinishedBuilds)
		}
		// Forgotten builds are shed once they are half of all builds, so
		// the list grows by at most as many as it holds; it is walked in
		// that shedding only, which is amortised over as many stops.
		if len(s.builds) > 2*(open+s.lim.FinishedBuilds)+16 {
			t.Errorf("open=%d: %d builds kept for %d running and %d finished", open, len(s.builds), open, s.lim.FinishedBuilds)
		}
		if got := s.Summary().Built; got != 5000 {
			t.Errorf("open=%d: built %d, want 5000", open, got)
		}
	}
}
