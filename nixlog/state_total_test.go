package nixlog

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildFigures is the header's build counts, as the screen prints them.
func buildFigures(h Header) string {
	return fmt.Sprintf("%d of %d (%d running, %d failed)", h.BuildsDone, h.BuildsExpected, h.BuildsRunning, h.BuildsFailed)
}

// checkTotal feeds lines one at a time and fails when the header's build
// total goes down while a set of builds (a builds activity) is open, or
// falls below the builds done, failed and running. It returns the header
// after the last line.
func checkTotal(t *testing.T, name string, s *State, lines []string) Header {
	t.Helper()
	var prev Header
	for i, l := range lines {
		s.Feed([]byte(l))
		h := s.Header()
		if h.BuildsExpected < h.BuildsDone+h.BuildsFailed+h.BuildsRunning {
			t.Errorf("%s line %d: total below what was seen: %s", name, i+1, buildFigures(h))
		}
		if h.BuildsExpected < prev.BuildsExpected && !strings.Contains(l, `"action":"stop"`) {
			t.Errorf("%s line %d: total went down from %s to %s", name, i+1, buildFigures(prev), buildFigures(h))
		}
		if h.BuildsDone < prev.BuildsDone+prev.BuildsFailed-h.BuildsFailed {
			t.Errorf("%s line %d: builds done went down from %s to %s", name, i+1, buildFigures(prev), buildFigures(h))
		}
		prev = h
	}
	return prev
}

// TestBuildTotalNeverDropsInRecordedLogs replays every recorded log: the
// total must not go down while builds run (nix 2.8's build-ok.log showed
// "3 of 4" then "3 of 3", build-fail.log "2 of 3" then "1 of 2"), and the
// finished run's figures are what it built.
func TestBuildTotalNeverDropsInRecordedLogs(t *testing.T) {
	files, err := filepath.Glob("testdata/logs/*/*.log")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recorded logs: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		s, _ := newTestState(Limits{})
		h := checkTotal(t, f, s, lines)
		sum := s.Summary()
		if h.BuildsRunning == 0 && h.BuildsExpected != sum.Built+sum.Failed {
			t.Errorf("%s: at the end the header says %s, the summary built %d and failed %d",
				f, buildFigures(h), sum.Built, sum.Failed)
		}
	}
}

// TestBuildTotalAcrossTwoSets follows a nix run that builds home-manager
// (one set of builds, whose total nix lowers from 3 to 2 as a derivation
// turns out to be substitutable) and then home-manager's own build (a
// second set): the total holds while a set runs, becomes what the set
// built when it ends, and the second set adds to it.
func TestBuildTotalAcrossTwoSets(t *testing.T) {
	d1, d2, d3, d4 := buildDrv(11), buildDrv(12), buildDrv(13), buildDrv(14)
	start := func(id int, drv string) string {
		return fmt.Sprintf(`@nix {"action":"start","fields":["%s","",1,1],"id":%d,"level":3,"text":"building '%s'","type":105}`, drv, id, drv)
	}
	progress := func(id int, done, expected, running, failed int) string {
		return fmt.Sprintf(`@nix {"action":"result","fields":[%d,%d,%d,%d],"id":%d,"type":105}`, done, expected, running, failed, id)
	}
	stop := func(id int) string { return fmt.Sprintf(`@nix {"action":"stop","id":%d}`, id) }
	steps := []struct {
		line string
		want string
	}{
		{`@nix {"action":"start","id":1,"level":0,"text":"","type":104}`, "0 of 0 (0 running, 0 failed)"},
		{progress(1, 0, 3, 0, 0), "0 of 3 (0 running, 0 failed)"},
		{progress(1, 0, 2, 0, 0), "0 of 3 (0 running, 0 failed)"},
		{start(10, d1), "0 of 3 (1 running, 0 failed)"},
		{progress(1, 0, 2, 1, 0), "0 of 3 (1 running, 0 failed)"},
		{progress(1, 1, 2, 0, 0), "1 of 3 (1 running, 0 failed)"},
		{stop(10), "1 of 3 (0 running, 0 failed)"},
		{start(20, d2), "1 of 3 (1 running, 0 failed)"},
		{progress(1, 2, 2, 0, 0), "2 of 3 (1 running, 0 failed)"},
		{stop(20), "2 of 3 (0 running, 0 failed)"},
		{stop(1), "2 of 2 (0 running, 0 failed)"},
		{`@nix {"action":"start","id":2,"level":0,"text":"","type":104}`, "2 of 2 (0 running, 0 failed)"},
		{progress(2, 0, 2, 0, 0), "2 of 4 (0 running, 0 failed)"},
		{start(30, d3), "2 of 4 (1 running, 0 failed)"},
		{progress(2, 1, 2, 0, 0), "3 of 4 (1 running, 0 failed)"},
		{stop(30), "3 of 4 (0 running, 0 failed)"},
		{start(40, d4), "3 of 4 (1 running, 0 failed)"},
		{progress(2, 2, 2, 0, 0), "4 of 4 (0 running, 0 failed)"},
		{stop(40), "4 of 4 (0 running, 0 failed)"},
		{stop(2), "4 of 4 (0 running, 0 failed)"},
	}
	s, _ := newTestState(Limits{})
	lines := make([]string, len(steps))
	for i, st := range steps {
		lines[i] = st.line
	}
	for i, st := range steps {
		checkTotal(t, "two sets", s, lines[i:i+1])
		if got := buildFigures(s.Header()); got != st.want {
			t.Errorf("after line %d %s: header %q, want %q", i+1, st.line, got, st.want)
		}
	}
	if sum := s.Summary(); sum.Built != 4 || sum.Failed != 0 {
		t.Errorf("summary %+v, want 4 built", sum)
	}
}
