package nixlog_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/nixlog"
)

// replayAll reads a replay to its end and returns its lines.
func replayAll(t *testing.T, rep *nixlog.Replay) []string {
	t.Helper()
	var lines []string
	for {
		batch, err := rep.Next()
		if errors.Is(err, io.EOF) {
			return lines
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range batch {
			lines = append(lines, string(l.Text))
		}
	}
}

// TestDemoReplayFor: the replay for the demo shows the demo machine's user
// and home instead of the recording's placeholders, in plain lines and in
// Nix's JSON lines alike, and the JSON stays valid whatever the name holds.
func TestDemoReplayFor(t *testing.T) {
	tests := []struct {
		name string
		id   nixlog.DemoIdentity
		want []string // lines (or parts of lines) the replay must show
	}{
		{"linux user", nixlog.DemoIdentity{User: "ada", Home: "/home/ada", Host: "thinkpad-x1"},
			[]string{"Creating home file links in /home/ada", "Git tree '/home/ada/.config/home-manager' is dirty"}},
		{"mac user", nixlog.DemoIdentity{User: "ada", Home: "/Users/ada", Host: "Adas-MacBook-Pro"},
			[]string{"Creating home file links in /Users/ada"}},
		{"characters JSON escapes", nixlog.DemoIdentity{User: "o'brien", Home: `/home/o"brien\x`, Host: "h"},
			[]string{`Creating home file links in /home/o"brien\x`}},
		{"no identity keeps the fixture's", nixlog.DemoIdentity{},
			[]string{"Creating home file links in /home/fixture"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lines := replayAll(t, nixlog.DemoReplayFor(tt.id, 0))
			text := strings.Join(lines, "\n")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the replay lacks %q", w)
				}
			}
			if strings.Contains(text, "@DEMO_") {
				t.Error("a placeholder survived the substitution")
			}
			if tt.id.Home != "" && strings.Contains(text, "/home/fixture") {
				t.Error("the fixture's home survived the substitution")
			}
			home := tt.id.Home
			if home == "" {
				home = nixlog.FixtureIdentity.Home
			}
			sawJSONHome := false
			for _, l := range lines {
				js, ok := strings.CutPrefix(l, "@nix ")
				if !ok {
					continue
				}
				var ev struct {
					Msg string `json:"msg"`
				}
				if err := json.Unmarshal([]byte(js), &ev); err != nil {
					t.Fatalf("a JSON line no longer parses: %v\n%s", err, l)
				}
				if strings.Contains(ev.Msg, "Git tree '"+home+"/.config/home-manager'") {
					sawJSONHome = true
				}
			}
			if !sawJSONHome {
				t.Errorf("no JSON message names %s/.config/home-manager", home)
			}
			// The switch still replays as a success.
			s := nixlog.NewState(nixlog.Options{})
			for _, l := range lines {
				s.Feed([]byte(l))
			}
			if d := nixlog.DiagnoseReplay(s); !d.OK {
				t.Errorf("the substituted recording does not replay as a success: %+v", d)
			}
		})
	}
	// The recording itself holds the placeholder, never a real home.
	if rec := nixlog.DemoRecording(); bytes.Contains(rec, []byte("@DEMO_")) {
		t.Error("DemoRecording still shows placeholders")
	}
}

// TestDemoInstallReplay: the demo's installer transcripts replay as a
// short, paced run that ends in success, say what they are, and exist only
// for the installers the demo machine without Nix is offered.
func TestDemoInstallReplay(t *testing.T) {
	tests := []struct {
		option string
		last   string
		min    time.Duration
	}{
		{"determinate", "Nix was installed successfully!", 5 * time.Second},
		{"upstream-daemon", "Alright! We're done!", 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.option, func(t *testing.T) {
			rep, err := nixlog.DemoInstallReplay(tt.option, nixlog.DemoIdentity{User: "ada", Home: "/home/ada"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			lines := replayAll(t, rep)
			text := strings.Join(lines, "\n")
			if len(lines) < 10 || !strings.Contains(text, tt.last) {
				t.Errorf("transcript of %d lines lacks %q", len(lines), tt.last)
			}
			if !strings.Contains(lines[0], "not a recording of a real install") {
				t.Errorf("the transcript does not say what it is: %q", lines[0])
			}
			if strings.Contains(text, "@nixboard") || strings.Contains(text, "@DEMO_") {
				t.Error("a marker or placeholder reached the lines")
			}
			if rep.Elapsed() < tt.min || rep.Elapsed() > 30*time.Second {
				t.Errorf("transcript lasts %s, want a believable few seconds", rep.Elapsed())
			}
		})
	}
	if _, err := nixlog.DemoInstallReplay("upstream-single-user", nixlog.DemoIdentity{}, 0); err == nil {
		t.Error("an installer without a transcript must be an error")
	}
}

// BenchmarkDemoRecordingFor measures the substitution the demo pays once
// per switch replay.
func BenchmarkDemoRecordingFor(b *testing.B) {
	id := nixlog.DemoIdentity{User: "ada", Home: "/home/ada", Host: "thinkpad-x1"}
	for b.Loop() {
		if len(nixlog.DemoRecordingFor(id)) == 0 {
			b.Fatal("empty recording")
		}
	}
}
