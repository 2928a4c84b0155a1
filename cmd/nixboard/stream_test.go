package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
	"github.com/nixboard/nixboard/nixlog"
)

// streamObject is what a test reads back from one line of --json.
type streamObject struct {
	Schema   int                  `json:"schema"`
	Event    string               `json:"event"`
	Elapsed  float64              `json:"elapsed"`
	Phase    string               `json:"phase"`
	Previous string               `json:"previous"`
	Build    *nixlog.FailedBuild  `json:"build"`
	Reason   string               `json:"reason"`
	OK       bool                 `json:"ok"`
	Hints    []nixlog.StreamHint  `json:"hints"`
	Summary  nixlog.StreamSummary `json:"summary"`
	ExitCode int                  `json:"exit_code"`
	NotALog  bool                 `json:"not_a_log"`
}

// readStream parses --json output: every line one object of this schema.
func readStream(t *testing.T, out string) []streamObject {
	t.Helper()
	var objs []streamObject
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var o streamObject
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("line %q is not a JSON object: %v", l, err)
		}
		if o.Schema != nixlog.StreamSchema {
			t.Fatalf("line %q has schema %d, want %d", l, o.Schema, nixlog.StreamSchema)
		}
		objs = append(objs, o)
	}
	return objs
}

// recordedLogs lists every recorded log: each file of each nix-* directory
// (each Nix version, direct and through the daemon) and of the
// module-errors recordings, by its path under testdata/logs.
func recordedLogs(t *testing.T) (paths, names []string) {
	t.Helper()
	root := filepath.Join("..", "..", "nixlog", "testdata", "logs")
	dirs, _ := filepath.Glob(filepath.Join(root, "nix-*"))
	more, _ := filepath.Glob(filepath.Join(root, "module-errors", "nix-*"))
	if len(dirs) < 4 || len(more) < 2 {
		t.Fatalf("recording directories %v and %v, want nix-2.8, nix-2.26 and their daemon runs, and the module errors of both", dirs, more)
	}
	for _, dir := range append(dirs, more...) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			rel, _ := filepath.Rel(root, p)
			paths, names = append(paths, p), append(names, filepath.ToSlash(rel))
		}
	}
	return paths, names
}

