package doctorview

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/tui/theme"
)

// fields is s's words with line continuations ("\") left out: the words a
// person reads, or a shell runs, in order.
func fields(s string) string {
	var out []string
	for _, f := range strings.Fields(s) {
		if f != "\\" {
			out = append(out, f)
		}
	}
	return " " + strings.Join(out, " ") + " "
}

// checkReport checks a report laid out at width: no line is wider, every
// label (check ids, summary labels) is whole on one line, and every
// message and fix is there word for word, in order (a fix broken only
// between shell words).
func checkReport(t *testing.T, r detect.Report, out string, width int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line is %d cells wide, more than %d: %q", w, width, l)
		}
	}
	words := fields(out)
	for _, label := range []string{"This machine", "Checks", "Platform", "home-manager", "Defaults"} {
		if !strings.Contains(out, label) {
			t.Errorf("label %q is not whole on a line", label)
		}
	}
	for _, c := range r.Checks {
		found := false
		for _, l := range lines {
			found = found || strings.Contains(" "+l+" ", " "+c.ID+" ")
		}
		if !found {
			t.Errorf("check id %q is not whole on a line", c.ID)
		}
		if !strings.Contains(words, fields(c.Message)) {
			t.Errorf("the message of %s is not there word for word: %q", c.ID, c.Message)
		}
		for _, fix := range strings.Split(c.Fix, "\n") {
			if fix != "" && !strings.Contains(words, fields(fix)) {
				t.Errorf("the fix of %s is not there word for word: %q", c.ID, fix)
			}
		}
	}
}

// TestReportAtEverySize lays every demo machine's report out at 60, 80
// and 120 columns.
func TestReportAtEverySize(t *testing.T) {
	for _, name := range detect.DemoNames() {
		r := demoReport(t, name)
		for _, width := range []int{60, 80, 120} {
			t.Run(fmt.Sprintf("%s/%d", name, width), func(t *testing.T) {
				checkReport(t, r, Render(r, width, theme.New(true, true)), width)
				checkReport(t, r, ansi.Strip(Render(r, width, theme.New(true, false))), width)
			})
		}
	}
}

// TestReportReflows: the report drawn for 120 columns and then for 60 is
// laid out again, not the wide one cut.
func TestReportReflows(t *testing.T) {
	r := demoReport(t, "wsl-ubuntu")
	wide, narrow := Render(r, 120, theme.New(true, true)), Render(r, 60, theme.New(true, true))
	checkReport(t, r, wide, 120)
	checkReport(t, r, narrow, 60)
	if strings.Count(narrow, "\n") <= strings.Count(wide, "\n") {
		t.Errorf("the report at 60 columns has no more lines than at 120:\n%s", narrow)
	}
}
