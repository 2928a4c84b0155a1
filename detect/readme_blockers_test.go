package detect

import (
	"os"
	"strings"
	"testing"
)

// TestREADMETroubleshootingCoversEveryBlocker: every check whose failure
// blocks a switch (blockerReasons) has a row in the README's
// Troubleshooting section, saying what doctor shows for it.
func TestREADMETroubleshootingCoversEveryBlocker(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Troubleshooting\n")
	if !ok {
		t.Fatal("README.md has no Troubleshooting section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for id := range blockerReasons {
		if !strings.Contains(section, "| `"+id+"` | `✗ "+id+" ") {
			t.Errorf("the README's Troubleshooting section has no row for the check %s showing doctor's ✗ line", id)
		}
	}
}
