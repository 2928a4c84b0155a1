package nixlog

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// reAnnounced is nix's announcement of what it will substitute (Nix 2.26;
// Nix 2.8 says nothing of the kind in internal-json): "these 8 paths will
// be fetched (24.63 MiB download, 24.63 MiB unpacked):" or "this path will
// be fetched (0.01 MiB download, 0.05 MiB unpacked):". Nix always writes
// MiB with two decimals.
var reAnnounced = regexp.MustCompile(`^th(?:ese \d+ paths|is path) will be fetched \(([0-9]+(?:\.[0-9]+)?) MiB download`)

// noteAnnouncement adds an announced download size to the run's total.
func (s *State) noteAnnouncement(text []byte) {
	if !bytes.HasPrefix(text, []byte("th")) {
		return
	}
	m := reAnnounced.FindSubmatch(text)
	if m == nil {
		return
	}
	mib, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil || mib < 0 || mib > 1<<30 {
		return
	}
	// Nix rounds to two decimals of MiB: the size is at least 0.005 MiB
	// less. That lower bound is what the run expects until the
	// realisation gives the exact size (setExpected), which is then
	// never less, so the expected total only grows.
	s.announced += int64(max(0, mib-0.005) * (1 << 20))
}

// isPathDownload says whether a file transfer of url downloads a store
// path (a NAR), as opposed to a cache's metadata (nix-cache-info, a
// .narinfo) or a flake input before the builds (a fetch step).
func isPathDownload(url string) bool {
	return !strings.HasSuffix(url, ".narinfo") && !strings.HasSuffix(url, "/nix-cache-info")
}

// cacheOf returns the cache a path download comes from: its URL up to the
// "/nar/" directory binary caches use, or its scheme and host.
func cacheOf(url string) string {
	if i := strings.Index(url, "/nar/"); i > 0 {
		return url[:i]
	}
	if i := strings.Index(url, "://"); i >= 0 {
		if j := strings.IndexByte(url[i+3:], '/'); j >= 0 {
			return url[:i+3+j]
		}
	}
	return url
}

// CacheRow is what one cache (or builder) delivered.
type CacheRow struct {
	// URL is the cache, e.g. "https://cache.nixos.org".
	URL string
	// Downloads counts the path downloads from it (running ones
	// included), Running those running now, Bytes their bytes.
	Downloads, Running int
	Bytes              int64
}

// maxCaches bounds the caches a State tells apart; more are summed in the
// last row.
const maxCaches = 16

// cacheRow returns the index of cache url's row, making it.
func (s *State) cacheRow(url string) int {
	for i := range s.caches {
		if s.caches[i].URL == url {
			return i
		}
	}
	if len(s.caches) >= maxCaches {
		return len(s.caches) - 1
	}
	s.caches = append(s.caches, CacheRow{URL: url})
	return len(s.caches) - 1
}

// Caches returns the caches path downloads came from, in the order they
// were first used, with the bytes of running downloads included.
func (s *State) Caches() []CacheRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cachesNow()
}

func (s *State) cachesNow() []CacheRow {
	out := make([]CacheRow, len(s.caches))
	copy(out, s.caches)
	for _, a := range s.acts {
		if a.typ == ActFileTransfer && a.cacheIdx > 0 {
			r := &out[a.cacheIdx-1]
			r.Bytes += a.progress[0]
			r.Running++
		}
	}
	return out
}

// downloadTotals are the run's path download bytes as the header shows
// them: done and expected never go down, and done never exceeds expected
// once nix said what to expect (the realisations' exact expected transfer
// size, or before it the lower bound of its announcement, whichever is
// larger). The bound only holds back bytes nix did not expect: a transfer
// that failed (a NAR missing from a cache answers with a short error page)
// still counts its bytes. The caller holds s.mu.
func (s *State) downloadTotals(done, expected int64) (int64, int64) {
	expected = max(expected, s.announced)
	s.shownExpected = max(s.shownExpected, expected)
	s.shownDone = max(s.shownDone, done)
	if s.shownExpected > 0 {
		// Done bytes shown before nix said what it expects stay shown:
		// an expected total below them (a log nix did not write whole)
		// is raised rather than taking the done figure back.
		s.shownExpected = max(s.shownExpected, s.doneOut)
		s.doneOut = min(s.shownDone, s.shownExpected)
		return s.doneOut, s.shownExpected
	}
	s.doneOut = s.shownDone
	return s.shownDone, 0
}

// RateWindow is how far back the download rate looks: long enough to
// smooth a transfer's bursts, short enough to show a stall within seconds.
const RateWindow = 5 * time.Second

// rateSample is the path download bytes at a moment a header was made.
type rateSample struct {
	at   time.Time
	done int64
}

// rate is the download rate in bytes per second: over the last RateWindow
// once downloads have run that long (from the headers made since, so a
// consumer that asks once a second sees the same figure as one that asks
// fifteen times), before that since the first download, and for a
// finished run its average. The caller holds s.mu.
func (s *State) rate(done int64) float64 {
	if s.firstPathXfer.IsZero() {
		return 0
	}
	now := s.now()
	if s.finished {
		now = s.ended
	}
	average := func() float64 {
		if d := now.Sub(s.firstPathXfer).Seconds(); d > 0 {
			return float64(done) / d
		}
		return 0
	}
	if s.finished {
		return average()
	}
	if n := len(s.rateSamples); n == 0 || now.Sub(s.rateSamples[n-1].at) >= RateWindow/20 {
		s.rateSamples = append(s.rateSamples, rateSample{at: now, done: done})
	}
	// The base is the newest sample at least RateWindow old; older ones
	// are no longer needed.
	since := now.Add(-RateWindow)
	base := -1
	for i, smp := range s.rateSamples {
		if !smp.at.After(since) {
			base = i
		}
	}
	if base < 0 {
		return average()
	}
	s.rateSamples = s.rateSamples[base:]
	// The bytes at the window's start lie between the base and the
	// sample after it: a burst just before the window does not count.
	b, at := s.rateSamples[0], float64(s.rateSamples[0].done)
	if len(s.rateSamples) > 1 {
		c := s.rateSamples[1]
		if span := c.at.Sub(b.at).Seconds(); span > 0 {
			at += float64(c.done-b.done) * since.Sub(b.at).Seconds() / span
		}
		b.at = since
	}
	if d := now.Sub(b.at).Seconds(); d > 0 {
		return max(0, float64(done)-at) / d
	}
	return average()
}
