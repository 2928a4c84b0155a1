package detect_test

import (
	"os"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/detect"
)

// TestREADMEListsEveryCheck keeps the README's table of check ids, which
// people read to understand doctor's output, in step with the code.
func TestREADMEListsEveryCheck(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range detect.CheckIDs {
		if seen[c.ID] {
			t.Errorf("check id %s is listed twice", c.ID)
		}
		seen[c.ID] = true
		if !strings.Contains(string(readme), "| `"+c.ID+"` |") {
			t.Errorf("README.md has no row for the check %s", c.ID)
		}
	}
}
