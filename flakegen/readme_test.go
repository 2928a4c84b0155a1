package flakegen

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEAnswersExample keeps the answers file shown in the README, which
// people copy, a file nixboard accepts.
func TestREADMEAnswersExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "### The answers file")
	if !ok {
		t.Fatal("README.md has no section on the answers file")
	}
	_, rest, ok = strings.Cut(rest, "```json\n")
	example, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("the answers file section has no json example")
	}
	a, err := Parse([]byte(example))
	if err != nil {
		t.Fatalf("the README's example is refused: %v", err)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("the README's example does not validate: %v", err)
	}
	if a.Base != nil || a.HomeBase.ShellAliases["ll"] != "ls -l" {
		t.Errorf("the example lost keys on the way: %+v", a)
	}
}
