package nixlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parallelSnap is what a State shows after one line of a parallel
// fixture's log.
type parallelSnap struct {
	line    int
	text    string
	header  Header
	running []Activity
	caches  []CacheRow
	builds  []Build
	steps   []Step
	// events are what a Stream polled after the line.
	events []StreamEvent
}

// runningOf counts the running activities of type typ, and lists their
// names.
func (p parallelSnap) runningOf(typ ActivityType) (n int, names []string) {
	for _, a := range p.running {
		if a.Type == typ {
			n++
			names = append(names, a.Name)
		}
	}
	return n, names
}

// walkParallel feeds log into a State one line at a time, on the clock of
// its time markers (Options.LineClock), with a Stream polled after every
// line, and returns what each line left behind. The last snapshot is
// taken after Finish with the replay's verdict, and its events are the
// stream's last ones.
func walkParallel(t *testing.T, log []byte) ([]parallelSnap, *State, Diagnosis) {
	t.Helper()
	rep := NewReplay(bytes.NewReader(log), ReplayOptions{})
	s := NewState(Options{LineClock: true})
	wall := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	st := NewStream(s, StreamOptions{Now: func() time.Time { return wall }})
	var snaps []parallelSnap
	for {
		batch, err := rep.Next()
		for _, l := range batch {
			s.FeedLines([]RawLine{l})
			snaps = append(snaps, parallelSnap{line: len(snaps) + 1, text: string(l.Text), header: s.Header(),
				running: s.Running(), caches: s.Caches(), builds: s.Builds(), steps: s.Steps(), events: st.Poll(true)})
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	d := DiagnoseReplay(s)
	s.Finish(d.OK)
	code := 0
	if !d.OK {
		code = 1
	}
	snaps = append(snaps, parallelSnap{line: len(snaps) + 1, header: s.Header(), running: s.Running(), caches: s.Caches(),
		builds: s.Builds(), steps: s.Steps(), events: st.Finish(d, s.Summary(), "", code)})
	return snaps, s, d
}

// reWorkStart matches the start of a build, a substitution or a copy of
// a path: the work after the evaluation.
var reWorkStart = regexp.MustCompile(`^@nix \{"action":"start".*"type":(100|105|108)\}$`)

// reFetched is Nix 2.26's announcement of the downloads, with its size.
var reFetched = regexp.MustCompile(`these 2 paths will be fetched \(([0-9.]+) MiB download`)

// checkParallel checks a log of the parallel fixture (parallelFlake) line
// by line, as the switch screen and the JSON stream read it; version is
// the Nix that wrote it ("2.8", "2.26"). fail says it is the run whose
// fixture-par-bad fails.
func checkParallel(t *testing.T, log []byte, version string, fail bool) {
	t.Helper()
	snaps, s, d := walkParallel(t, log)
	last := snaps[len(snaps)-1]
	newer := version != "2.8"
	top := "#top"
	if fail {
		top = "#bad"
	}

	// Before the first build or download: nix evaluates, and the steps
	// say what it does (Nix 2.26 names the installable it evaluates;
	// both copy the flake and ask both caches about the paths).
	first := slices.IndexFunc(snaps, func(p parallelSnap) bool {
		return reWorkStart.MatchString(p.text)
	})
	if first < 1 {
		t.Fatalf("no build or download ever runs (first at %d)", first)
	}
	before := snaps[first-1]
	if before.header.Phase != PhaseEvaluating {
		t.Errorf("line %d, before the first build or download: phase %v, want evaluating", before.line, before.header.Phase)
	}
	var kinds []string
	var evaluated, fetchedFlake, queried bool
	for _, st := range before.steps {
		kinds = append(kinds, st.Kind.String())
		switch st.Kind {
		case StepEvaluate:
			evaluated = st.Done && strings.HasPrefix(st.What, "path:/") && strings.HasSuffix(st.What, top)
		case StepFetch:
			fetchedFlake = fetchedFlake || st.Done && strings.HasPrefix(st.What, "/") && !strings.HasPrefix(st.What, "/nix/store")
		case StepQuery:
			// Five paths (top, two payloads, two builds) at least,
			// asked of both caches.
			queried = st.Done && st.Caches == 2 && st.Paths >= 5 && strings.HasPrefix(st.What, "http://127.0.0.1:PORT-")
		}
	}
	if evaluated != newer || !fetchedFlake || !queried {
		t.Errorf("steps before the first build or download %v: %+v (evaluated %v, want %v; flake fetched %v; both caches queried %v)",
			kinds, before.steps, evaluated, newer, fetchedFlake, queried)
	}

	// A moment with both builds and both downloads running, one from
	// each cache; the header counts them as running too.
	both := slices.IndexFunc(snaps, func(p parallelSnap) bool {
		b, _ := p.runningOf(ActBuild)
		c, _ := p.runningOf(ActCopyPath)
		return b == 2 && c == 2
	})
	if both < 0 {
		t.Fatal("no moment with two builds and two downloads running")
	}
	if p := snaps[both]; p.header.BuildsRunning != 2 || p.header.DownloadsRunning != 2 ||
		len(p.caches) != 2 || p.caches[0].Running != 1 || p.caches[1].Running != 1 {
		t.Errorf("line %d, all four running: header %+v, caches %+v", p.line, p.header, p.caches)
	}

	// Bytes: done and expected never go down, done never passes what
	// nix expects once it said, and ends equal to it; the total is what
	// the two caches delivered.
	var prev Header
	firstExpected := -1
	for i, p := range snaps {
		h := p.header
		if h.BytesDone < prev.BytesDone || h.BytesExpected < prev.BytesExpected {
			t.Errorf("line %d: bytes went back from %d/%d to %d/%d", p.line, prev.BytesDone, prev.BytesExpected, h.BytesDone, h.BytesExpected)
		}
		if h.BytesExpected > 0 && h.BytesDone > h.BytesExpected {
			t.Errorf("line %d: %d bytes done of %d expected", p.line, h.BytesDone, h.BytesExpected)
		}
		if h.BytesExpected > 0 && firstExpected < 0 {
			firstExpected = i
		}
		prev = h
	}
	var delivered int64
	for _, c := range last.caches {
		delivered += c.Bytes
	}
	if h := last.header; h.BytesDone != h.BytesExpected || h.BytesDone != delivered || delivered < 2*600000 {
		t.Errorf("at the end: %d bytes done of %d expected, the caches delivered %d", h.BytesDone, h.BytesExpected, delivered)
	}
	m := reFetched.FindSubmatch(log)
	switch {
	case newer && m == nil:
		t.Error("Nix 2.26 did not announce the downloads")
	case newer:
		// Nix rounds to two decimals of MiB: the exact total lies
		// within 0.005 MiB, and the header expects the lower bound as
		// soon as the announcement is read.
		mib, _ := strconv.ParseFloat(string(m[1]), 64)
		announced := int64(mib * (1 << 20))
		if got := last.header.BytesExpected; got < announced-(1<<20)/200 || got > announced+(1<<20)/200 {
			t.Errorf("expected %d bytes at the end, nix announced %s MiB", got, m[1])
		}
		if firstExpected < 0 || !strings.Contains(snaps[firstExpected].text, "will be fetched") ||
			snaps[firstExpected].header.BytesExpected != int64((mib-0.005)*(1<<20)) {
			t.Errorf("the first expected total does not come with the announcement: %+v", snaps[max(firstExpected, 0)])
		}
	case m != nil || bytes.Contains(log, []byte("will be fetched")):
		t.Error("Nix 2.8 announced downloads; update the notes and this check")
	}

	// Two cache rows, one path each, all bytes counted.
	caches := last.caches
	urls := []string{}
	for _, c := range caches {
		urls = append(urls, c.URL)
		if c.Downloads != 1 || c.Running != 0 || c.Bytes < 600000 || c.Bytes > 700000 {
			t.Errorf("cache row %+v, want one finished download of a payload", c)
		}
	}
	slices.Sort(urls)
	if !slices.Equal(urls, []string{"http://127.0.0.1:PORT-A", "http://127.0.0.1:PORT-B"}) {
		t.Errorf("caches %+v, want PORT-A and PORT-B", caches)
	}

	// The stream's phases: evaluating first, downloading and building,
	// then done or failed; progress shows both caches once both serve.
	var phases, failures []string
	var failure *FailureInfo
	failureAt := -1
	cacheProgress := false
	for i, p := range snaps {
		for _, e := range p.events {
			switch e.Event {
			case EventPhase:
				phases = append(phases, e.Phase.Phase)
			case EventFailure:
				failures = append(failures, e.Failure.Reason)
				failure, failureAt = e.Failure, i
			case EventProgress:
				cacheProgress = cacheProgress || len(e.Progress.Caches) == 2
			}
		}
	}
	end := map[bool]string{false: "done", true: "failed"}[fail]
	if len(phases) < 3 || phases[0] != "evaluating" || phases[len(phases)-1] != end ||
		!slices.Contains(phases, "downloading") || !slices.Contains(phases, "building") {
		t.Errorf("stream phases %v", phases)
	}
	if !cacheProgress {
		t.Error("no progress event shows the two caches")
	}
	res := last.events[len(last.events)-1]
	if res.Event != EventResult || res.Result.OK != !fail {
		t.Fatalf("the stream ends with %+v", res)
	}

	builds := last.builds
	names := func(bs []Build) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Name)
		}
		return out
	}
	if !fail {
		// The two builds in the order they started, then top, which
		// waited for them and for both downloads; all succeeded.
		if d.Reason != "" || !d.OK || len(failures) != 0 {
			t.Errorf("diagnosis %+v, stream failures %v", d, failures)
		}
		got := names(builds)
		if len(builds) != 3 || got[2] != "fixture-top-1.0" || !slices.Contains(got, "fixture-par-one-1.0") || !slices.Contains(got, "fixture-par-two-1.0") {
			t.Fatalf("builds %v", got)
		}
		if builds[1].Start.Before(builds[0].Start) {
			t.Errorf("builds not in the order they started: %+v", builds)
		}
		want := map[string]struct {
			phase string
			lines int
		}{"fixture-par-one-1.0": {"buildPhase", 30}, "fixture-par-two-1.0": {"buildPhase", 25}, "fixture-top-1.0": {"installPhase", 0}}
		for _, b := range builds {
			if w := want[b.Name]; b.Status != BuildSucceeded || b.Phase != w.phase || b.Lines != w.lines {
				t.Errorf("build %+v, want succeeded in %s with %d lines", b, w.phase, w.lines)
			}
		}
		topStart := slices.IndexFunc(snaps, func(p parallelSnap) bool {
			_, ns := p.runningOf(ActBuild)
			return slices.Contains(ns, "fixture-top-1.0")
		})
		if p := snaps[topStart]; len(p.running) != 1 {
			t.Errorf("line %d: top starts beside %+v", p.line, p.running)
		}
		if sum := s.Summary(); sum.Built != 3 || sum.Downloaded != 2 || sum.Failed != 0 {
			t.Errorf("summary %+v", sum)
		}
		if res.Result.Summary.Built != 3 || res.Result.Summary.Downloaded != 2 || res.Result.Summary.Bytes < delivered {
			t.Errorf("stream summary %+v", res.Result.Summary)
		}
		return
	}

	// fixture-par-bad fails with its own lines while fixture-par-one
	// and a download still run: the stream's failure event comes on
	// that line (the mark the screen opens the build's log on), and
	// the diagnosis names it.
	const reason = "building fixture-par-bad-1.0 failed"
	if d.OK || d.Reason != reason || len(failures) != 1 || failures[0] != reason || res.Result.Reason != reason {
		t.Fatalf("diagnosis %+v, stream failures %v, result %+v", d, failures, res.Result)
	}
	at := snaps[failureAt]
	if _, bs := at.runningOf(ActBuild); !slices.Contains(bs, "fixture-par-one-1.0") {
		t.Errorf("line %d, when the failure is known: builds running %v, want fixture-par-one", at.line, bs)
	}
	if n, _ := at.runningOf(ActCopyPath); n == 0 {
		t.Errorf("line %d, when the failure is known: no download runs", at.line)
	}
	if !strings.Contains(StripANSI(at.text), "builder for '") || !strings.Contains(at.text, "fixture-par-bad-1.0.drv") {
		t.Errorf("the failure event comes on line %d, not nix's message: %.200s", at.line, at.text)
	}
	if failure.Build.Name != "fixture-par-bad-1.0" || !strings.HasSuffix(failure.Build.Drv, "-fixture-par-bad-1.0.drv") ||
		!strings.HasPrefix(failure.Hint.Fix, "nix log /nix/store/") {
		t.Errorf("failure event %+v", failure)
	}
	for i := 1; i <= 8; i++ {
		if !strings.Contains(failure.Hint.Detail, fmt.Sprintf("bad line %d\n", i)) || !strings.Contains(d.Hints[0].Detail, fmt.Sprintf("bad line %d\n", i)) {
			t.Errorf("failure hint lacks the build's line %d:\n%s", i, failure.Hint.Detail)
		}
	}
	if !strings.Contains(failure.Hint.Detail, "the parallel fixture fails on purpose") || !strings.Contains(failure.Hint.Detail, "failed with exit code 4") {
		t.Errorf("failure hint:\n%s", failure.Hint.Detail)
	}
	got := names(builds)
	slices.Sort(got)
	if !slices.Equal(got, []string{"fixture-par-bad-1.0", "fixture-par-one-1.0"}) {
		t.Fatalf("builds %v, want fixture-par-bad and fixture-par-one (top never starts)", got)
	}
	for _, b := range builds {
		switch b.Name {
		case "fixture-par-bad-1.0":
			lines := s.BuildLog(b.ID, 0)
			if b.Status != BuildFailed || b.Phase != "checkPhase" || b.Lines != 9 || len(lines) != 9 ||
				lines[0] != "bad line 1" || lines[8] != "the parallel fixture fails on purpose" {
				t.Errorf("failed build %+v, its lines %q", b, lines)
			}
		case "fixture-par-one-1.0":
			// Nix cancels it when fixture-par-bad fails (no
			// --keep-going): it ends without nix counting it built.
			if b.Status != BuildCancelled || b.End.IsZero() || b.Lines >= 30 {
				t.Errorf("cancelled build %+v", b)
			}
		}
	}
	if h := last.header; h.BuildsFailed != 1 || h.BuildsDone != 0 || h.DownloadsDone != 0 {
		t.Errorf("header %+v: want one failed build, none built and no download done (nix cancels them)", h)
	}
	if sum := res.Result.Summary; sum.Built != 0 || sum.Failed != 1 || sum.Downloaded != 0 {
		t.Errorf("stream summary %+v, want nothing built or downloaded, one failure", sum)
	}
}

