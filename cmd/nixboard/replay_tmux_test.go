package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFailingReplayEndsWithTheError replays recorded failing switches on
// an 80x24 terminal: once the run ended, the log pane's newest rows (the
// error's last line) and the whole result block are on screen, nothing of
// them cut with "…".
func TestFailingReplayEndsWithTheError(t *testing.T) {
	t.Parallel()
	bin := buildNixboard(t)
	for _, c := range []struct{ log, errorLine, reason string }{
		{"eval-error.log", "error: cannot add a string to an integer", "cannot add a string to an integer"},
		{"build-fail.log", "failed with exit code 3", "failed"},
	} {
		t.Run(c.log, func(t *testing.T) {
			t.Parallel()
			log, err := filepath.Abs(filepath.Join("..", "..", "nixlog", "testdata", "logs", "nix-2.26", c.log))
			if err != nil {
				t.Fatal(err)
			}
			done := statusFifo(t)
			s := newTmux(t, 80, 24, "NO_COLOR=1 "+shq(bin)+" replay --speed max "+shq(log)+"; echo $? > "+shq(done)+"; read x\n")
			scr := s.waitFor("q quit", 30*time.Second)
			rows := strings.Split(strings.TrimRight(scr, "\n"), "\n")
			pane := -1
			for i, r := range rows {
				if strings.HasPrefix(r, "Log (") {
					pane = i
				}
			}
			if pane < 0 {
				t.Fatalf("no log pane:\n%s", scr)
			}
			if !strings.Contains(strings.Join(rows[pane+1:], "\n"), c.errorLine) {
				t.Errorf("the log pane lacks the error %q:\n%s", c.errorLine, scr)
			}
			for _, r := range rows {
				if strings.HasSuffix(strings.TrimSpace(r), "…") {
					t.Errorf("row %q is cut", r)
				}
			}
			result := strings.Join(strings.Fields(strings.Join(rows[:pane], " ")), " ")
			if !strings.Contains(result, "✗ switch failed:") || !strings.Contains(result, c.reason) || !strings.Contains(strings.Join(strings.Fields(result), ""), "fulllog:"+strings.Join(strings.Fields(log), "")) {
				t.Errorf("the result block is not whole:\n%s", scr)
			}
			checkScreenWidth(t, scr, 80)
			s.keys("q")
			if st := waitStatus(t, s, done, 30*time.Second); st != "1" {
				t.Errorf("exit status %s, want 1", st)
			}
		})
	}
}
