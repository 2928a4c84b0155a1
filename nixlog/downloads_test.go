package nixlog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// recordedLogs returns every recorded log: each Nix and mode's, and the
// demo's recordings.
func recordedLogs(t testing.TB) map[string][]byte {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata", "logs", "nix-*", "*.log"))
	more, _ := filepath.Glob(filepath.Join("recording", "*.log"))
	out := map[string][]byte{}
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = data
	}
	if len(out) < 80 {
		t.Fatalf("found %d recorded logs", len(out))
	}
	return out
}

// checkTotals feeds log line by line and checks the header's download
// bytes after each: done and expected never go down, done never exceeds
// expected once known, and expected is never below what nix announced.
// It returns the last header and whether the bound ever held back bytes.
func checkTotals(t *testing.T, name string, log []byte) (Header, bool) {
	t.Helper()
	s, _ := newTestState(Limits{})
	var prev Header
	clamped := false
	for i, line := range bytes.Split(log, []byte("\n")) {
		s.Feed(line)
		h := s.Header()
		s.mu.Lock()
		raw, announced := s.figures().pathBytes, s.announced
		s.mu.Unlock()
		bad := ""
		switch {
		case h.BytesDone < prev.BytesDone:
			bad = "done went down"
		case h.BytesExpected < prev.BytesExpected:
			bad = "expected went down"
		case h.BytesExpected > 0 && h.BytesDone > h.BytesExpected:
			bad = "done exceeds expected"
		case h.BytesExpected < announced:
			bad = "expected is below the announcement"
		case h.BytesDone < 0 || h.BytesExpected < 0:
			bad = "negative"
		case h.DownloadsDone > h.DownloadsExpected:
			bad = "more downloads done than expected"
		}
		if bad != "" {
			t.Fatalf("%s, line %d: %s: %+v after %+v\n%s", name, i+1, bad, h, prev, line)
		}
		clamped = clamped || raw > h.BytesDone
		prev = h
	}
	return prev, clamped
}

// TestDownloadTotalsRecorded: over every recorded log the totals hold
// their bounds line by line, and nix's own figures never needed the
// bound: the bytes counted are those nix expected. A download that
// completed shows all it expected.
func TestDownloadTotalsRecorded(t *testing.T) {
	for name, log := range recordedLogs(t) {
		h, clamped := checkTotals(t, name, log)
		if clamped && !strings.Contains(name, "missing-nar") {
			t.Errorf("%s: the bound held back bytes of a log whose downloads all succeeded: %+v", name, h)
		}
		if strings.HasSuffix(name, "download.log") && (h.BytesDone < 300000 || h.BytesDone != h.BytesExpected) {
			t.Errorf("%s: finished with %d of %d bytes", name, h.BytesDone, h.BytesExpected)
		}
	}
}

// mutate returns log with random damage: lines dropped, repeated or
// swapped, progress numbers replaced by random ones (negative and huge
// included), and announcements inserted.
func mutate(r *rand.Rand, log []byte) []byte {
	lines := bytes.Split(log, []byte("\n"))
	var out [][]byte
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch r.IntN(20) {
		case 0:
			continue
		case 1:
			out = append(out, l)
		case 2:
			if i+1 < len(lines) {
				out = append(out, lines[i+1])
				lines[i+1] = l
				continue
			}
		case 3:
			if bytes.Contains(l, []byte(`"type":105`)) {
				n := []int64{-1, 0, 1, r.Int64N(1 << 20), r.Int64N(1 << 40), 1<<62 + r.Int64N(1<<62)}
				l = fmt.Appendf(nil, `@nix {"action":"result","fields":[%d,%d,0,0],"id":%s,"type":105}`,
					n[r.IntN(len(n))], n[r.IntN(len(n))], idOf(l))
			}
		case 4:
			out = append(out, fmt.Appendf(nil, `@nix {"action":"msg","level":3,"msg":"these %d paths will be fetched (%d.%02d MiB download, 9.00 MiB unpacked):"}`,
				r.IntN(9), r.IntN(50), r.IntN(100)))
		case 5:
			if bytes.Contains(l, []byte(`"type":106`)) {
				l = fmt.Appendf(nil, `@nix {"action":"result","fields":[101,%d],"id":%s,"type":106}`, r.Int64N(1<<30)-1<<29, idOf(l))
			}
		}
		out = append(out, l)
	}
	return bytes.Join(out, []byte("\n"))
}

