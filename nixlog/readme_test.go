package nixlog

import (
	"os"
	"strings"
	"testing"
)

// readmeSection returns the README's section under the heading "## "+title,
// up to the next section of that level.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## "+title+"\n")
	if !ok {
		t.Fatalf("README.md has no section %q", title)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	return section
}

// TestREADMETroubleshootingCoversEveryClass keeps the README's
// Troubleshooting table in step with the diagnosis: every class a failed
// run can get has a row, with what the screen says, and no row names a
// class that does not exist.
func TestREADMETroubleshootingCoversEveryClass(t *testing.T) {
	section := readmeSection(t, "Troubleshooting")
	known := map[string]bool{}
	for _, c := range FailureClasses() {
		known[c.String()] = true
		row := ""
		for _, line := range strings.Split(section, "\n") {
			if strings.HasPrefix(line, "| `"+c.String()+"` |") {
				row = line
			}
		}
		if row == "" {
			t.Errorf("the README's Troubleshooting section has no row for the class %s", c)
			continue
		}
		// What the screen's result line says (ResultLine).
		want := "`switch failed:"
		if c == ClassNotALog {
			want = "`" + ReasonNotALog + "`"
		}
		if !strings.Contains(row, want) {
			t.Errorf("the row for %s does not show the screen's result line (%s...): %s", c, want, row)
		}
	}
	for _, line := range strings.Split(section, "\n") {
		name, ok := strings.CutPrefix(line, "| `")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, "`")
		if !known[name] && !strings.Contains(name, ".") {
			t.Errorf("the README names a class %q that nixlog does not have", name)
		}
	}
	// The fixed reasons are the ones the code gives.
	for _, reason := range []string{ReasonLogEnds, "flakes are not enabled", "the Nix daemon is not reachable", "no Nix profile directory"} {
		if !strings.Contains(section, "`switch failed: "+reason+"`") {
			t.Errorf("the Troubleshooting section does not show the reason %q", reason)
		}
	}
}
