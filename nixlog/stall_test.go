package nixlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The store paths and NARs of the synthetic downloads (fixtures, not
// nixpkgs).
const (
	stallCache = "https://cache.example.invalid"
	stallPathA = "/nix/store/7aqmf0rgpdid3saialn6lnl3ncx56z7k-fixture-payload-1.0"
	stallPathB = "/nix/store/xb4hsaq9bzr5jmnrx6zrvvnjdw6mg81c-fixture-dl-1.0"
	stallNarA  = stallCache + "/nar/0g5qvfdigv80ishpb0h3vzkb5ix8ysiv1v70hg9qnz7hiwigwirw.nar.xz"
	stallNarB  = stallCache + "/nar/1fzfisnj00yf50q7cyr5dg4qslndhql047967p64lfqgzxd3asqd.nar.xz"
)

// stallShape writes the events of a substitution as one Nix version logs
// them (see testdata/logs/nix-*/download.log): a substitute (108) with a
// store path copy (100) under it and the NAR's file transfer (101) under
// that. Nix 2.26 gives every start its parent; Nix 2.8 gives none.
type stallShape struct {
	name    string
	parents bool
}

var stallShapes = []stallShape{{"nix-2.8", false}, {"nix-2.26", true}}

func (sh stallShape) start(id, parent int, typ ActivityType, fields ...string) string {
	quoted := make([]string, len(fields))
	for i, f := range fields {
		quoted[i] = fmt.Sprintf("%q", f)
	}
	p := ""
	if sh.parents {
		p = fmt.Sprintf(`"parent":%d,`, parent)
	}
	return fmt.Sprintf(`@nix {"action":"start","fields":[%s],"id":%d,"level":4,%s"text":"","type":%d}`, strings.Join(quoted, ","), id, p, typ)
}

// download starts realise 1, then the substitution of path (ids sub,
// sub+1 for the copy, sub+2 for the NAR's transfer).
func (sh stallShape) download(sub int, path, nar string) string {
	return strings.Join([]string{
		sh.start(sub, 1, ActSubstitute, path, stallCache),
		sh.start(sub+1, sub, ActCopyPath, path, stallCache, "local"),
		sh.start(sub+2, sub+1, ActFileTransfer, nar),
	}, "\n")
}

func progress(id int, done, expected int64) string {
	return fmt.Sprintf(`@nix {"action":"result","fields":[%d,%d,0,0],"id":%d,"type":105}`, done, expected, id)
}

func stop(id int) string { return fmt.Sprintf(`@nix {"action":"stop","id":%d}`, id) }

// running returns the running activity id.
func running(t *testing.T, s *State, id uint64) Activity {
	t.Helper()
	for _, a := range s.Running() {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("activity %d is not running", id)
	return Activity{}
}

// TestStallState: in both shapes, the NAR's transfer is the row that
// stalls, StallAfter after its bytes last moved (progress results that
// repeat the same bytes are no move); the copy it belongs to never stalls
// while it runs, and once it ended the copy moves on from then. A moving
// transfer never stalls, nor anything once the run ended.
func TestStallState(t *testing.T) {
	for _, sh := range stallShapes {
		t.Run(sh.name, func(t *testing.T) {
			s, clock := newTestState(Limits{})
			t0 := clock.t
			at := func(d time.Duration, lines ...string) {
				clock.t = t0.Add(d)
				feedAll(s, strings.Join(lines, "\n"))
			}
			at(0, `@nix {"action":"start","id":1,"level":0,"text":"","type":102}`, sh.download(10, stallPathA, stallNarA))
			at(time.Second, progress(12, 4096, 300568))
			at(2*time.Second, progress(12, 8192, 300568))
			for sec := 3; sec <= 21; sec++ {
				at(time.Duration(sec)*time.Second, progress(12, 8192, 300568))
			}
			xfer, copy := running(t, s, 12), running(t, s, 11)
			if !xfer.Moved.Equal(t0.Add(2*time.Second)) || xfer.Copy != 11 || xfer.Cache != stallCache || copy.Cache != stallCache {
				t.Fatalf("transfer %+v", xfer)
			}
			if d, stalled := xfer.Stalled(t0.Add(21 * time.Second)); stalled || d != 19*time.Second {
				t.Errorf("stalled %v %v at 19s without moving", d, stalled)
			}
			if d, stalled := xfer.Stalled(t0.Add(22 * time.Second)); !stalled || d != StallAfter {
				t.Errorf("not stalled (%v) after StallAfter without moving", d)
			}
			if !copy.Moved.IsZero() {
				t.Errorf("the copy can stall while its transfer runs: %+v", copy)
			}
			if d, stalled := copy.Stalled(t0.Add(time.Hour)); stalled || d != 0 {
				t.Errorf("copy stalled %v", d)
			}
			at(30*time.Second, progress(12, 300568, 300568))
			if _, stalled := running(t, s, 12).Stalled(t0.Add(49 * time.Second)); stalled {
				t.Error("stalled although it moved again")
			}
			at(31*time.Second, stop(12))
			copy = running(t, s, 11)
			if !copy.Moved.Equal(t0.Add(31 * time.Second)) {
				t.Errorf("copy moved at %v, want when its transfer ended", copy.Moved.Sub(t0))
			}
			at(35*time.Second, progress(11, 8192, 300496))
			if copy = running(t, s, 11); !copy.Moved.Equal(t0.Add(35 * time.Second)) {
				t.Errorf("copy moved at %v, want its own progress's 35s", copy.Moved.Sub(t0))
			}
			if _, stalled := copy.Stalled(t0.Add(55 * time.Second)); !stalled {
				t.Error("a copy alone does not stall")
			}
			s.Finish(false)
			for _, a := range s.Running() {
				if !a.Moved.IsZero() {
					t.Errorf("after the run %+v can stall", a)
				}
			}
		})
	}
}

// TestStallCopiesLinked: two substitutions from one cache at once, each
// copy with its own NAR transfer: on Nix 2.26 by the parent, on Nix 2.8
// (no parents) the oldest copy still waiting, however they interleave.
func TestStallCopiesLinked(t *testing.T) {
	for _, sh := range stallShapes {
		for _, order := range []string{"copy, transfer, copy, transfer", "copy, copy, transfer, transfer"} {
			t.Run(sh.name+"/"+order, func(t *testing.T) {
				s, clock := newTestState(Limits{})
				a := strings.Split(sh.download(10, stallPathA, stallNarA), "\n")
				b := strings.Split(sh.download(20, stallPathB, stallNarB), "\n")
				lines := []string{`@nix {"action":"start","id":1,"level":0,"text":"","type":102}`, a[0], a[1], a[2], b[0], b[1], b[2]}
				if order == "copy, copy, transfer, transfer" {
					lines = []string{lines[0], a[0], a[1], b[0], b[1], a[2], b[2]}
				}
				for _, l := range lines {
					clock.t = clock.t.Add(time.Millisecond)
					s.Feed([]byte(l))
				}
				if x := running(t, s, 12); x.Copy != 11 {
					t.Errorf("transfer of A belongs to %d", x.Copy)
				}
				if x := running(t, s, 22); x.Copy != 21 {
					t.Errorf("transfer of B belongs to %d", x.Copy)
				}
				for _, id := range []uint64{11, 21} {
					if c := running(t, s, id); !c.Moved.IsZero() {
						t.Errorf("copy %d can stall beside its transfer", id)
					}
				}
				s.mu.Lock()
				waiting := len(s.waitingCopies)
				s.mu.Unlock()
				if waiting != 0 {
					t.Errorf("%d copies still wait for a transfer", waiting)
				}
			})
		}
	}
}

// stallEvents polls st and returns its stall events.
func stallEvents(st *Stream) []*StallInfo {
	var out []*StallInfo
	for _, e := range st.Poll(false) {
		if e.Stall != nil {
			out = append(out, e.Stall)
		}
	}
	return out
}

// TestStreamStall: by the State's clock, polled every second, the stream
// tells a transfer that stopped moving for StallAfter exactly once, in
// plain words and JSON from the same event, then once that it moves again,
// and a second stall once more; a transfer that stops while stalled is
// told ended. A transfer that keeps moving, and one that finished before
// StallAfter, are never told.
func TestStreamStall(t *testing.T) {
	for _, sh := range stallShapes {
		t.Run(sh.name, func(t *testing.T) {
			s, clock := newTestState(Limits{})
			st := NewStream(s, StreamOptions{Now: clock.now})
			t0 := clock.t
			var got []*StallInfo
			var elapsed []time.Duration
			// sec runs the clock to sec seconds, feeding lines at
			// every second on the way and polling after each.
			now := 0
			run := func(to int, lines func(sec int) []string) {
				for ; now <= to; now++ {
					clock.t = t0.Add(time.Duration(now) * time.Second)
					feedAll(s, strings.Join(lines(now), "\n"))
					for _, e := range st.Poll(now%5 == 0) {
						if e.Stall != nil {
							got = append(got, e.Stall)
							elapsed = append(elapsed, e.Elapsed)
						}
					}
				}
			}
			// A stalls from 2s; B moves all the time; C finishes at 5s.
			run(0, func(int) []string {
				return []string{`@nix {"action":"start","id":1,"level":0,"text":"","type":102}`,
					sh.download(10, stallPathA, stallNarA), sh.download(20, stallPathB, stallNarB),
					sh.start(30, 0, ActFileTransfer, stallCache+"/abc.narinfo")}
			})
			aBytes, aStopAt := int64(8192), 0
			moving := func(sec int) []string {
				l := []string{progress(22, int64(sec)*1000, 1<<20)}
				if sec < 5 {
					l = append(l, progress(30, 0, 0))
				} else if sec == 5 {
					l = append(l, progress(30, 557, 557), stop(30))
				}
				switch {
				case aStopAt > 0 && sec == aStopAt:
					l = append(l, stop(12))
				case aStopAt > 0:
				case sec <= 2:
					l = append(l, progress(12, int64(sec)*4096, 300568))
				default:
					l = append(l, progress(12, aBytes, 300568))
				}
				return l
			}
			run(21, moving)
			if len(got) != 0 {
				t.Fatalf("told at %v, before StallAfter: %+v", elapsed, got[0])
			}
			run(40, moving)
			if len(got) != 1 {
				t.Fatalf("stall events %d, want 1: %+v", len(got), got)
			}
			stall := got[0]
			exp := int64(300568)
			if stall.State != StallStalled || stall.Kind != "transfer" || stall.Name != stallNarA || stall.Path != stallPathA ||
				stall.Cache != stallCache || stall.Bytes.Done != 8192 || *stall.Bytes.Expected != exp || stall.Seconds != 20 || elapsed[0] != 22*time.Second {
				t.Errorf("stall %+v at %v", stall, elapsed[0])
			}
			e := StreamEvent{Event: EventStall, Elapsed: elapsed[0], Stall: stall}
			if l := e.PlainLines(); len(l) != 1 || l[0] != "stalled: download fixture-payload-1.0 from "+stallCache+" has not moved for 20s (8 KiB of 293 KiB)" {
				t.Errorf("plain %q", l)
			}
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			want := `{"schema":1,"event":"stall","elapsed":22,"state":"stalled","kind":"transfer","name":"` + stallNarA + `","path":"` + stallPathA +
				`","cache":"` + stallCache + `","bytes":{"done":8192,"expected":300568},"seconds":20}`
			if string(b) != want {
				t.Errorf("JSON\n%s\nwant\n%s", b, want)
			}
			// A moves again at 41s, once, then stalls a second time.
			aBytes = 16384
			run(70, moving)
			if len(got) != 3 || got[1].State != StallMoving || got[1].Seconds != 39 || got[2].State != StallStalled || got[2].Seconds != 20 || elapsed[2] != 61*time.Second {
				t.Fatalf("after moving again: %+v", got)
			}
			if l := (StreamEvent{Event: EventStall, Stall: got[1]}).PlainLines(); l[0] != "moving again: download fixture-payload-1.0 from "+stallCache+" after 39s stalled" {
				t.Errorf("plain %q", l)
			}
			// It ends without moving.
			aStopAt = 72
			run(72, moving)
			if len(got) != 4 || got[3].State != StallEnded || got[3].Seconds != 31 || got[3].Name != stallNarA || got[3].Bytes.Done != 16384 || elapsed[3] != 72*time.Second {
				t.Fatalf("after it ended: %+v at %v", *got[len(got)-1], elapsed)
			}
			if l := (StreamEvent{Event: EventStall, Stall: got[3]}).PlainLines(); l[0] != "ended stalled: download fixture-payload-1.0 from "+stallCache+" stopped after 31s without moving (16 KiB of 293 KiB)" {
				t.Errorf("plain %q", l)
			}
			for _, g := range got {
				if g.Name != stallNarA {
					t.Errorf("told of %s, which moved or finished in time", g.Name)
				}
			}
			// Once the run ended, nothing more.
			s.Finish(false)
			clock.t = clock.t.Add(time.Hour)
			if ev := stallEvents(st); len(ev) != 0 {
				t.Errorf("after the run: %+v", ev)
			}
		})
	}
}

// TestStreamStallSilent: a transfer that stalls while nix prints nothing
// at all is told by the stream's poll, by the State's clock, once; the
// line that shows it moving again ends it.
func TestStreamStallSilent(t *testing.T) {
	s, clock := newTestState(Limits{})
	st := NewStream(s, StreamOptions{Now: clock.now})
	t0 := clock.t
	feedAll(s, strings.Join([]string{`@nix {"action":"start","id":1,"level":0,"text":"","type":102}`,
		stallShapes[1].download(10, stallPathA, stallNarA)}, "\n"))
	clock.t = t0.Add(time.Second)
	feedAll(s, progress(12, 4096, 300568))
	var got []*StallInfo
	for _, at := range []time.Duration{2, 20, 21, 22, 40} {
		clock.t = t0.Add(at * time.Second)
		if ev := stallEvents(st); len(ev) > 0 {
			if at != 21 {
				t.Errorf("told at %v", at)
			}
			got = append(got, ev...)
		}
	}
	clock.t = t0.Add(41 * time.Second)
	feedAll(s, progress(12, 8192, 300568))
	got = append(got, stallEvents(st)...)
	if len(got) != 2 || got[0].State != StallStalled || got[0].Seconds != 20 || got[1].State != StallMoving || got[1].Seconds != 40 {
		t.Fatalf("stalls %+v", got)
	}
}

// TestStreamStallCopyAlone: a copy with no transfer of its own (the NAR
// has arrived, nix adds it to the store) stalls as a download and is told
// by its store path name.
func TestStreamStallCopyAlone(t *testing.T) {
	s, clock := newTestState(Limits{})
	st := NewStream(s, StreamOptions{Now: clock.now})
	sh := stallShapes[1]
	feedAll(s, strings.Join([]string{`@nix {"action":"start","id":1,"level":0,"text":"","type":102}`,
		sh.start(10, 1, ActSubstitute, stallPathA, stallCache), sh.start(11, 10, ActCopyPath, stallPathA, stallCache, "local"),
		progress(11, 8192, 300496)}, "\n"))
	var got []*StallInfo
	for sec := 1; sec <= 25; sec++ {
		clock.t = clock.t.Add(time.Second)
		feedAll(s, progress(11, 8192, 300496))
		got = append(got, stallEvents(st)...)
	}
	if len(got) != 1 || got[0].Kind != "download" || got[0].Name != "fixture-payload-1.0" || got[0].Path != stallPathA || got[0].Seconds != 20 {
		t.Fatalf("stalls %+v", got)
	}
	if l := (StreamEvent{Event: EventStall, Stall: got[0]}).PlainLines(); l[0] != "stalled: download fixture-payload-1.0 from "+stallCache+" has not moved for 20s (8 KiB of 293 KiB)" {
		t.Errorf("plain %q", l)
	}
}

// recordedLines reads a recorded log with its recorded times (one
// millisecond a line for a log without time markers), copying each line.
func recordedLines(t *testing.T, path string) []RawLine {
	t.Helper()
	rep, err := OpenReplay(path, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	var out []RawLine
	for {
		batch, err := rep.Next()
		for _, l := range batch {
			out = append(out, RawLine{At: l.At, Text: append([]byte(nil), l.Text...)})
		}
		if err != nil {
			break
		}
	}
	if out[len(out)-1].At == 0 {
		for i := range out {
			out[i].At = time.Duration(i) * time.Millisecond
		}
	}
	return out
}

// streamStalls folds lines by the line clock, polling the stream after
// every line (lineByLine) or once at the end, as a replay at full speed
// that reads them in one batch, and returns the stall events.
func streamStalls(lines []RawLine, lineByLine bool) []StreamEvent {
	s := NewState(Options{LineClock: true})
	st := NewStream(s, StreamOptions{})
	var out []StreamEvent
	poll := func() {
		for _, e := range st.Poll(false) {
			if e.Stall != nil {
				out = append(out, e)
			}
		}
	}
	if !lineByLine {
		s.FeedLines(lines)
		poll()
		return out
	}
	for i := range lines {
		s.FeedLines(lines[i : i+1])
		poll()
	}
	return out
}

// TestStallRecordedLogs: none of the recorded runs has a transfer that
// stood still for StallAfter (a local cache serves them in well under a
// second): polled after every line, the watch tells no stall where there
// was none.
func TestStallRecordedLogs(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "logs", "nix-*", "*.log"))
	more, _ := filepath.Glob(filepath.Join("recording", "*.log"))
	if len(paths)+len(more) < 80 {
		t.Fatalf("found %d recorded logs", len(paths)+len(more))
	}
	for _, p := range append(paths, more...) {
		for _, e := range streamStalls(recordedLines(t, p), true) {
			t.Errorf("%s: %+v", p, e.Stall)
		}
	}
}

// TestStallRecordedShapes: the recorded download of each Nix and mode,
// with a pause of 25 seconds put in after the NAR's transfer reported
// its first (empty) progress: the transfer under its copy (Nix 2.26's
// parent, Nix 2.8's inferred) is told stalled once, by the store path it
// downloads and its cache, then moving again once its bytes arrive; its
// copy is never told. The events are the same however the lines are
// batched: each is marked on the line that shows it.
func TestStallRecordedShapes(t *testing.T) {
	for _, dir := range []string{"nix-2.8", "nix-2.8-daemon", "nix-2.26", "nix-2.26-daemon"} {
		t.Run(dir, func(t *testing.T) {
			lines := recordedLines(t, filepath.Join("testdata", "logs", dir, "download.log"))
			nar, pause := "", -1
			var narID string
			for i, l := range lines {
				text := string(l.Text)
				if strings.Contains(text, `"type":101`) && strings.Contains(text, `/nar/`) && nar == "" {
					nar = text[strings.Index(text, `["`)+2 : strings.Index(text, `"]`)]
					narID = text[strings.Index(text, `"id":`)+5:]
					narID = `"id":` + narID[:strings.IndexByte(narID, ',')] + `,`
					continue
				}
				if nar != "" && strings.Contains(text, narID) && strings.Contains(text, `"fields":[0,0,0,0]`) {
					pause = i + 1
					break
				}
			}
			if pause < 0 {
				t.Fatal("no NAR transfer with progress in the recording")
			}
			for i := pause; i < len(lines); i++ {
				lines[i].At += 25 * time.Second
			}
			events := streamStalls(lines, true)
			if batched := streamStalls(lines, false); !reflect.DeepEqual(batched, events) {
				t.Errorf("polled once at the end:\n%+v\nafter every line:\n%+v", batched, events)
			}
			if len(events) != 2 {
				t.Fatalf("stall events %d, want a stall and its end: %+v", len(events), events)
			}
			stalled, moving := events[0].Stall, events[1].Stall
			if stalled.State != StallStalled || stalled.Kind != "transfer" || stalled.Name != nar || !strings.HasSuffix(stalled.Path, "-fixture-payload-1.0") ||
				stalled.Cache != "http://127.0.0.1:PORT" || stalled.Bytes.Done != 0 || stalled.Seconds < 25 || stalled.Seconds > 26 {
				t.Errorf("stall %+v", stalled)
			}
			if moving.State != StallMoving || moving.Name != nar || moving.Seconds < 25 || moving.Seconds > 26 {
				t.Errorf("end of the stall %+v", moving)
			}
			if l := events[0].PlainLines(); len(l) != 1 || !strings.HasPrefix(l[0], "stalled: download fixture-payload-1.0 from http://127.0.0.1:PORT has not moved for 25s (0 B") {
				t.Errorf("plain %q", l)
			}
		})
	}
}

// checkStallBooks checks the State's stall bookkeeping against its open
// activities: every open transfer and copy is in openXfers once, at its
// index; a copy counts the open transfers that belong to it; only open
// copies without a transfer wait for one; nothing is marked stalled that
// cannot stall.
func checkStallBooks(t *testing.T, s *State, where string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	open := 0
	xfers := map[uint64]int16{}
	for _, a := range s.acts {
		if a.typ == ActFileTransfer || a.typ == ActCopyPath {
			open++
			if i := int(a.xferIdx) - 1; i < 0 || i >= len(s.openXfers) || s.openXfers[i] != a {
				t.Fatalf("%s: activity %d is not at its index %d of openXfers", where, a.id, a.xferIdx)
			}
		}
		if a.copyOf != 0 && s.acts[a.copyOf] != nil {
			xfers[a.copyOf]++
		}
		if a.stalled && !a.canStall() {
			t.Fatalf("%s: activity %d (type %d) is marked stalled but cannot stall", where, a.id, a.typ)
		}
	}
	if open != len(s.openXfers) {
		t.Fatalf("%s: %d open transfers and copies, %d in openXfers", where, open, len(s.openXfers))
	}
	for _, a := range s.acts {
		if a.typ == ActCopyPath && a.xfers != xfers[a.id] {
			t.Fatalf("%s: copy %d counts %d transfers, %d belong to it", where, a.id, a.xfers, xfers[a.id])
		}
	}
	for _, w := range s.waitingCopies {
		if s.acts[w.id] != w || w.typ != ActCopyPath || w.xfers != 0 {
			t.Fatalf("%s: copy %d waits for a transfer but is stopped or has one", where, w.id)
		}
	}
}

// TestStallBookkeepingFuzzed: the recorded downloads, mutated (lines
// dropped, repeated, swapped, progress replaced by wild figures), fed line
// by line at random paces with a poll after each, keep the bookkeeping
// exact, and the stall events of each transfer alternate: stalled, then
// moving or ended, never two stalls or two ends in a row.
func TestStallBookkeepingFuzzed(t *testing.T) {
	all := recordedLogs(t)
	var logs [][]byte
	for _, name := range slices.Sorted(maps.Keys(all)) {
		if log := all[name]; bytes.Contains(log, []byte("/nar/")) {
			logs = append(logs, log)
		} else if strings.HasSuffix(name, "download.log") {
			t.Fatalf("%s has no NAR transfer", name)
		}
	}
	r := rand.New(rand.NewPCG(20, 26))
	rounds := 200
	if testing.Short() {
		rounds = 20
	}
	stalls := 0
	for round := 0; round < rounds; round++ {
		s, clock := newTestState(Limits{Activities: 64})
		st := NewStream(s, StreamOptions{Now: clock.now})
		open := map[uint64]bool{}
		for i, l := range bytes.Split(mutate(r, logs[r.IntN(len(logs))]), []byte("\n")) {
			clock.t = clock.t.Add(time.Duration(r.IntN(12)) * time.Second)
			s.Feed(l)
			for _, e := range st.Poll(r.IntN(2) == 0) {
				if e.Stall == nil {
					continue
				}
				key := e.Stall.Activity
				stalled := e.Stall.State == StallStalled
				if open[key] == stalled {
					t.Fatalf("round %d, line %d: %s %s (activity %d) after %v", round, i+1, e.Stall.State, e.Stall.Name, key, open[key])
				}
				open[key] = stalled
				stalls++
			}
			checkStallBooks(t, s, fmt.Sprintf("round %d, line %d", round, i+1))
		}
	}
	t.Logf("%d stall events in %d rounds", stalls, rounds)
	if stalls == 0 {
		t.Error("no stall in any round: the test tests nothing")
	}
}