// TestPlainAndJSONAgree replays every recorded log (recordedLogs) with
// --plain and with --json: the two views show the same phases in the same
// order, the same failed builds, and the same result, reason and hints,
// with the same exit status.
func TestPlainAndJSONAgree(t *testing.T) {
	t.Parallel()
	logs, names := recordedLogs(t)
	for _, want := range []string{"nix-2.26-daemon/parallel-fail.log", "nix-2.8/parallel-ok.log", "module-errors/nix-2.26/type-error.log"} {
		if !slices.Contains(names, want) {
			t.Errorf("the recorded logs lack %s: %v", want, names)
		}
	}
	for i, log := range logs {
		name := names[i]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pcode, plain, perr := runCLI(t, nil, "replay", "--speed", "max", "--plain", log)
			jcode, js, jerr := runCLI(t, nil, "replay", "--speed", "max", "--json", log)
			if pcode != jcode || perr != "" || jerr != "" {
				t.Fatalf("exit %d (plain) and %d (json), stderr %q %q", pcode, jcode, perr, jerr)
			}
			objs := readStream(t, js)
			if objs[0].Event != nixlog.EventStart || objs[len(objs)-1].Event != nixlog.EventResult {
				t.Fatalf("the stream does not open with start and end with result:\n%s", js)
			}
			var jsonPhases, jsonFailed []string
			for _, o := range objs {
				switch o.Event {
				case nixlog.EventPhase:
					jsonPhases = append(jsonPhases, o.Phase)
				case nixlog.EventFailure:
					jsonFailed = append(jsonFailed, o.Reason)
				}
			}
			lines := strings.Split(strings.TrimSuffix(plain, "\n"), "\n")
			var plainPhases, plainFailed []string
			for _, l := range lines {
				if p, ok := strings.CutPrefix(l, "phase: "); ok {
					p, _, _ = strings.Cut(p, " ")
					plainPhases = append(plainPhases, p)
				}
				if f, ok := strings.CutPrefix(l, "failed: "); ok {
					f, _, _ = strings.Cut(f, " (nix log ")
					plainFailed = append(plainFailed, f)
				}
			}
			if !slices.Equal(plainPhases, jsonPhases) || len(jsonPhases) < 2 {
				t.Errorf("phases: plain %v, json %v", plainPhases, jsonPhases)
			}
			if last := jsonPhases[len(jsonPhases)-1]; last != map[bool]string{true: "done", false: "failed"}[jcode == 0] {
				t.Errorf("the last phase is %q with exit status %d", last, jcode)
			}
			if !slices.Equal(plainFailed, jsonFailed) {
				t.Errorf("failed builds: plain %v, json %v", plainFailed, jsonFailed)
			}
			res := objs[len(objs)-1]
			if res.ExitCode != jcode || res.OK != (jcode == 0) {
				t.Errorf("result says ok %v, exit_code %d; nixboard exited %d", res.OK, res.ExitCode, jcode)
			}
			d := nixlog.Diagnosis{OK: res.OK, Reason: res.Reason, NotALog: res.NotALog}
			for _, h := range res.Hints {
				d.Hints = append(d.Hints, nixlog.Hint(h))
			}
			sum := nixlog.Summary{Built: res.Summary.Built, Failed: res.Summary.Failed, Downloaded: res.Summary.Downloaded, Bytes: res.Summary.Bytes,
				Elapsed: time.Duration(res.Summary.Seconds * float64(time.Second))}
			want := append([]string{nixlog.ResultLine(d, sum)}, nixlog.HintLines(d)...)
			i := slices.IndexFunc(lines, func(l string) bool {
				return strings.HasPrefix(l, "switch ok: ") || strings.HasPrefix(l, "switch failed: ")
			})
			if i < 0 {
				t.Fatalf("no result line in plain output:\n%s", plain)
			}
			got := lines[i:]
			if !slices.Equal(got, want) {
				t.Errorf("plain result:\n%s\njson result as plain:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestSwitchJSONFixture runs a real switch of the fixture configuration
// (downloads from a local cache, then builds) with --json, directly and
// through a daemon: stdout is JSON lines only, of schema 1, opening with
// what runs and ending with the result; the phases come in the order of a
// switch, the steps before the first build fetch the flake's inputs, and
// the result names the saved log and exit status 0.
func TestSwitchJSONFixture(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
		f := switchtest.New(t, switchtest.Config{Cache: true, Mode: mode})
		args := append([]string{"switch", "--json", "--dir", f.Dir, "--"}, f.ExtraArgs...)
		code, out, errOut := runCLI(t, envMap(f.Env), args...)
		f.CheckMode(t)
		if code != 0 {
			t.Fatalf("switch exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		objs := readStream(t, out)
		var raw []map[string]any
		for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			var m map[string]any
			json.Unmarshal([]byte(l), &m)
			raw = append(raw, m)
		}
		if objs[0].Event != nixlog.EventStart || !strings.Contains(raw[0]["command"].(string), "switch --flake") {
			t.Errorf("the stream does not open with what runs: %v", raw[0])
		}
		var phases []string
		fetched := 0
		for i, o := range objs {
			switch o.Event {
			case nixlog.EventPhase:
				phases = append(phases, o.Phase)
			case nixlog.EventStep:
				if raw[i]["step"] == "fetch" && raw[i]["state"] == "finished" && !slices.Contains(phases, "building") {
					fetched++
				}
			}
		}
		// Downloads and builds run in parallel (through a daemon on
		// Nix 2.26 the phase goes back and forth between them).
		n := len(phases)
		if n < 4 || phases[0] != "evaluating" || phases[n-2] != "activating" || phases[n-1] != "done" ||
			!slices.Contains(phases, "downloading") || !slices.Contains(phases, "building") {
			t.Errorf("phases %v, want evaluating, downloading and building, activating, done", phases)
		}
		if fetched < 2 {
			t.Errorf("%d inputs fetched before the first build, want nixpkgs and home-manager:\n%s", fetched, out)
		}
		// The switch kept its builds' durations for the next estimate.
		hist, err := os.ReadFile(filepath.Join(f.Home, ".local", "state", "nixboard", "builds.json"))
		if err != nil || !strings.Contains(string(hist), `"home-manager-generation"`) {
			t.Errorf("build history after the switch: %v\n%q", err, hist)
		}
		res := objs[len(objs)-1]
		logs := savedLogs(t, f.Home)
		if res.Event != nixlog.EventResult || !res.OK || res.ExitCode != 0 || len(logs) != 1 || raw[len(raw)-1]["log"] != logs[0] || res.Summary.Downloaded != 3 {
			t.Errorf("result %+v (log %v), saved logs %v", res, raw[len(raw)-1]["log"], logs)
		}
	})
}

// TestReplayJSONNotALog: a file that is no log ends the stream with a
// result that says so, as plain mode does, and exit status 1.
func TestReplayJSONNotALog(t *testing.T) {
	t.Parallel()
	readme := filepath.Join(t.TempDir(), "README.md")
	os.WriteFile(readme, []byte("# nixboard\n\nA terminal wizard.\n"), 0o644)
	code, out, _ := runCLI(t, nil, "replay", "--json", "--speed", "max", readme)
	objs := readStream(t, out)
	res := objs[len(objs)-1]
	if code != 1 || res.Event != nixlog.EventResult || !res.NotALog || res.OK || res.ExitCode != 1 || !strings.Contains(res.Reason, "not a nix log") {
		t.Errorf("exit %d, result %+v:\n%s", code, res, out)
	}
}

// TestREADMEStreamExample: the README's example of the stream is what
// `nixboard replay --speed max --json` of the recorded download writes.
func TestREADMEStreamExample(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const first = `{"schema":1,"event":"start","elapsed":0,"title":"replay download.log"}`
	i := strings.Index(string(readme), first)
	if i < 0 {
		t.Fatal("the README has no example of the stream")
	}
	example := string(readme[i:])
	example = example[:strings.Index(example, "```")]
	code, out, errOut := runCLI(t, nil, "replay", "--speed", "max", "--json", filepath.Join("..", "..", "nixlog", "testdata", "logs", "nix-2.26", "download.log"))
	if code != 0 || out != example {
		t.Errorf("exit %d, the stream:\n%s\nthe README's example:\n%s%s", code, out, example, errOut)
	}
}
