package nixlog

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
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
		return min(s.shownDone, s.shownExpected), s.shownExpected
	}
	return s.shownDone, 0
}
