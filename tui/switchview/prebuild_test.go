package switchview

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// recordedUntil returns the lines of a recorded log up to and including
// the first one containing stop.
func recordedUntil(t *testing.T, path, stop string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "@nixboard") {
			continue
		}
		lines = append(lines, l)
		if strings.Contains(l, stop) {
			return lines
		}
	}
	t.Fatalf("%s has no line with %q", path, stop)
	return nil
}

// TestBeforeTheBuildsPane: the recorded first build of a flake with three
// inputs (Nix 2.26), stopped while nix downloads the tarball input: the
// pane says what nix does before the builds, the running fetch first, then
// what it fetched, newest first, with the time each took; at 80x24 and
// 120x40.
func TestBeforeTheBuildsPane(t *testing.T) {
	lines := recordedUntil(t, filepath.Join("..", "..", "nixlog", "testdata", "logs", "nix-2.26", "inputs.log"), `"fields":[195,195,0,0]`)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := newModel(&chunks{batches: [][]string{lines}}, size[0], size[1])
		m, _ = m.Update(m.read()())
		m, _ = m.Update(tickMsg{})
		plain := ansi.Strip(m.View())
		rows := strings.Split(plain, "\n")
		at := -1
		for i, r := range rows {
			if strings.HasPrefix(r, "Before the builds") {
				at = i
			}
		}
		if at < 0 || !strings.Contains(rows[0], "evaluating") {
			t.Fatalf("%v: no pane before the builds:\n%s", size, plain)
		}
		want := []string{"fetching http://127.0.0.1:PORT/tdep.tar.gz (195 B of 195 B)", "evaluating path:/tmp/", "✓ fetched /tmp/", "✓ fetched /tmp/"}
		if !strings.Contains(rows[at+3], "/gitdep ") || !strings.HasSuffix(rows[at+3], " 0.0s") || !strings.Contains(rows[at+4], "/dep ") || !strings.HasSuffix(rows[at+4], " 0.0s") {
			t.Errorf("%v: the finished fetches are not newest first with their times:\n%s", size, plain)
		}
		for i, w := range want {
			if r := rows[at+1+i]; !strings.Contains(r, w) {
				t.Errorf("%v: row %d of the pane is %q, want it to contain %q:\n%s", size, i, r, w, plain)
			}
		}
		checkFrame(t, m.View(), size[0], size[1])
	}
}

// TestQuietWarning: ticks carry the wall clock; fifteen seconds of ticks
// without a line put a warning at the top of the pane with what nix is
// doing and what that may mean, and the next line takes it away.
func TestQuietWarning(t *testing.T) {
	lines := recordedUntil(t, filepath.Join("..", "..", "nixlog", "testdata", "logs", "nix-2.8", "inputs.log"), `downloading 'http://127.0.0.1:PORT/tdep.tar.gz'`)
	src := &chunks{batches: [][]string{lines, {`@nix {"action":"stop","id":1}`}}}
	m := newModel(src, 80, 24)
	m, _ = m.Update(m.read()())
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, d := range []time.Duration{0, 5 * time.Second, 14 * time.Second} {
		m, _ = m.Update(tickMsg{At: t0.Add(d)})
		if strings.Contains(ansi.Strip(m.View()), "No output") {
			t.Fatalf("a warning after %v:\n%s", d, ansi.Strip(m.View()))
		}
	}
	m, _ = m.Update(tickMsg{At: t0.Add(16 * time.Second)})
	plain := ansi.Strip(m.View())
	joined := strings.Join(strings.Fields(plain), " ")
	if !strings.Contains(joined, "No output for 16s while fetching http://127.0.0.1:PORT/tdep.tar.gz. Nix shows no progress while it clones a git input or unpacks a tarball") {
		t.Errorf("no quiet warning:\n%s", plain)
	}
	checkFrame(t, m.View(), 80, 24)
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tickMsg{At: t0.Add(17 * time.Second)})
	if strings.Contains(ansi.Strip(m.View()), "No output") {
		t.Errorf("the warning stays after a new line:\n%s", ansi.Strip(m.View()))
	}
}

// TestCacheRows: paths downloading from two caches put one row per cache
// in the running pane, after what runs, each with its paths and bytes.
func TestCacheRows(t *testing.T) {
	lines := []string{
		`@nix {"action":"start","id":3,"level":0,"text":"","type":102}`,
		`@nix {"action":"start","fields":["/nix/store/00000000000000000000000000000000-a"],"id":7,"level":4,"text":"copying path","type":100}`,
		`@nix {"action":"start","fields":["https://cache.nixos.org/nar/a.nar.xz"],"id":4,"level":4,"text":"","type":101}`,
		`@nix {"action":"result","fields":[1048576,2097152,0,0],"id":4,"type":105}`,
		`@nix {"action":"start","fields":["https://nix-community.cachix.org/nar/c.nar.zst"],"id":6,"level":4,"text":"","type":101}`,
		`@nix {"action":"result","fields":[70,90,0,0],"id":6,"type":105}`,
	}
	m := newModel(&chunks{batches: [][]string{lines}}, 120, 40)
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tickMsg{})
	plain := ansi.Strip(m.View())
	rows := strings.Split(plain, "\n")
	first, nixos, community := -1, -1, -1
	for i, r := range rows {
		switch {
		case first < 0 && (strings.HasPrefix(r, "download ") || strings.HasPrefix(r, "transfer ")):
			first = i
		case strings.HasPrefix(r, "cache    https://cache.nixos.org  1 path, 1 running") && strings.HasSuffix(r, "1.0 MiB"):
			nixos = i
		case strings.HasPrefix(r, "cache    https://nix-community.cachix.org  1 path, 1 running") && strings.HasSuffix(r, "70 B"):
			community = i
		}
	}
	if first < 0 || nixos < first || community != nixos+1 {
		t.Errorf("no cache rows after the downloads:\n%s", plain)
	}
	checkFrame(t, m.View(), 120, 40)
}
