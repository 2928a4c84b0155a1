package nixrun_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/switchtest"
	"github.com/nixboard/nixboard/nixlog"
)

// updateDemo records the demo again: go test ./nixrun -run TestRecordDemo -update-demo
var updateDemo = flag.Bool("update-demo", false, "record the demo (nixlog/recording/demo-switch.log) again from a real fixture switch")

// demoHeader is the first line of the demo recording.
const demoHeader = "nixboard demo: a recording of a real switch of nixboard's FIXTURE home-manager (a test stand-in, not home-manager); paths shortened"

// TestRecordDemo records the demo with -update-demo (it lives here, not in
// nixlog, because recording runs a real switch): a real switch of the
// fixture, downloading from a throttled local cache and building at a
// believable pace. Without -update-demo it checks the embedded recording.
func TestRecordDemo(t *testing.T) {
	if *updateDemo {
		recordDemo(t)
	}
	rep := nixlog.DemoReplay(0)
	s := nixlog.NewState(nixlog.Options{Now: rep.Clock()})
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
	if d := nixlog.DiagnoseReplay(s); !d.OK {
		t.Errorf("the demo recording does not replay as a success: %+v", d)
	}
	sum := s.Summary()
	if sum.Downloaded != 3 || sum.Built < 5 || sum.Elapsed < 2e9 {
		t.Errorf("demo summary = %+v, want 3 downloads, 5 builds, a few seconds", sum)
	}
	rec := nixlog.DemoRecording()
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
		f.Dir, nixlog.DemoHomePlaceholder+"/.config/home-manager",
		f.HomeManager, "/fixture/home-manager",
		f.Nixpkgs, "/fixture/nixpkgs",
		f.Home, nixlog.DemoHomePlaceholder,
		root, "/fixture",
	).Replace(text)
	// The saved log's header holds the recording machine's command line
	// and environment (a test's temporary port, its Go variables): not
	// what a demo replays as its own.
	var kept []string
	for _, l := range strings.SplitAfter(text, "\n") {
		if !strings.HasPrefix(l, `@nixboard {"action":"header"`) {
			kept = append(kept, l)
		}
	}
	text = demoHeader + "\n" + strings.Join(kept, "")
	if err := os.WriteFile(filepath.Join("..", "nixlog", "recording", "demo-switch.log"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
