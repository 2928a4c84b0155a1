package switchview

import (
	"testing"

	"github.com/nixboard/nixboard/nixlog"
)

// BenchmarkRefreshLogFollowing is one frame of the log pane at 10,000
// lines a second and 15 frames a second: about 667 new lines (every
// seventh wrapping) into a full 2000-line tail, the pane following it.
func BenchmarkRefreshLogFollowing(b *testing.B) {
	st := nixlog.NewState(nixlog.Options{})
	m := New(Config{State: st, Source: &chunks{}})
	m.SetSize(120, 40)
	const perFrame = 10000 / FrameRate
	batches := make([][]nixlog.RawLine, 8)
	for i := range batches {
		for _, l := range tailLines(i*perFrame, perFrame) {
			batches[i] = append(batches[i], nixlog.RawLine{Text: []byte(l)})
		}
	}
	for i := range 4 {
		st.FeedLines(batches[i%len(batches)])
	}
	m.refreshLog()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		st.FeedLines(batches[i%len(batches)])
		m.refreshLog()
	}
}
