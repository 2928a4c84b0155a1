package switchview

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/nixlog"
)

// tailLines returns n log lines numbered from `from`, every seventh one
// long enough to wrap at 80 columns and every eleventh coloured.
func tailLines(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		k := from + i
		switch {
		case k%7 == 0:
			out[i] = fmt.Sprintf("tail %05d %s end", k, strings.Repeat("long ", 40))
		case k%11 == 0:
			out[i] = fmt.Sprintf("\x1b[31mtail %05d red\x1b[0m", k)
		default:
			out[i] = fmt.Sprintf("tail %05d", k)
		}
	}
	return out
}

// wholeTail is the pane as it was before it followed with its visible rows
// only: every kept line wrapped, at the bottom.
func wholeTail(m Model) string {
	var rows []string
	for _, l := range m.state.LogTail(0) {
		if !m.showEval && l.EvaluatingFile() {
			continue
		}
		rows = m.appendWrapped(rows, nixlog.Sanitize(l.Text))
	}
	ref := m.vp
	ref.SetContentLines(rows)
	ref.GotoBottom()
	return ref.View()
}

// TestLogPaneFollowsAndScrollsWholeTail: the pane that follows shows what
// the whole kept tail at the bottom shows, across batches that push lines
// out of the tail and a new width, and scrolling up still reaches the
// oldest kept line.
func TestLogPaneFollowsAndScrollsWholeTail(t *testing.T) {
	kept := nixlog.DefaultLimits.TailLines
	src := &chunks{batches: [][]string{tailLines(0, 500), tailLines(500, kept), tailLines(500+kept, 300)}}
	m := newModel(src, 80, 24)
	for step, size := range [][2]int{{80, 24}, {80, 24}, {57, 30}} {
		m, _ = m.Update(m.read()())
		if size[0] != m.width || size[1] != m.height {
			m.SetSize(size[0], size[1])
		}
		m, _ = m.Update(tickMsg{})
		if got, want := m.vp.View(), wholeTail(m); got != want {
			t.Fatalf("batch %d at %dx%d: the pane shows\n%s\nthe whole tail at the bottom shows\n%s", step, size[0], size[1], ansi.Strip(got), ansi.Strip(want))
		}
	}
	newest := 500 + kept + 300 - 1
	oldest := newest - kept + 1
	last := fmt.Sprintf("tail %05d", newest)
	if v := ansi.Strip(m.vp.View()); !strings.Contains(v, last) {
		t.Fatalf("the followed pane lacks %q:\n%s", last, v)
	}
	// One row up shows the row above the followed rows.
	before := strings.Split(ansi.Strip(m.vp.View()), "\n")
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	after := strings.Split(ansi.Strip(m.vp.View()), "\n")
	if m.vp.AtBottom() || after[1] != before[0] {
		t.Errorf("up did not scroll one row: before\n%s\nafter\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	// Home reaches the oldest kept line, and nothing older.
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyHome})
	top := ansi.Strip(m.vp.View())
	if !strings.HasPrefix(top, fmt.Sprintf("tail %05d", oldest)) || strings.Contains(top, fmt.Sprintf("tail %05d", oldest-1)) {
		t.Errorf("home does not show the oldest kept line %d first:\n%s", oldest, top)
	}
	// f follows again with the newest line at the bottom.
	m, _ = m.Update(tea.KeyPressMsg{Code: 'f', Text: "f"})
	m, _ = m.Update(tickMsg{})
	if got, want := m.vp.View(), wholeTail(m); got != want || !strings.Contains(ansi.Strip(got), last) {
		t.Errorf("after f the pane shows\n%s\nwant\n%s", ansi.Strip(got), ansi.Strip(want))
	}
}
