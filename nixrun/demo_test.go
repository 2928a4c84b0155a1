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
	text = strings.NewReplacer(
		f.Dir, "/home/fixture/.config/home-manager",
		f.Home, "/home/fixture",
		f.Nixpkgs, "/fixture/nixpkgs",
		f.HomeManager, "/fixture/home-manager",
		root, "/fixture",
	).Replace(text)
	text = demoHeader + "\n" + text
	if err := os.WriteFile("recording/demo-switch.log", []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
