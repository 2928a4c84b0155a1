package doctorview

import (
	"io"
	"os"
	"strconv"

	"github.com/charmbracelet/x/term"
)

// Width is the width to lay a report out in for out: the terminal's when
// out is one, else COLUMNS (as getenv gives it), else 80.
func Width(out io.Writer, isTTY bool, getenv func(string) string) int {
	if f, ok := out.(*os.File); ok && isTTY {
		if w, _, err := term.GetSize(f.Fd()); err == nil && w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 80
}
