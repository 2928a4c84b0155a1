package wizard

import (
	"strings"

	"github.com/nixboard/nixboard/internal/textwrap"
)

// wrapText wraps plain text to width at word boundaries (see textwrap.Words).
func wrapText(s string, width int) string {
	return strings.Join(textwrap.Words(s, width), "\n")
}
