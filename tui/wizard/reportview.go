package wizard

import (
	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/tui/doctorview"
	"github.com/nixboard/nixboard/tui/theme"
)

// renderReport draws the detection report with the doctor's own view.
func renderReport(r detect.Report, width int, s theme.Styles) string {
	return doctorview.Render(r, width, s)
}
