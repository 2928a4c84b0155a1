package switchview

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/tui/theme"
)

// stallLog is a substitution as Nix 2.26 logs it (nixlog's
// testdata/logs/nix-2.26/download.log): a copy of a fixture store path
// from a fixture cache with the transfer of its NAR under it.
var stallLog = []string{
	`@nix {"action":"start","id":1,"level":0,"parent":0,"text":"","type":102}`,
	`@nix {"action":"start","fields":["/nix/store/ndszpsvcyngxpbf0n1s01c068jvspd71-fixture-payload-1.0","https://cache.example.invalid"],"id":10,"level":0,"parent":1,"text":"","type":108}`,
	`@nix {"action":"start","fields":["/nix/store/ndszpsvcyngxpbf0n1s01c068jvspd71-fixture-payload-1.0","https://cache.example.invalid","local"],"id":11,"level":3,"parent":10,"text":"copying path '/nix/store/ndszpsvcyngxpbf0n1s01c068jvspd71-fixture-payload-1.0' from 'https://cache.example.invalid'","type":100}`,
	`@nix {"action":"start","fields":["https://cache.example.invalid/nar/191rvc9ga7fll9q554bgwg5wxz6plqbxaxy7wz84f1yb8vish4j3.nar.xz"],"id":12,"level":4,"parent":11,"text":"downloading 'https://cache.example.invalid/nar/191rvc9ga7fll9q554bgwg5wxz6plqbxaxy7wz84f1yb8vish4j3.nar.xz'","type":101}`,
	`@nix {"action":"result","fields":[163840,300568,0,0],"id":12,"type":105}`,
}

// rowOf returns the view's row that contains text.
func rowOf(t *testing.T, view, text string) string {
	t.Helper()
	for _, r := range strings.Split(view, "\n") {
		if strings.Contains(ansi.Strip(r), text) {
			return r
		}
	}
	t.Fatalf("no row with %q in:\n%s", text, ansi.Strip(view))
	return ""
}

// TestStalledTransferRow: the NAR's transfer is not a row of its own but
// its copy's: once the transfer's bytes have not moved for
// nixlog.StallAfter, the copy's row says "stalled 25s" in the Warn style
// beside its clock, with the transfer's bytes, at 80 columns too; not
// before StallAfter, nor once the bytes move again.
func TestStalledTransferRow(t *testing.T) {
	for _, width := range []int{80, 160} {
		clock := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		t0 := clock
		batches := [][]string{stallLog,
			{`@nix {"action":"result","fields":[163840,300568,0,0],"id":12,"type":105}`},
			{`@nix {"action":"result","fields":[163840,300568,0,0],"id":12,"type":105}`},
			{`@nix {"action":"result","fields":[200000,300568,0,0],"id":12,"type":105}`}}
		styles := theme.New(true, false)
		m := New(Config{Source: &chunks{batches: batches}, Title: "replay test", Styles: styles, Now: func() time.Time { return clock }})
		m.SetSize(width, 24)
		frame := func(at time.Duration) string {
			clock = t0.Add(at)
			m, _ = m.Update(m.read()())
			m, _ = m.Update(tickMsg{})
			view := m.View()
			checkFrame(t, view, width, 24)
			return view
		}
		view := frame(0)
		if strings.Contains(ansi.Strip(view), "stalled") {
			t.Fatalf("stalled at the start:\n%s", ansi.Strip(view))
		}
		view = frame(19 * time.Second)
		if strings.Contains(ansi.Strip(view), "stalled") {
			t.Errorf("%d columns: stalled after 19s:\n%s", width, ansi.Strip(view))
		}
		view = frame(25 * time.Second)
		row := rowOf(t, view, "download fixture-payload-1.0")
		if !strings.Contains(row, styles.Warn.Render("stalled 25s")) || !strings.HasSuffix(ansi.Strip(row), "stalled 25s  0:25") {
			t.Errorf("%d columns: the copy's row %q", width, ansi.Strip(row))
		}
		if !strings.Contains(ansi.Strip(row), "160 KiB of 293 KiB") {
			t.Errorf("%d columns: the row lacks the transfer's bytes: %q", width, ansi.Strip(row))
		}
		if strings.Contains(ansi.Strip(view), "transfer ") {
			t.Errorf("%d columns: the NAR's transfer has a row of its own:\n%s", width, ansi.Strip(view))
		}
		view = frame(26 * time.Second)
		if strings.Contains(ansi.Strip(view), "stalled") {
			t.Errorf("%d columns: stalled after it moved:\n%s", width, ansi.Strip(view))
		}
	}
}

// TestActivityLineStall: a build never says stalled, whatever its age; a
// transfer says how long it has stood still from StallAfter on.
func TestActivityLineStall(t *testing.T) {
	m := New(Config{Source: &chunks{}, Title: "t", Styles: theme.New(true, true)})
	m.SetSize(80, 24)
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	m.now = t0.Add(time.Hour)
	build := nixlog.Activity{ID: 1, Type: nixlog.ActBuild, Name: "hello-2.12", Start: t0}
	if l := ansi.Strip(m.activityLine(build)); strings.Contains(l, "stalled") || !strings.HasSuffix(l, "1:00:00") {
		t.Errorf("build row %q", l)
	}
	xfer := nixlog.Activity{ID: 2, Type: nixlog.ActFileTransfer, Name: "https://cache.example.invalid/x.narinfo", Start: t0, Moved: m.now.Add(-nixlog.StallAfter)}
	if l := ansi.Strip(m.activityLine(xfer)); !strings.HasSuffix(l, "stalled 20s  1:00:00") || ansi.StringWidth(l) != 80 {
		t.Errorf("transfer row %q", l)
	}
	xfer.Moved = m.now.Add(-nixlog.StallAfter + time.Second)
	if l := ansi.Strip(m.activityLine(xfer)); strings.Contains(l, "stalled") {
		t.Errorf("transfer row before StallAfter %q", l)
	}
}
