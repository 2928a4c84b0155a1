package wizard

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// sanitizeLine removes every escape sequence from a line of child output so
// it cannot move the cursor or retitle the terminal.
func sanitizeLine(s string) string {
	return strings.ReplaceAll(ansi.Strip(s), "\r", "")
}

// wrapText wraps plain text to width.
func wrapText(s string, width int) string {
	return ansi.Wordwrap(s, max(width, 20), "")
}