// idOf returns the "id" of an event line, or 0.
func idOf(l []byte) []byte {
	_, rest, ok := bytes.Cut(l, []byte(`"id":`))
	if !ok {
		return []byte("0")
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if end == 0 {
		return []byte("0")
	}
	return rest[:end]
}

// TestDownloadTotalsFuzzed: the bounds hold over thousands of damaged
// versions of the recorded logs with downloads (a fixed seed, so a failure
// is found again).
func TestDownloadTotalsFuzzed(t *testing.T) {
	var logs []string
	all := recordedLogs(t)
	for name, log := range all {
		if bytes.Contains(log, []byte(`"type":101`)) && bytes.Contains(log, []byte("/nar/")) {
			logs = append(logs, name)
		}
	}
	if len(logs) < 8 {
		t.Fatalf("only %d recorded logs with downloads", len(logs))
	}
	// In a fixed order: the seed finds the same logs again.
	slices.Sort(logs)
	r := rand.New(rand.NewPCG(14, 4))
	rounds := 200
	if n, err := strconv.Atoi(os.Getenv("NIXBOARD_FUZZ_ROUNDS")); err == nil {
		rounds = n
	}
	if testing.Short() {
		rounds = 20
	}
	for i := 0; i < rounds; i++ {
		name := logs[r.IntN(len(logs))]
		checkTotals(t, fmt.Sprintf("%s mutated (round %d)", name, i), mutate(r, all[name]))
	}
}

// FuzzDownloadTotals: any log keeps the download totals in their bounds.
func FuzzDownloadTotals(f *testing.F) {
	for name, log := range recordedLogs(f) {
		if strings.HasSuffix(name, "download.log") || strings.HasSuffix(name, "missing-nar.log") {
			f.Add(log)
		}
	}
	f.Fuzz(func(t *testing.T, log []byte) {
		checkTotals(t, "fuzzed", log)
	})
}

// TestAnnouncement: nix's announcement of what it will fetch is read in
// both forms, as the lower bound of its rounding, and adds up over the
// nix runs of a switch.
func TestAnnouncement(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `@nix {"action":"msg","level":3,"msg":"these 8 paths will be fetched (24.63 MiB download, 24.63 MiB unpacked):"}
@nix {"action":"msg","level":3,"msg":"this path will be fetched (0.01 MiB download, 0.05 MiB unpacked):"}
@nix {"action":"msg","level":3,"msg":"these 2 paths will be fetched (nonsense MiB download, 1 MiB unpacked):"}
@nix {"action":"msg","level":4,"msg":"these 2 paths will be fetched (99.00 MiB download, 99.00 MiB unpacked):"}`)
	mib := func(f float64) int64 { return int64((f - 0.005) * (1 << 20)) }
	want := mib(24.63) + mib(0.01)
	if h := s.Header(); h.BytesExpected != want || h.BytesDone != 0 {
		t.Errorf("header %+v, want %d bytes expected", h, want)
	}
}

