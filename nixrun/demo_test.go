package nixrun_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/nixrun/switchtest"
)

// The -update flag is shared with the log reader's tests (package nixrun
// registers it first when its tests are built in); it is registered here
// only when nobody else did.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "record the demo and the test logs again from real nix runs")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// demoHeader is the first line of the demo recording.
const demoHeader = "nixboard demo: a recording of a real switch of nixboard's FIXTURE home-manager (a test stand-in, not home-manager); paths shortened"

// TestRecordDemo records the demo with -update: a real switch of the
// fixture, downloading from a throttled local cache and building at a
// believable pace. Without -update it checks the embedded recording.
func TestRecordDemo(t *testing.T) {
	if updating() {
		recordDemo(t)
	}
	rep := nixrun.DemoReplay(0)
	s := nixrun.NewState(nixrun.Options{Now: rep.Clock()})
	n := 0
	for {
		batch, err := rep.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range batch {
			if bytes.HasPrefix(l.Text, []byte("@nixboard ")) && !bytes.Contains(l.Text, []byte(`"exit"`)) {
				t.Fatalf("the replay handed on a time marker: %s", l.Text)
			}
			s.Feed(l.Text)
			n++
		}
	}
	if d := nixrun.DiagnoseReplay(s); !d.OK {
		t.Errorf("the demo recording does not replay as a success: %+v", d)
	}
	sum := s.Summary()
	if sum.Downloaded != 3 || sum.Built < 5 || sum.Elapsed < 2e9 {
		t.Errorf("demo summary = %+v, want 3 downloads, 5 builds, a few seconds", sum)
	}
	rec := nixrun.DemoRecording()
	if !bytes.HasPrefix(rec, []byte(demoHeader)) || bytes.Contains(rec, []byte("/tmp/")) {
		t.Errorf("the recording lacks its header or still holds temporary paths")
	}
	for _, name := range []string{"hm_.bashrc", "home-manager-files", "home-manager-generation", "git-", "tmux-", "neovim-", "Activating checkLinkTargets"} {
		if !bytes.Contains(rec, []byte(name)) {
			t.Errorf("the recording does not mention %s", name)
		}
	}
	t.Logf("demo: %d lines, %+v", n, sum)
}

func recordDemo(t *testing.T) {
	f := switchtest.New(t, switchtest.Config{Cache: true, Pace: "0.25", Throttle: 160 << 10})
	s, exitErr, r, _ := runSwitch(t, f)
	if exitErr != nil {
		t.Fatalf("recording switch failed: %v", exitErr)
	}
	_ = s
	data, err := os.ReadFile(r.LogPath())
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	root := filepath.Dir(f.Home)
	// The person's paths become the documented placeholders, which the
	// demo replaces with the demo machine's. At one position the first
	// matching pair wins, so longer paths come before their prefixes
	// (HomeManager before Home, which is a prefix of it).
	text = strings.NewReplacer(
		f.Dir, nixrun.DemoHomePlaceholder+"/.config/home-manager",
		f.HomeManager, "/fixture/home-manager",
		f.Nixpkgs, "/fixture/nixpkgs",
		f.Home, nixrun.DemoHomePlaceholder,
		root, "/fixture",
	).Replace(text)
	text = demoHeader + "\n" + text
	if err := os.WriteFile("recording/demo-switch.log", []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replayAll reads a replay to its end and returns its lines.
func replayAll(t *testing.T, rep *nixrun.Replay) []string {
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
		id   nixrun.DemoIdentity
		want []string // lines (or parts of lines) the replay must show
	}{
		{"linux user", nixrun.DemoIdentity{User: "ada", Home: "/home/ada", Host: "thinkpad-x1"},
			[]string{"Creating home file links in /home/ada", "warning: Git tree '/home/ada/.config/home-manager' is dirty"}},
		{"mac user", nixrun.DemoIdentity{User: "ada", Home: "/Users/ada", Host: "Adas-MacBook-Pro"},
			[]string{"Creating home file links in /Users/ada"}},
		{"characters JSON escapes", nixrun.DemoIdentity{User: "o'brien", Home: `/home/o"brien\x`, Host: "h"},
			[]string{`Creating home file links in /home/o"brien\x`}},
		{"no identity keeps the fixture's", nixrun.DemoIdentity{},
			[]string{"Creating home file links in /home/fixture"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lines := replayAll(t, nixrun.DemoReplayFor(tt.id, 0))
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
				home = nixrun.FixtureIdentity.Home
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
			s := nixrun.NewState(nixrun.Options{})
			for _, l := range lines {
				s.Feed([]byte(l))
			}
			if d := nixrun.DiagnoseReplay(s); !d.OK {
				t.Errorf("the substituted recording does not replay as a success: %+v", d)
			}
		})
	}
	// The recording itself holds the placeholder, never a real home.
	if rec := nixrun.DemoRecording(); bytes.Contains(rec, []byte("@DEMO_")) {
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
			rep, err := nixrun.DemoInstallReplay(tt.option, nixrun.DemoIdentity{User: "ada", Home: "/home/ada"}, 0)
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
	if _, err := nixrun.DemoInstallReplay("upstream-single-user", nixrun.DemoIdentity{}, 0); err == nil {
		t.Error("an installer without a transcript must be an error")
	}
}

// BenchmarkDemoRecordingFor measures the substitution the demo pays once
// per switch replay.
func BenchmarkDemoRecordingFor(b *testing.B) {
	id := nixrun.DemoIdentity{User: "ada", Home: "/home/ada", Host: "thinkpad-x1"}
	for b.Loop() {
		if len(nixrun.DemoRecordingFor(id)) == 0 {
			b.Fatal("empty recording")
		}
	}
}
