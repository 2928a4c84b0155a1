package switchview

import (
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/tui/theme"
)

// batchSource hands out fixed batches, then io.EOF.
type batchSource struct{ batches [][]nixlog.RawLine }

func (b *batchSource) Next() ([]nixlog.RawLine, error) {
	if len(b.batches) == 0 {
		return nil, io.EOF
	}
	out := b.batches[0]
	b.batches = b.batches[1:]
	return out, nil
}

// readLog returns every line of a recorded log with its time.
func readLog(t *testing.T, path string) []nixlog.RawLine {
	t.Helper()
	rep, err := nixlog.OpenReplay(path, nixlog.ReplayOptions{Speed: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	var all []nixlog.RawLine
	for {
		batch, err := rep.Next()
		for _, l := range batch {
			all = append(all, nixlog.RawLine{Text: append([]byte(nil), l.Text...), At: l.At})
		}
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestHeaderShowsTimeLeft: with a history of the builds (a first run of
// the same recorded switch), the header at 80x24 says the time left as the
// plain line does; without one the estimate is unknown and shows nothing.
func TestHeaderShowsTimeLeft(t *testing.T) {
	lines := readLog(t, filepath.Join("..", "..", "nixlog", "testdata", "logs", "nix-2.26", "switch-ok.log"))
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h, err := eta.OpenHistory(filepath.Join(t.TempDir(), "builds.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The first run records how long each build took.
	cur := base
	now := func() time.Time { return cur }
	first := nixlog.NewState(nixlog.Options{Now: now})
	feed := eta.NewFeed(h, eta.FeedOptions{Now: now})
	for _, l := range lines {
		cur = base.Add(l.At)
		one := []nixlog.RawLine{l}
		first.FeedLines(one)
		feed.Lines(one)
		feed.Update(first)
	}
	first.Finish(true)
	feed.Finish(first)

	// The second run stops where nix planned the three builds (line 33
	// of the recording: 4.41s left in internal/eta's own test).
	for _, tc := range []struct {
		name string
		hist *eta.History
		want string
	}{
		{"with history", h, "about 4s left"},
		{"without history", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur := base.Add(lines[32].At)
			now := func() time.Time { return cur }
			st := nixlog.NewState(nixlog.Options{Now: now})
			m := New(Config{
				Source:   &batchSource{batches: [][]nixlog.RawLine{lines[:33]}},
				State:    st,
				Now:      now,
				Title:    "switch test",
				Styles:   theme.New(true, false),
				Estimate: eta.NewFeed(tc.hist, eta.FeedOptions{Now: now}),
			})
			m.SetSize(80, 24)
			m, _ = m.Update(m.read()())
			m, _ = m.Update(tickMsg{})
			header := ansi.Strip(strings.Join(m.headerLines(), "\n"))
			if tc.want != "" && !strings.Contains(header, tc.want) {
				t.Errorf("header lacks %q:\n%s", tc.want, header)
			}
			if tc.want == "" && strings.Contains(header, "left") {
				t.Errorf("header shows an unknown estimate:\n%s", header)
			}
			checkFrame(t, m.View(), 80, 24)
		})
	}
}
