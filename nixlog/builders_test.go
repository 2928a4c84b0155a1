package nixlog

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBuildersInTheStream: builds on this machine and on a remote builder
// (the machine is the build activity's second field) are counted per
// machine, and the progress event says so in JSON and in its plain line;
// builds on one machine only add nothing.
func TestBuildersInTheStream(t *testing.T) {
	s, _ := newTestState(Limits{})
	st := NewStream(s, StreamOptions{})
	feedAll(s, `@nix {"action":"start","fields":["`+drvA+`","",1,1],"id":10,"level":3,"parent":0,"text":"","type":105}`)
	for _, e := range st.Poll(true) {
		if e.Progress != nil && len(e.Progress.Builders) != 0 {
			t.Errorf("one machine, but builders %+v", e.Progress.Builders)
		}
	}
	feedAll(s, `@nix {"action":"start","fields":["`+drvB+`","ssh-ng://mac-mini",1,1],"id":11,"level":3,"parent":0,"text":"","type":105}
@nix {"action":"stop","id":10}`)
	var got *ProgressInfo
	var plain []string
	for _, e := range st.Poll(true) {
		if e.Progress != nil {
			got, plain = e.Progress, e.PlainLines()
		}
	}
	if got == nil {
		t.Fatal("no progress event")
	}
	b, _ := json.Marshal(got.Builders)
	if string(b) != `[{"machine":"","builds":1,"running":0},{"machine":"ssh-ng://mac-mini","builds":1,"running":1}]` {
		t.Errorf("builders %s", b)
	}
	if len(plain) != 1 || !strings.HasSuffix(plain[0], "; on this machine 1 build, on ssh-ng://mac-mini 1 build (1 running)") {
		t.Errorf("plain %q", plain)
	}
	if rows := s.Builders(); len(rows) != 2 || rows[1].Machine != "ssh-ng://mac-mini" {
		t.Errorf("Builders() = %+v", rows)
	}
}
