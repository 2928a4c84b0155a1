package nixlog

import (
	"slices"
	"testing"
)

// TestOneReadingOfWarnings: the state's level decision and the diagnosis's
// list of evaluation warnings read the prefix through one function, so they
// cannot disagree on what a warning is.
func TestOneReadingOfWarnings(t *testing.T) {
	for _, tt := range []struct {
		text    string
		warning bool
		eval    string // the evaluation warning listed, or ""
	}{
		{"warning: Git tree '/x' is dirty", true, ""},
		{"\x1b[35;1mwarning:\x1b[0m ignoring substitute", true, ""},
		{"trace: warning: programs.foo is deprecated", true, "programs.foo is deprecated"},
		{"\x1b[1mtrace: \x1b[35;1mwarning:\x1b[0m colour all the way", true, "colour all the way"},
		{"evaluation warning: lib.warn said so", true, "lib.warn said so"},
		{"\x1b[1;35mevaluation warning:\x1b[0m coloured lib.warn", true, "coloured lib.warn"},
		{"trace: just a trace", false, ""},
		{"error: warning: not at the start", false, ""},
	} {
		if got := isWarning([]byte(tt.text)); got != tt.warning {
			t.Errorf("isWarning(%q) = %v, want %v", tt.text, got, tt.warning)
		}
		got := evalWarnings([]Message{{Level: LvlWarn, Text: tt.text}})
		want := []string(nil)
		if tt.eval != "" {
			want = []string{tt.eval}
		}
		if !slices.Equal(got, want) {
			t.Errorf("evalWarnings(%q) = %q, want %q", tt.text, got, want)
		}
	}
}
