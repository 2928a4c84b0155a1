package nixlog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// demoRecording is a saved log of a real switch run by nixboard against its
// FIXTURE home-manager and nixpkgs (internal/switchtest/testdata/fixture-*), recorded by
// TestRecordDemo (package nixrun) with -update-demo: real nix downloads (from a local binary
// cache, throttled) and builds, then the fixture's activation output. It
// is not a recording of home-manager itself; its first line says so.
//
// The recording names the person it ran for only through placeholders,
// which a replay for the demo replaces with the demo machine's values
// (DemoReplayFor), so the screencast says "Creating home file links in
// /home/ada" on a machine whose user is ada:
//
//   - @DEMO_HOME@ stands for the home directory (the configuration is at
//     @DEMO_HOME@/.config/home-manager);
//   - @DEMO_USER@ for the user name;
//   - @DEMO_HOST@ for the short host name.
//
//go:embed recording/demo-switch.log
var demoRecording []byte

// The placeholders of the demo recording.
const (
	DemoHomePlaceholder = "@DEMO_HOME@"
	DemoUserPlaceholder = "@DEMO_USER@"
	DemoHostPlaceholder = "@DEMO_HOST@"
)

// DemoIdentity is who the demo recording is replayed for.
type DemoIdentity struct {
	User string
	Home string
	Host string
}

// FixtureIdentity is the fixture's own user, which DemoRecording and
// DemoReplay show: the names the recording really ran with.
var FixtureIdentity = DemoIdentity{User: "fixture", Home: "/home/fixture", Host: "fixture"}

// DemoRecording returns the embedded recording of a fixture switch, in the
// format nixboard saves logs in (time markers and an exit marker), with the
// fixture's own names in place of the placeholders.
func DemoRecording() []byte { return DemoRecordingFor(FixtureIdentity) }

// DemoRecordingFor returns the embedded recording with its placeholders
// replaced by id's values. This is the one place that substitutes them: in
// Nix's JSON lines the values are JSON-escaped, so any name stays valid
// JSON. Empty values keep the fixture's.
func DemoRecordingFor(id DemoIdentity) []byte {
	return substituteDemo(demoRecording, id)
}

// DemoReplay replays the embedded recording at speed (0 for as fast as
// possible) with the fixture's names.
func DemoReplay(speed float64) *Replay { return DemoReplayFor(FixtureIdentity, speed) }

// DemoReplayFor replays the embedded recording at speed as if it had run
// for id: the wizard's demo mode passes the demo machine's user, home and
// host.
func DemoReplayFor(id DemoIdentity, speed float64) *Replay {
	return NewReplay(bytes.NewReader(DemoRecordingFor(id)), ReplayOptions{Speed: speed})
}

func substituteDemo(rec []byte, id DemoIdentity) []byte {
	if id.User == "" {
		id.User = FixtureIdentity.User
	}
	if id.Home == "" {
		id.Home = FixtureIdentity.Home
	}
	if id.Host == "" {
		id.Host = FixtureIdentity.Host
	}
	pairs := func(quote func(string) string) *strings.Replacer {
		return strings.NewReplacer(
			DemoHomePlaceholder, quote(id.Home),
			DemoUserPlaceholder, quote(id.User),
			DemoHostPlaceholder, quote(id.Host))
	}
	plain, inJSON := pairs(func(s string) string { return s }), pairs(jsonText)
	var out bytes.Buffer
	out.Grow(len(rec) + len(rec)/16)
	for line := range bytes.Lines(rec) {
		if !bytes.Contains(line, []byte("@DEMO_")) {
			out.Write(line)
			continue
		}
		r := plain
		if bytes.HasPrefix(line, []byte("@nix ")) {
			r = inJSON
		}
		out.WriteString(r.Replace(string(line)))
	}
	return out.Bytes()
}

// jsonText is s as it appears inside a JSON string, without the quotes.
func jsonText(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		// A Go string always encodes; keep the value as it is otherwise.
		return s
	}
	q := strings.TrimSpace(b.String())
	return q[1 : len(q)-1]
}

// The demo's installer transcripts. They are NOT recordings of a real
// installation: nixboard never installs Nix in the demo. Each is written by
// hand after the installer's own messages (Determinate's nix-installer
// source, the upstream install scripts) and paced with time markers, so the
// demo's install screen shows a believable, steady run.
var (
	//go:embed recording/demo-install-determinate.log
	demoInstallDeterminate []byte
	//go:embed recording/demo-install-upstream-daemon.log
	demoInstallUpstream []byte
)

// demoInstalls maps an install option id (detect.Option*) to its
// transcript.
var demoInstalls = map[string][]byte{
	"determinate":     demoInstallDeterminate,
	"upstream-daemon": demoInstallUpstream,
}

// DemoInstallReplay replays the demo's canned transcript of the installer
// with the given option id (detect.OptionDeterminate or
// detect.OptionUpstreamDaemon) at speed, with the demo machine's home in
// place of @DEMO_HOME@ (and the other placeholders).
func DemoInstallReplay(optionID string, id DemoIdentity, speed float64) (*Replay, error) {
	t, ok := demoInstalls[optionID]
	if !ok {
		return nil, fmt.Errorf("the demo has no transcript of the %q installer", optionID)
	}
	return NewReplay(bytes.NewReader(substituteDemo(t, id)), ReplayOptions{Speed: speed}), nil
}