// TestCachesPerRow: downloads from two caches are told apart by their
// cache (the URL before /nar/), with their bytes, running ones included;
// a cache's metadata and a flake input are not downloads of paths.
func TestCachesPerRow(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `@nix {"action":"start","fields":["https://cache.nixos.org/nix-cache-info"],"id":1,"level":4,"text":"","type":101}
@nix {"action":"result","fields":[300,300,0,0],"id":1,"type":105}
@nix {"action":"stop","id":1}
@nix {"action":"start","fields":["https://cache.nixos.org/abc.narinfo"],"id":2,"level":4,"text":"","type":101}
@nix {"action":"stop","id":2}
@nix {"action":"start","id":3,"level":0,"text":"","type":102}
@nix {"action":"start","fields":["https://cache.nixos.org/nar/a.nar.xz"],"id":4,"level":4,"text":"","type":101}
@nix {"action":"result","fields":[1000,1000,0,0],"id":4,"type":105}
@nix {"action":"stop","id":4}
@nix {"action":"start","fields":["https://cache.nixos.org/nar/b.nar.xz"],"id":5,"level":4,"text":"","type":101}
@nix {"action":"result","fields":[500,2000,0,0],"id":5,"type":105}
@nix {"action":"start","fields":["https://nix-community.cachix.org/nar/c.nar.zst"],"id":6,"level":4,"text":"","type":101}
@nix {"action":"result","fields":[70,90,0,0],"id":6,"type":105}`)
	got := s.Caches()
	want := []CacheRow{{URL: "https://cache.nixos.org", Downloads: 2, Running: 1, Bytes: 1500}, {URL: "https://nix-community.cachix.org", Downloads: 1, Running: 1, Bytes: 70}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("caches %+v, want %+v", got, want)
	}
	if h := s.Header(); h.BytesDone != 1570 {
		t.Errorf("header counts %d bytes, want the 1570 of the paths", h.BytesDone)
	}
}

// TestRateFollowsTheRecentPace: a download that ran at 1 MiB/s for ten
// seconds and then all but stalled shows the stall within RateWindow,
// where the average since the start would still say 0.7 MiB/s; however
// often headers are made. A finished run shows its average.
func TestRateFollowsTheRecentPace(t *testing.T) {
	for _, every := range []time.Duration{time.Second / 15, time.Second} {
		s, clock := newTestState(Limits{})
		feedAll(s, `@nix {"action":"start","id":3,"level":0,"text":"","type":102}
@nix {"action":"start","fields":["https://cache.nixos.org/nar/a.nar.xz"],"id":4,"level":4,"text":"","type":101}`)
		start := clock.t
		var h Header
		for at := time.Duration(0); at <= 15*time.Second; at += every {
			clock.t = start.Add(at)
			done := min(at, 10*time.Second).Seconds() * (1 << 20)
			if at > 10*time.Second {
				done += (at - 10*time.Second).Seconds() * (20 << 10)
			}
			feedAll(s, fmt.Sprintf(`@nix {"action":"result","fields":[%d,%d,0,0],"id":4,"type":105}`, int64(done), 20<<20))
			h = s.Header()
			if at == 3*time.Second && (h.Rate < 0.99*(1<<20) || h.Rate > 1.01*(1<<20)) {
				t.Errorf("every %v: at 3s the rate is %.0f, want 1 MiB/s", every, h.Rate)
			}
		}
		// Headers are sampled at most every RateWindow/20: the knee
		// of the curve is known to a quarter of a second, which at 1
		// MiB/s is worth up to 50 KiB/s over the window.
		if h.Rate < 10<<10 || h.Rate > 72<<10 {
			t.Errorf("every %v: after the stall the rate is %.0f B/s, want about 20 KiB/s (the average is 700 KiB/s)", every, h.Rate)
		}
		s.Finish(true)
		if h := s.Header(); h.Rate < 0.6*(1<<20) || h.Rate > 0.75*(1<<20) {
			t.Errorf("every %v: a finished run's rate is %.0f, want its average", every, h.Rate)
		}
	}
}

// TestDoneShownBeforeTheTotalStays: bytes shown before nix says what it
// expects are not taken back when the total it then gives is smaller (a
// damaged log; TestDownloadTotalsFuzzed found it): the total is raised.
func TestDoneShownBeforeTheTotalStays(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `@nix {"action":"start","id":3,"level":0,"text":"","type":102}
@nix {"action":"start","fields":["https://cache.example.invalid/nar/a.nar.xz"],"id":4,"level":4,"text":"","type":101}
@nix {"action":"result","fields":[5000,0,0,0],"id":4,"type":105}`)
	before := s.Header()
	feedAll(s, `@nix {"action":"result","fields":[101,3000],"id":3,"type":106}`)
	after := s.Header()
	if before.BytesDone != 5000 || after.BytesDone != 5000 || after.BytesExpected != 5000 {
		t.Errorf("before %d of %d, after %d of %d; want 5000 shown throughout and the total raised to it",
			before.BytesDone, before.BytesExpected, after.BytesDone, after.BytesExpected)
	}
}