// TestParallelReplays checks the recordings of the parallel fixture of
// every Nix and mode step by step (checkParallel).
func TestParallelReplays(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("testdata", "logs", "nix-*"))
	if err != nil || len(dirs) < 4 {
		t.Fatalf("recording directories %v: %v", dirs, err)
	}
	for _, dir := range dirs {
		version := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(dir), "nix-"), "-daemon")
		for _, name := range []string{"parallel-ok.log", "parallel-fail.log"} {
			t.Run(filepath.Base(dir)+"/"+name, func(t *testing.T) {
				t.Parallel()
				log, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatalf("%v (record with: go test ./nixlog -run TestNixParallel -update-logs)", err)
				}
				checkParallel(t, log, version, name == "parallel-fail.log")
			})
		}
	}
}

// TestCancelledBuilds: a build nix stops because another one failed is
// cancelled, not built, in the orders Nix writes it (a failure's message
// before or after the failed build's stop); with --keep-going nix counts
// the other build done first, and without a failure a stop is always a
// success, whatever nix's counts say.
func TestCancelledBuilds(t *testing.T) {
	drv := func(n string) string { return "/nix/store/" + strings.Repeat("a", 32) + "-" + n + ".drv" }
	start := func(id int, name string) string {
		return fmt.Sprintf(`@nix {"action":"start","fields":["%s","",1,1],"id":%d,"level":3,"text":"building '%s'","type":105}`, drv(name), id, drv(name))
	}
	progress := func(done, expected, running, failed int) string {
		return fmt.Sprintf(`@nix {"action":"result","fields":[%d,%d,%d,%d],"id":1,"type":105}`, done, expected, running, failed)
	}
	stop := func(id int) string { return fmt.Sprintf(`@nix {"action":"stop","id":%d}`, id) }
	failed := fmt.Sprintf(`@nix {"action":"msg","level":0,"msg":"error: builder for '%s' failed with exit code 4"}`, drv("bad"))
	begin := []string{`@nix {"action":"start","id":1,"level":0,"text":"","type":104}`, progress(0, 2, 0, 0),
		start(10, "bad"), start(11, "other"), progress(0, 2, 2, 0)}
	cases := []struct {
		name  string
		lines []string
		other BuildStatus
		built int
	}{
		{"message before the stops", []string{progress(0, 1, 1, 1), failed, progress(0, 0, 0, 1), stop(11), stop(10)}, BuildCancelled, 0},
		{"message after the failed build's stop", []string{progress(0, 1, 1, 1), stop(10), failed, progress(0, 0, 0, 1), stop(11)}, BuildCancelled, 0},
		{"keep going", []string{progress(0, 1, 1, 1), failed, stop(10), progress(1, 1, 0, 1), stop(11)}, BuildSucceeded, 1},
		{"no failure, counted late", []string{stop(10), stop(11), progress(2, 2, 0, 0)}, BuildSucceeded, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewState(Options{})
			for _, l := range append(slices.Clone(begin), c.lines...) {
				s.Feed([]byte(l))
			}
			bs := s.Builds()
			if len(bs) != 2 || bs[1].Name != "other" || bs[1].Status != c.other || bs[1].End.IsZero() {
				t.Fatalf("builds %+v, want other %v", bs, c.other)
			}
			wantBad := BuildFailed
			if c.name == "no failure, counted late" {
				wantBad = BuildSucceeded
			}
			if bs[0].Status != wantBad {
				t.Errorf("bad is %v, want %v", bs[0].Status, wantBad)
			}
			if sum := s.Summary(); sum.Built != c.built {
				t.Errorf("summary %+v, want %d built", sum, c.built)
			}
		})
	}
}
