package main

import (
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
)

// TestUndoScreen runs the built nixboard's undo on a terminal (tmux) after
// two applied runs: the live screen, titled with the generation it goes
// back to, reaches its result, q hands the terminal back with the closing
// line and exit status 0, and the first run's files and generation are
// back, as with --plain (TestUndoAfterTwoRuns).
func TestUndoScreen(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testUndoScreen)
}

func testUndoScreen(t *testing.T, mode nixtest.Mode) {
	nixtest.RequireGit(t)
	bin := buildNixboard(t)
	f := switchtest.NewRendered(t, mode)
	tree1, bashrc1 := twoAppliedRuns(t, f)

	status := statusFifo(t)
	script := "exec env -i" + fixtureEnvWords(f, "USER") + " TERM=xterm-256color NO_COLOR=1 /bin/sh -c " +
		shq(shq(bin)+` undo --dir "$0"; echo $? > "$1"; read x`) + " " + shq(f.Dir) + " " + shq(status) + "\n"
	s := newTmux(t, 80, 24, script)
	scr := s.waitFor("q quit", 60*time.Second)
	t.Logf("screen at the end:\n%s", scr)
	if !strings.Contains(scr, "undo: generation 1") {
		t.Errorf("the screen does not say which generation it goes back to:\n%s", scr)
	}
	if !strings.Contains(scr, "✓ switch ok") {
		t.Errorf("the screen's result is not ok:\n%s", scr)
	}
	checkScreenWidth(t, scr, 80)
	s.keys("q")
	if st := waitStatus(t, s, status, 30*time.Second); st != "0" {
		t.Errorf("undo exited %s, want 0; screen:\n%s", st, s.screen())
	}
	if scr := s.screen(); !strings.Contains(scr, "switch ok") || strings.Contains(scr, "q quit") {
		t.Errorf("after quitting, the closing line is not on the restored terminal:\n%s", scr)
	}
	f.CheckMode(t)
	checkUndone(t, f, tree1, bashrc1)
}
