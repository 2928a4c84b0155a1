package switchview

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestEvaluatingFileLinesHidden: Nix's "evaluating file" lines (-v) stay
// out of the log pane, whose title counts them; v shows them and hides
// them again.
func TestEvaluatingFileLinesHidden(t *testing.T) {
	m := endedReplay(t, "build-ok.log", 120, 60, false)
	// A pane that follows the tail holds only its visible rows; the whole
	// kept tail is what scrolling up reaches.
	pane := func() string { m.fillLog(); return m.vp.GetContent() }
	if strings.Contains(pane(), "evaluating file") {
		t.Errorf("the pane shows evaluating-file lines:\n%s", pane())
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "3 evaluating-file lines hidden, v shows them") {
		t.Errorf("the log title does not count the hidden lines:\n%s", v)
	}
	if !strings.Contains(strings.Join(keysOf(m), " "), "v") {
		t.Errorf("the key help lacks v: %v", keysOf(m))
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'v', Text: "v"})
	if n := strings.Count(pane(), "evaluating file"); n != 3 {
		t.Errorf("after v the pane shows %d evaluating-file lines, want 3:\n%s", n, pane())
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'v', Text: "v"})
	if strings.Contains(pane(), "evaluating file") {
		t.Errorf("a second v does not hide them again:\n%s", pane())
	}
}

func keysOf(m Model) []string {
	var out []string
	for _, k := range m.Keys() {
		out = append(out, k[0])
	}
	return out
}
