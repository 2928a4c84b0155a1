package nixlog

import (
	"fmt"
	"strconv"
	"testing"
)

// BenchmarkLinesWithOpenBuilds feeds builds that start, print and stop
// while open builds (1,000 or 10,000) are left running, as a log of a run
// stopped half-way has them. The cost per line (the ns/line metric) must
// not grow with the open builds: issue 9 measured every stop scanning all
// of them (400,000 lines: 23 s instead of 1.2 s).
func BenchmarkLinesWithOpenBuilds(b *testing.B) {
	for _, open := range []int{1000, 10000} {
		b.Run("open="+strconv.Itoa(open), func(b *testing.B) {
			var setup [][]byte
			for k := 1; k <= open; k++ {
				setup = append(setup, []byte(fmt.Sprintf(`@nix {"action":"start","fields":["/nix/store/%032d-open-%d.drv","",1,1],"id":%d,"level":3,"text":"building","type":105}`, k, k, k)))
			}
			var lines [][]byte
			const short = 4000
			for k := open + 1; k <= open+short; k++ {
				lines = append(lines,
					[]byte(fmt.Sprintf(`@nix {"action":"start","fields":["/nix/store/%032d-short-%d.drv","",1,1],"id":%d,"level":3,"text":"building","type":105}`, k, k, k)),
					[]byte(fmt.Sprintf(`@nix {"action":"result","fields":["compiling %d"],"id":%d,"type":101}`, k, k)),
					[]byte(fmt.Sprintf(`@nix {"action":"stop","id":%d}`, k)))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				// Room for every open build: at the default limit of
				// 10,000 activities, starts beyond it are dropped.
				s := NewState(Options{Limits: Limits{Activities: 100000}})
				for _, l := range setup {
					s.Feed(l)
				}
				b.StartTimer()
				for _, l := range lines {
					s.Feed(l)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
		})
	}
}
