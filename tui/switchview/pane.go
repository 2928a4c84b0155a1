package switchview

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/nixlog"
)

// maxPlannedRows bounds the planned builds a snapshot copies: the pane
// shows a handful, and counts the rest.
const maxPlannedRows = 16

// paneItem is one row of the running pane's list, and what it counts
// towards when it does not fit and the pane sums it up instead.
type paneItem struct {
	row  string
	kind paneKind
}

type paneKind int

const (
	paneFailed paneKind = iota
	paneCancelled
	paneRunning
	paneCache
	paneBuilder
	panePlanned
	paneDone
)

// rowsRunning are the running activities as the pane lists them: a NAR's
// transfer is not a row of its own but its store path copy's, which shows
// the transfer's bytes and stall while it runs (the copy's own bytes move
// only once the NAR has arrived). Nix 2.26 links them as parent and child,
// nixlog links them on Nix 2.8 (Activity.Copy).
func (m Model) rowsRunning() []nixlog.Activity {
	nar := map[uint64]nixlog.Activity{}
	for _, a := range m.running {
		if a.Type == nixlog.ActFileTransfer && a.Copy != 0 {
			nar[a.Copy] = a
		}
	}
	if len(nar) == 0 {
		return m.running
	}
	copies := map[uint64]bool{}
	for _, a := range m.running {
		if _, ok := nar[a.ID]; ok {
			copies[a.ID] = true
		}
	}
	out := make([]nixlog.Activity, 0, len(m.running))
	for _, a := range m.running {
		if a.Type == nixlog.ActFileTransfer && copies[a.Copy] {
			continue
		}
		if t, ok := nar[a.ID]; ok {
			a.Done, a.Expected, a.Moved = t.Done, t.Expected, t.Moved
		}
		out = append(out, a)
	}
	return out
}

// paneTitle is the running pane's title: what runs now, then what is
// planned and what ended, so the counts are there when the list is cut.
func (m Model) paneTitle() string {
	st := m.cfg.Styles
	title := st.Title.Render(fmt.Sprintf("Running now (%d)", len(m.rowsRunning())))
	var more []string
	if n := m.plannedCount(); n > 0 {
		more = append(more, fmt.Sprintf("%d %s", n, m.plannedWord()))
	}
	if m.header.BuildsDone > 0 {
		more = append(more, fmt.Sprintf("%d built", m.header.BuildsDone))
	}
	if m.header.DownloadsDone > 0 {
		more = append(more, fmt.Sprintf("%d downloaded", m.header.DownloadsDone))
	}
	if m.header.BuildsFailed > 0 {
		more = append(more, fmt.Sprintf("%d failed", m.header.BuildsFailed))
	}
	if len(more) == 0 {
		return title
	}
	return title + st.Subtle.Render(" · "+strings.Join(more, " · "))
}

// stopped says nix starts no more builds: one failed, and the command
// line does not say --keep-going.
func (m Model) stopped() bool {
	return m.header.BuildsFailed > 0 && m.stopsAfterFailure
}

// plannedWord is what the planned builds are: "planned", or "not run"
// once nix stopped starting builds.
func (m Model) plannedWord() string {
	if m.stopped() {
		return "not run"
	}
	return "planned"
}

// plannedCount is how many builds nix will still start: those it named in
// its plan, or, when it printed none (Nix 2.8), what its counts leave.
func (m Model) plannedCount() int {
	h := m.header
	left := h.BuildsExpected - h.BuildsDone - h.BuildsRunning - h.BuildsFailed
	if m.plannedTotal == 0 {
		// Without a plan the total is nix's own count, which holds a
		// derivation for each download until it ends (NIX-NOTES).
		left -= h.DownloadsExpected - h.DownloadsDone
	}
	return max(m.plannedTotal, left, 0)
}

// paneItems lists the running pane's rows, most relevant first: the
// builds that failed, those nix stopped because of it, what runs now
// (builds with their phase and how long they usually take, downloads with
// their bytes), one row per cache while paths come from more than one, the
// builds nix will start next, and one row for all that succeeded.
func (m Model) paneItems() []paneItem {
	st := m.cfg.Styles
	var items []paneItem
	for i := len(m.builds) - 1; i >= 0; i-- {
		b := m.builds[i]
		if b.Status == nixlog.BuildCancelled {
			row := fmt.Sprintf("%-8s %s  nix stopped it when a build failed", "stopped", b.Name)
			items = append(items, paneItem{row: st.Warn.Render(row), kind: paneCancelled})
		}
		if b.Status != nixlog.BuildFailed {
			continue
		}
		left := fmt.Sprintf("%-8s %s", "✗ failed", b.Name)
		if b.Phase != "" {
			left += "  in " + b.Phase
		}
		if b.ID == m.logBuildID {
			left += "  (its log is below)"
		}
		took := time.Duration(0)
		if !b.End.IsZero() {
			took = b.End.Sub(b.Start)
		}
		items = append(items, paneItem{row: m.rightAligned(st.Fail.Render(left), nixlog.Clock(took)), kind: paneFailed})
	}
	for _, a := range m.rowsRunning() {
		items = append(items, paneItem{row: m.activityLine(a), kind: paneRunning})
	}
	for _, row := range m.cacheLines() {
		items = append(items, paneItem{row: row, kind: paneCache})
	}
	if len(m.builders) > 1 && !m.done {
		// One row per machine once builds run on more than one (nix's
		// remote builders).
		for _, b := range m.builders {
			left := fmt.Sprintf("%-8s %s  %s", "builder", nixlog.BuilderName(b.Machine), textwrap.Count(b.Builds, "build", "builds"))
			if b.Running > 0 {
				left += fmt.Sprintf(", %d running", b.Running)
			}
			items = append(items, paneItem{row: left, kind: paneBuilder})
		}
	}
	if m.stopped() {
		// Nix starts nothing more after a failure (no --keep-going):
		// what it planned will not be built, whatever still runs.
		if n := m.plannedCount(); n > 0 {
			row := fmt.Sprintf("%-8s %s: nix stops after a failed build", "not run", textwrap.Count(n, "planned build", "planned builds"))
			items = append(items, paneItem{row: st.Subtle.Render(row), kind: panePlanned})
		}
		return m.finishItems(items)
	}
	for _, p := range m.planned {
		right := ""
		if p.Known {
			right = usually(p.Typical)
		}
		items = append(items, paneItem{row: m.rightAligned(st.Subtle.Render(fmt.Sprintf("%-8s %s", "planned", p.Name)), right), kind: panePlanned})
	}
	if unnamed := m.plannedCount() - len(m.planned); unnamed > 0 {
		words := textwrap.Count(unnamed, "build", "builds")
		if len(m.planned) > 0 {
			words = textwrap.Count(unnamed, "more build", "more builds")
		}
		items = append(items, paneItem{row: st.Subtle.Render(fmt.Sprintf("%-8s %s", "planned", words)), kind: panePlanned})
	}
	return m.finishItems(items)
}

