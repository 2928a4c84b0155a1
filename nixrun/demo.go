package nixrun

import (
	"bytes"
	_ "embed"
)

// demoRecording is a saved log of a real switch run by nixboard against its
// FIXTURE home-manager and nixpkgs (nixrun/testdata/fixture-*), recorded by
// TestRecordDemo with -update: real nix downloads (from a local binary
// cache, throttled) and builds, then the fixture's activation output. It
// is not a recording of home-manager itself; its first line says so.
//
//go:embed recording/demo-switch.log
var demoRecording []byte

// DemoRecording returns the embedded recording of a fixture switch, in the
// format nixboard saves logs in (time markers and an exit marker).
func DemoRecording() []byte { return bytes.Clone(demoRecording) }

// DemoReplay replays the embedded recording at speed (0 for as fast as
// possible), for the wizard's demo mode.
func DemoReplay(speed float64) *Replay {
	return NewReplay(bytes.NewReader(demoRecording), ReplayOptions{Speed: speed})
}
