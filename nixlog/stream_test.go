package nixlog

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// phasesOf returns the phases of the phase events, in order.
func phasesOf(events []StreamEvent) []string {
	var out []string
	for _, e := range events {
		if e.Phase != nil {
			out = append(out, e.Phase.Phase)
		}
	}
	return out
}

// TestStreamPhasesAsTheyHappen: the stream reports every phase in order
// with the time it began, even when it is polled once at the end, as a
// replay at full speed does; each phase says how long the one before took.
func TestStreamPhasesAsTheyHappen(t *testing.T) {
	s, clock := newTestState(Limits{})
	st := NewStream(s, StreamOptions{})
	step := func(d time.Duration, log string) {
		clock.t = clock.t.Add(d)
		feedAll(s, log)
	}
	step(2*time.Second, `@nix {"action":"start","id":1,"level":0,"text":"","type":104}`)
	step(time.Second, `@nix {"action":"start","fields":["/nix/store/00000000000000000000000000000000-p-1.0"],"id":3,"level":4,"text":"copying path","type":100}`)
	step(3*time.Second, `@nix {"action":"stop","id":3}
@nix {"action":"start","fields":["`+drvA+`","",1,1],"id":5,"level":3,"text":"building '`+drvA+`'","type":105}`)
	step(4*time.Second, `@nix {"action":"stop","id":5}
Starting Home Manager activation`)
	clock.t = clock.t.Add(time.Second)
	s.Finish(true)
	events := append(st.Poll(false), st.Finish(Diagnosis{OK: true}, s.Summary(), "", 0)...)
	want := []struct {
		phase, prev string
		at, took    time.Duration
	}{
		{"evaluating", "", 0, 0},
		{"downloading", "evaluating", 3 * time.Second, 3 * time.Second},
		{"building", "downloading", 6 * time.Second, 3 * time.Second},
		{"activating", "building", 10 * time.Second, 4 * time.Second},
		{"done", "activating", 11 * time.Second, time.Second},
	}
	var got []StreamEvent
	for _, e := range events {
		if e.Phase != nil {
			got = append(got, e)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("phases %v, want %d", phasesOf(events), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Phase.Phase != w.phase || g.Phase.Previous != w.prev || g.Elapsed != w.at {
			t.Errorf("phase %d: %s after %s at %v, want %s after %s at %v", i, g.Phase.Phase, g.Phase.Previous, g.Elapsed, w.phase, w.prev, w.at)
		}
		if (g.Phase.PreviousSeconds == nil) != (i == 0) || i > 0 && *g.Phase.PreviousSeconds != w.took.Seconds() {
			t.Errorf("phase %d: previous_seconds %v, want %v", i, g.Phase.PreviousSeconds, w.took)
		}
	}
	if last := events[len(events)-1]; last.Result == nil || !last.Result.OK || last.Elapsed != 11*time.Second {
		t.Errorf("the last event is %+v, want the result at 11s", last)
	}
	if p := events[len(events)-2].Progress; p == nil || p.Phase != "done" || p.Builds.Done != 1 || p.Estimate != "unknown" {
		t.Errorf("the final progress is %+v", p)
	}
	// Nothing new: a poll reports nothing, not even progress.
	if more := st.Poll(true); len(more) != 0 {
		t.Errorf("a poll after the end reported %+v", more)
	}
}

// TestStreamFailureCarriesItsDiagnosis: a failed build is its own event,
// with the reason and hint the final diagnosis gives it.
func TestStreamFailureCarriesItsDiagnosis(t *testing.T) {
	s, _ := newTestState(Limits{})
	st := NewStream(s, StreamOptions{})
	feedAll(s, `
@nix {"action":"start","id":2,"level":0,"text":"","type":104}
@nix {"action":"start","fields":["`+drvA+`","",1,1],"id":5,"level":3,"text":"building '`+drvA+`'","type":105}
@nix {"action":"result","fields":["about to fail"],"id":5,"type":101}
@nix {"action":"stop","id":5}
@nix {"action":"msg","level":0,"msg":"\u001b[31;1merror:\u001b[0m builder for '\u001b[35;1m`+drvA+`\u001b[0m' failed with exit code 3","raw_msg":"builder for '`+drvA+`' failed with exit code 3"}`)
	var failures []*FailureInfo
	for _, e := range st.Poll(false) {
		if e.Failure != nil {
			failures = append(failures, e.Failure)
		}
	}
	d := Diagnose(s, fmt.Errorf("exit status 1"))
	if len(failures) != 1 || len(d.Hints) == 0 {
		t.Fatalf("failures %+v, diagnosis %+v", failures, d)
	}
	f := failures[0]
	if f.Build.Name != "a-1.0" || f.Build.Drv != drvA || f.Reason != d.Reason || !reflect.DeepEqual(Hint(f.Hint), d.Hints[0]) {
		t.Errorf("failure %+v\ndiagnosis %+v", f, d)
	}
	if !strings.Contains(f.Hint.Detail, "about to fail") {
		t.Errorf("the failure lacks the build's log: %q", f.Hint.Detail)
	}
	if got := (StreamEvent{Event: EventFailure, Failure: f}).PlainLines(); len(got) != 1 || got[0] != "failed: building a-1.0 failed (nix log "+drvA+")" {
		t.Errorf("plain lines %q", got)
	}
}

// TestStreamMarksBounded: a log that flips between phases for ever keeps
// at most maxMarks marks, and the stream goes on from the newest.
func TestStreamMarksBounded(t *testing.T) {
	s, _ := newTestState(Limits{})
	st := NewStream(s, StreamOptions{})
	// After a build, the run is building whenever no download runs; each
	// new set of builds (104) that starts with a download is
	// downloading until that download ends.
	feedAll(s, `@nix {"action":"start","fields":["`+drvA+`","",1,1],"id":5,"level":3,"text":"","type":105}
@nix {"action":"stop","id":5}`)
	for i := range 3 * maxMarks {
		id := 10 + 2*i
		feedAll(s, fmt.Sprintf(`@nix {"action":"start","id":%d,"level":0,"text":"","type":104}
@nix {"action":"start","fields":["/nix/store/00000000000000000000000000000000-p"],"id":%d,"level":4,"text":"","type":100}
@nix {"action":"stop","id":%d}
@nix {"action":"stop","id":%d}`, id, id+1, id+1, id))
	}
	marks, next := s.MarksSince(0)
	if len(marks) != maxMarks || next != 2+2*3*maxMarks || marks[len(marks)-1].Seq != next-1 {
		t.Fatalf("%d marks, next %d", len(marks), next)
	}
	if n := len(st.Poll(false)); n != maxMarks {
		t.Errorf("the stream reported %d phase changes, want the %d kept", n, maxMarks)
	}
	if more, _ := s.MarksSince(next); len(more) != 0 {
		t.Errorf("marks after the newest: %+v", more)
	}
}

// TestStreamLineClock: with Options.LineClock a replay read in one batch
// still times each phase by its recorded line.
func TestStreamLineClock(t *testing.T) {
	s := NewState(Options{LineClock: true})
	st := NewStream(s, StreamOptions{})
	s.FeedLines([]RawLine{
		{At: 500 * time.Millisecond, Text: []byte(`@nix {"action":"start","fields":["` + drvA + `","",1,1],"id":5,"level":3,"text":"","type":105}`)},
		{At: 2500 * time.Millisecond, Text: []byte(`@nix {"action":"stop","id":5}`)},
		{At: 2600 * time.Millisecond, Text: []byte(`Starting Home Manager activation`)},
		{At: 3 * time.Second, Text: []byte(`Activating onFilesChange`)},
	})
	s.Finish(true)
	var at []time.Duration
	for _, e := range st.Poll(false) {
		at = append(at, e.Elapsed)
	}
	if want := []time.Duration{0, 500 * time.Millisecond, 2600 * time.Millisecond, 3 * time.Second}; !slices.Equal(at, want) {
		t.Errorf("phases at %v, want %v", at, want)
	}
	if h := s.Header(); h.Elapsed != 3*time.Second {
		t.Errorf("elapsed %v, want the last line's 3s", h.Elapsed)
	}
}

// sampleEvents are one event of each kind with every field set, the
// encoder's whole vocabulary.
func sampleEvents() []StreamEvent {
	took := 1.5
	exp := int64(2 << 20)
	rate := 1024.0
	hint := StreamHint{Title: "t", Detail: "d", Fix: "f", Code: []string{"at home.nix:3:5:", "   3|   y = x;"}}
	return []StreamEvent{
		{Event: EventStart, Start: &StartInfo{Title: "switch a@b", Command: "home-manager switch", NixConfig: "x"}},
		{Event: EventPhase, Phase: &PhaseChange{Phase: "building", Previous: "evaluating", PreviousSeconds: &took}},
		{Event: EventProgress, Progress: &ProgressInfo{Phase: "building", Bytes: ByteCounts{Done: 1, Expected: &exp}, Rate: &rate, Estimate: "45s", EstimateSeconds: &took, ActivationStep: "x",
			Caches:   []CacheCounts{{URL: "u", Downloads: 1, Running: 1, Bytes: 1}, {URL: "v"}},
			Builders: []BuilderCounts{{Machine: "", Builds: 2, Running: 1}, {Machine: "ssh-ng://m", Builds: 1}}}},
		{Event: EventFailure, Failure: &FailureInfo{Build: FailedBuild{Name: "n", Drv: "d"}, Reason: "r", Hint: hint}},
		{Event: EventResult, Result: &ResultInfo{OK: false, Reason: "r", Hints: []StreamHint{hint}, Log: "l", ExitCode: 1, NotALog: true}},
		{Event: EventStep, Step: &StepInfo{Step: "query", State: "finished", What: "w", Seconds: &took, Paths: 2, Caches: 2, Bytes: 3}},
		{Event: EventQuiet, Quiet: &QuietInfo{Seconds: 15, Doing: "d", Meaning: "m"}},
		{Event: EventStall, Stall: &StallInfo{State: StallStalled, Kind: "transfer", Name: "n", Path: "p", Cache: "c", Bytes: ByteCounts{Done: 1, Expected: &exp}, Seconds: 20}},
	}
}

// keyPaths collects the dotted key paths of a decoded JSON value; array
// elements add "[]".
func keyPaths(prefix string, v any, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			into[p] = true
			keyPaths(p, sub, into)
		}
	case []any:
		for _, sub := range v {
			keyPaths(prefix+"[]", sub, into)
		}
	}
}

