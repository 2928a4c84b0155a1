package wizard

import (
	"strings"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/tui/theme"
)

// renderReport draws the detection report. It is replaced by
// tui/doctorview.Render as soon as that lands.
func renderReport(r detect.Report, width int, s theme.Styles) string {
	var b strings.Builder
	for _, c := range r.Checks {
		mark := s.OK.Render("✓")
		switch c.Status {
		case detect.StatusWarn:
			mark = s.Warn.Render("!")
		case detect.StatusFail:
			mark = s.Fail.Render("✗")
		}
		b.WriteString(mark + " " + wrapText(c.Message, width-2) + "\n")
		if c.Fix != "" && c.Status != detect.StatusOK {
			b.WriteString("  " + s.Accent.Render(c.Fix) + "\n")
		}
	}
	return b.String()
}
