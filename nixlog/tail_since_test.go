package nixlog

import (
	"fmt"
	"testing"
)

// TestLogTailSince checks that a reader asking for the lines after the
// number it saw gets exactly the new ones, and all kept ones once its
// number is older than the oldest kept line.
func TestLogTailSince(t *testing.T) {
	s := NewState(Options{Limits: Limits{TailLines: 5}})
	for i := 1; i <= 8; i++ {
		s.Feed([]byte(fmt.Sprintf("plain line %d", i)))
	}
	for _, tc := range []struct {
		seq        uint64
		first, n   int
		wantNewest uint64
	}{
		{seq: 0, first: 4, n: 5, wantNewest: 8},
		{seq: 3, first: 4, n: 5, wantNewest: 8},
		{seq: 5, first: 6, n: 3, wantNewest: 8},
		{seq: 7, first: 8, n: 1, wantNewest: 8},
		{seq: 8, n: 0, wantNewest: 8},
		{seq: 99, n: 0, wantNewest: 8},
	} {
		lines, newest, kept := s.LogTailSince(tc.seq)
		if newest != tc.wantNewest || kept != 5 || len(lines) != tc.n {
			t.Errorf("since %d: %d lines, newest %d, kept %d; want %d, %d, 5", tc.seq, len(lines), newest, kept, tc.n, tc.wantNewest)
			continue
		}
		for i, l := range lines {
			if want := fmt.Sprintf("plain line %d", tc.first+i); l.Text != want {
				t.Errorf("since %d: line %d is %q, want %q", tc.seq, i, l.Text, want)
			}
		}
	}
}
