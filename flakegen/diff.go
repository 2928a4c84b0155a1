package flakegen

import (
	"fmt"

	"github.com/aymanbagabas/go-udiff"
)

// UnifiedDiff returns a unified diff (3 lines of context) from old to new,
// labelled with the two names, or "" when they are equal. The line diff is
// go-udiff's (the Go tools' Myers diff), linear in memory, so a large file
// the person keeps in the configuration directory costs little to review.
func UnifiedDiff(oldName, newName string, old, new []byte) string {
	if string(old) == string(new) {
		return ""
	}
	before, after := string(old), string(new)
	d, err := udiff.ToUnified(oldName, newName, before, udiff.Lines(before, after), udiff.DefaultContextLines)
	if err != nil {
		// udiff.Lines computes the edits from before itself, so they always
		// apply to it; an error here is a bug in the library, not an input
		// the person can fix.
		panic(fmt.Sprintf("flakegen: go-udiff gave edits that do not apply to their own input: %v", err))
	}
	return d
}
