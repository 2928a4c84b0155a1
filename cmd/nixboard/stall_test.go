package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/nixlog"
)

// pausedDownload is the recorded download of dir with a stall put in: the
// NAR's transfer repeats its first, empty progress once a second for 25
// seconds (as nix prints it while nothing arrives), with time markers.
func pausedDownload(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "nixlog", "testdata", "logs", dir, "download.log"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	nar, paused := "", false
	for _, l := range strings.Split(string(data), "\n") {
		out = append(out, l)
		if nar == "" && strings.Contains(l, `"type":101`) && strings.Contains(l, "/nar/") {
			i := strings.Index(l, `"id":`) + 5
			nar = `"id":` + l[i:i+strings.IndexByte(l[i:], ',')] + `,`
			continue
		}
		if !paused && nar != "" && strings.Contains(l, nar) && strings.Contains(l, `"fields":[0,0,0,0]`) {
			for sec := 1; sec <= 25; sec++ {
				out = append(out, fmt.Sprintf(`@nixboard {"action":"time","ms":%d}`, sec*1000), l)
			}
			paused = true
		}
	}
	if !paused {
		t.Fatalf("%s: no NAR transfer with progress", dir)
	}
	path := filepath.Join(t.TempDir(), "download.log")
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReplayStallPlainAndJSON: `nixboard replay --speed max` of a recorded
// download of each Nix with a 25-second stall put in prints one stall
// line and one moving-again line in plain mode, and --json carries the
// same two events (their plain lines are the plain output's): by the
// recording's clock, however fast it is read.
func TestReplayStallPlainAndJSON(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"nix-2.8", "nix-2.26-daemon"} {
		t.Run(dir, func(t *testing.T) {
			log := pausedDownload(t, dir)
			pcode, plain, perr := runCLI(t, nil, "replay", "--speed", "max", "--plain", log)
			jcode, js, jerr := runCLI(t, nil, "replay", "--speed", "max", "--json", log)
			if pcode != 0 || jcode != 0 || perr != "" || jerr != "" {
				t.Fatalf("exit %d and %d, stderr %q %q", pcode, jcode, perr, jerr)
			}
			var plainStalls []string
			for _, l := range strings.Split(plain, "\n") {
				if strings.HasPrefix(l, "stalled: ") || strings.HasPrefix(l, "moving again: ") || strings.HasPrefix(l, "ended stalled: ") {
					plainStalls = append(plainStalls, l)
				}
			}
			var jsonStalls []string
			var states []string
			for _, l := range strings.Split(strings.TrimSuffix(js, "\n"), "\n") {
				var o struct {
					Event string `json:"event"`
					nixlog.StallInfo
				}
				if err := json.Unmarshal([]byte(l), &o); err != nil {
					t.Fatal(err)
				}
				if o.Event != nixlog.EventStall {
					continue
				}
				states = append(states, o.State)
				jsonStalls = append(jsonStalls, nixlog.StreamEvent{Event: o.Event, Stall: &o.StallInfo}.PlainLines()...)
				if !strings.HasSuffix(o.Path, "-fixture-payload-1.0") || o.Cache != "http://127.0.0.1:PORT" || !strings.Contains(o.Name, "/nar/") {
					t.Errorf("stall %+v", o.StallInfo)
				}
			}
			if strings.Join(states, ",") != "stalled,moving" {
				t.Errorf("stall states %v, want stalled then moving", states)
			}
			if len(plainStalls) != 2 || !strings.HasPrefix(plainStalls[0], "stalled: download fixture-payload-1.0 from http://127.0.0.1:PORT has not moved for 2") ||
				strings.Join(plainStalls, "\n") != strings.Join(jsonStalls, "\n") {
				t.Errorf("plain:\n%s\njson as plain:\n%s", strings.Join(plainStalls, "\n"), strings.Join(jsonStalls, "\n"))
			}
		})
	}
}