// TestStreamSchemaDocumented: the README's stream schema names every field
// the encoder writes (as `path` in its table), and every field it names is
// written, so the documentation cannot go stale.
func TestStreamSchemaDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const heading = "### The JSON stream: `--json`"
	_, section, ok := strings.Cut(string(readme), heading)
	if !ok {
		t.Fatalf("README has no %q section", heading)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	written := map[string]bool{}
	for _, e := range sampleEvents() {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if v["schema"] != float64(StreamSchema) || v["event"] != e.Event {
			t.Errorf("%s lacks its schema or event", b)
		}
		keyPaths("", v, written)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_.\\[\\]]+)`").FindAllStringSubmatch(section, -1) {
		documented[m[1]] = true
	}
	var missing, stale []string
	for k := range written {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !written[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Errorf("README schema: undocumented fields %v, documented but never written %v", missing, stale)
	}
	if !strings.Contains(section, fmt.Sprintf(`"schema":%d`, StreamSchema)) {
		t.Errorf("the README example is not of schema %d", StreamSchema)
	}
}

// replayStream folds a recorded log line by line, at its recorded times,
// and returns every event of its stream.
func replayStream(t *testing.T, path string) []StreamEvent {
	t.Helper()
	rep, err := OpenReplay(path, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	s := NewState(Options{LineClock: true})
	st := NewStream(s, StreamOptions{})
	if err := Drain(rep, s); err != nil {
		t.Fatal(err)
	}
	d := DiagnoseReplay(s)
	s.Finish(d.OK)
	return append(st.Poll(false), st.Finish(d, s.Summary(), "", 0)...)
}

// TestStreamStepsBeforeTheBuild: the recorded first build of a flake with
// a path, a git and a tarball input reports, before its first build, each
// fetch by source as started and then finished with its time (Nix 2.8
// only mentions the git input, so it is finished at once), and Nix 2.26's
// evaluation around them; the recorded download reports its query of the
// cache for 2 paths.
func TestStreamStepsBeforeTheBuild(t *testing.T) {
	for _, dir := range []string{"nix-2.8", "nix-2.8-daemon", "nix-2.26", "nix-2.26-daemon"} {
		t.Run(dir, func(t *testing.T) {
			events := replayStream(t, filepath.Join("testdata", "logs", dir, "inputs.log"))
			var lines []string
			started := map[string]bool{}
			building := false
			for _, e := range events {
				if e.Phase != nil && e.Phase.Phase == "building" {
					building = true
				}
				if e.Step == nil {
					continue
				}
				if building {
					t.Errorf("a step after the first build: %+v", e.Step)
				}
				key := e.Step.Step + " " + e.Step.What
				switch e.Step.State {
				case "started":
					started[key] = true
				case "finished":
					if e.Step.Seconds == nil || *e.Step.Seconds < 0 {
						t.Errorf("%s finished without its time", key)
					}
					if !started[key] && !strings.HasSuffix(key, "/gitdep") {
						t.Errorf("%s finished but never started", key)
					}
					delete(started, key)
				}
				lines = append(lines, e.PlainLines()...)
			}
			if len(started) > 0 {
				t.Errorf("steps never finished: %v", started)
			}
			text := strings.Join(lines, "\n")
			for _, want := range []string{`fetched /tmp/\S+/top in `, `fetched /tmp/\S+/dep in `, `fetched /tmp/\S+/gitdep in `, `fetched http://127\.0\.0\.1:PORT/tdep\.tar\.gz \(1\d\d B\) in `} {
				if !regexp.MustCompile(want).MatchString(text) {
					t.Errorf("no %s in:\n%s", want, text)
				}
			}
			if evaluated := strings.Contains(text, "evaluated path:/tmp/"); evaluated != strings.HasPrefix(dir, "nix-2.26") {
				t.Errorf("evaluation step shown: %v, want it from Nix 2.26 only:\n%s", evaluated, text)
			}
		})
	}
	for _, dir := range []string{"nix-2.8", "nix-2.26-daemon"} {
		events := replayStream(t, filepath.Join("testdata", "logs", dir, "download.log"))
		var queried []string
		for _, e := range events {
			if e.Step != nil && e.Step.Step == "query" && e.Step.State == "finished" {
				queried = append(queried, e.PlainLines()...)
			}
		}
		if len(queried) != 1 || !strings.HasPrefix(queried[0], "queried http://127.0.0.1:PORT for 2 paths in ") {
			t.Errorf("%s: queries %q, want one of the cache for 2 paths", dir, queried)
		}
	}
}

