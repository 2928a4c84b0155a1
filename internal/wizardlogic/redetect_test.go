package wizardlogic

import (
	"testing"

	"github.com/nixboard/nixboard/flakegen"
)

// An Intel Mac's answers on Apple Silicon under a new host name: the two
// changes are found, each applies either way, and nothing else differs.
func TestDetectedChanges(t *testing.T) {
	old := flakegen.DefaultFor("darwin", "x86_64-darwin")
	old.Hostname, old.HomeBase.Username, old.HomeBase.HomeDirectory = "old-mac", "alice", "/Users/alice"
	now := old
	now.System, now.Hostname = "aarch64-darwin", "new-mac"
	got := DetectedChanges(&old, now)
	if len(got) != 2 || got[0].Field != "hostname" || got[1].Field != "system" {
		t.Fatalf("changes = %+v", got)
	}
	if s := got[1].String(); s != "system: x86_64-darwin → aarch64-darwin" {
		t.Errorf("String = %q", s)
	}
	a := old
	got[0].Apply(&a, false)
	got[1].Apply(&a, true)
	if a.Hostname != "new-mac" || a.System != "x86_64-darwin" {
		t.Errorf("applied: host %q, system %q", a.Hostname, a.System)
	}
	if DetectedChanges(nil, now) != nil || DetectedChanges(&now, now) != nil {
		t.Error("changes without a previous run, or with the same values")
	}
	blank := now
	blank.Hostname = ""
	if c := DetectedChanges(&old, blank); len(c) != 1 || c[0].Field != "system" {
		t.Errorf("an undetected host name is a change: %+v", c)
	}
}