// finishItems adds the row of what succeeded and puts the items in their
// order: failures before the builds nix stopped because of them, and so
// on down.
func (m Model) finishItems(items []paneItem) []paneItem {
	if row := m.doneRow(); row != "" {
		items = append(items, paneItem{row: row, kind: paneDone})
	}
	slices.SortStableFunc(items, func(a, b paneItem) int { return int(a.kind) - int(b.kind) })
	return items
}

// doneRow sums up what succeeded in one row: how many builds and
// downloads, then the builds' names, newest first, as far as they fit.
func (m Model) doneRow() string {
	parts := m.doneParts()
	if len(parts) == 0 {
		return ""
	}
	row := m.cfg.Styles.OK.Render("✓ " + strings.Join(parts, ", "))
	var names []string
	for i := len(m.builds) - 1; i >= 0; i-- {
		if b := m.builds[i]; b.Status == nixlog.BuildSucceeded {
			names = append(names, b.Name)
		}
	}
	if len(names) > 0 {
		row += m.cfg.Styles.Subtle.Render(": " + strings.Join(names, ", "))
	}
	return m.fit(row)
}

// doneParts are what succeeded in words: "5 built", "3 downloaded (2 MiB)".
func (m Model) doneParts() []string {
	h := m.header
	var parts []string
	if h.BuildsDone > 0 {
		parts = append(parts, fmt.Sprintf("%d built", h.BuildsDone))
	}
	if h.DownloadsDone > 0 {
		d := fmt.Sprintf("%d downloaded", h.DownloadsDone)
		if h.BytesDone > 0 {
			d += " (" + nixlog.Size(h.BytesDone) + ")"
		}
		parts = append(parts, d)
	}
	return parts
}

// paneRows fits the list into n rows: the warning that nothing was printed
// for a while first, then the list; when it is longer than the rows left,
// the last row counts what it leaves out.
func (m Model) paneRows(n int) []string {
	st := m.cfg.Styles
	rows := m.quietLines()
	if len(rows) >= n {
		return rows[:n]
	}
	items := m.paneItems()
	left := n - len(rows)
	if len(items) == 0 {
		return append(rows, st.Subtle.Render("nothing running"))
	}
	if len(items) <= left {
		for _, it := range items {
			rows = append(rows, m.fit(it.row))
		}
		return rows
	}
	// With one row left it shows the most relevant item: the title
	// counts the rest.
	if left == 1 {
		return append(rows, m.fit(items[0].row))
	}
	shown := items[:left-1]
	for _, it := range shown {
		rows = append(rows, m.fit(it.row))
	}
	var counts [paneDone + 1]int
	for _, it := range items[left-1:] {
		counts[it.kind]++
	}
	var more []string
	if c := counts[paneFailed]; c > 0 {
		more = append(more, fmt.Sprintf("%d failed", c))
	}
	if c := counts[paneCancelled]; c > 0 {
		more = append(more, fmt.Sprintf("%d stopped", c))
	}
	if c := counts[paneRunning]; c > 0 {
		more = append(more, fmt.Sprintf("%d running", c))
	}
	if c := counts[paneCache]; c > 0 {
		more = append(more, textwrap.Count(c, "cache", "caches"))
	}
	if c := counts[paneBuilder]; c > 0 {
		more = append(more, textwrap.Count(c, "builder", "builders"))
	}
	if counts[panePlanned] > 0 {
		// Planned items may be one row for many builds: count builds.
		// The row of unnamed ones comes last, so a shown planned row
		// is one named build.
		c := m.plannedCount()
		for _, it := range shown {
			if it.kind == panePlanned {
				c--
			}
		}
		more = append(more, fmt.Sprintf("%d %s", max(c, 1), m.plannedWord()))
	}
	if counts[paneDone] > 0 {
		more = append(more, m.doneParts()...)
	}
	return append(rows, m.fit(st.Subtle.Render("… and "+strings.Join(more, ", "))))
}

// typicalWords says how long a running build usually takes here, or ""
// when this machine never built it.
func (m Model) typicalWords(id uint64) string {
	d, ok := m.typical[id]
	if !ok {
		return ""
	}
	return usually(d)
}

// usually says a build's typical duration: "usually 2m10s".
func usually(d time.Duration) string {
	if d < time.Second {
		return "usually under 1s"
	}
	return "usually " + eta.FormatLeft(d)
}