// TestStreamQuiet: fifteen seconds by the injected clock without a line,
// the stream says so once, with what nix is doing and what it may mean;
// a new line ends the quiet stretch.
func TestStreamQuiet(t *testing.T) {
	s, _ := newTestState(Limits{})
	wall := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	st := NewStream(s, StreamOptions{Now: func() time.Time { return wall }})
	quiet := func() []*QuietInfo {
		var out []*QuietInfo
		for _, e := range st.Poll(true) {
			if e.Quiet != nil {
				out = append(out, e.Quiet)
			}
		}
		return out
	}
	feedAll(s, `@nix {"action":"start","id":7,"level":3,"parent":0,"text":"unpacking 'https://github.com/NixOS/nixpkgs/archive/abc.tar.gz' into the Git cache","type":0}`)
	for _, step := range []time.Duration{0, 5 * time.Second, 9 * time.Second} {
		wall = wall.Add(step)
		if q := quiet(); len(q) != 0 {
			t.Fatalf("quiet after %v: %+v", step, q)
		}
	}
	wall = wall.Add(time.Second)
	q := quiet()
	if len(q) != 1 || q[0].Seconds != 15 || q[0].Doing != "fetching https://github.com/NixOS/nixpkgs/archive/abc.tar.gz" || !strings.Contains(q[0].Meaning, "unpacks a tarball") {
		t.Fatalf("quiet %+v", q)
	}
	if l := (StreamEvent{Event: EventQuiet, Quiet: q[0]}).PlainLines(); len(l) != 1 || !strings.HasPrefix(l[0], "no output for 15s while fetching https://github.com/") {
		t.Errorf("plain %q", l)
	}
	wall = wall.Add(30 * time.Second)
	if q := quiet(); len(q) != 0 {
		t.Errorf("told twice: %+v", q)
	}
	feedAll(s, `@nix {"action":"stop","id":7}`)
	wall = wall.Add(time.Second)
	quiet()
	wall = wall.Add(QuietAfter)
	if q := quiet(); len(q) != 1 || q[0].Doing != "evaluating" {
		t.Errorf("a second quiet stretch: %+v", q)
	}
}

// TestStreamEstimate: progress carries the estimate the stream is given,
// in words and seconds, and plain mode says it; unknown without one.
func TestStreamEstimate(t *testing.T) {
	s, clock := newTestState(Limits{})
	left := Left{}
	st := NewStream(s, StreamOptions{Estimate: func() Left { return left }})
	p := st.Poll(true)
	if e := p[len(p)-1].Progress; e == nil || e.Estimate != "unknown" || e.EstimateSeconds != nil {
		t.Fatalf("progress %+v, want an unknown estimate", e)
	}
	left = Left{Known: true, Left: 45 * time.Second, Words: "45s"}
	clock.t = clock.t.Add(time.Second)
	p = st.Poll(true)
	e := p[len(p)-1]
	if e.Progress == nil || e.Progress.Estimate != "45s" || e.Progress.EstimateSeconds == nil || *e.Progress.EstimateSeconds != 45 {
		t.Fatalf("progress %+v, want 45s left", e.Progress)
	}
	if l := e.PlainLines(); len(l) != 1 || !strings.HasSuffix(l[0], ", about 45s left") {
		t.Errorf("plain %q", l)
	}
}
