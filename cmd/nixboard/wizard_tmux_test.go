package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/internal/switchtest"
)

// How the wizard's end-to-end tests drive it on a tmux pane (newTmux):
// keys by name, text as typed, and waits for what the wizard draws.

// keys sends tmux key names (Enter, C-c, Tab) to the pane.
func (s *tmuxSession) keys(keys ...string) {
	s.tmux(append([]string{"send-keys", "-t", "t"}, keys...)...)
}

// typed sends text to the pane as it is, not as key names.
func (s *tmuxSession) typed(text string) {
	s.tmux("send-keys", "-t", "t", "-l", text)
}

// waitForFocus waits until the huh field titled title has the focus: its
// title line starts with the focus bar.
func (s *tmuxSession) waitForFocus(title string, timeout time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := s.screen()
		for _, line := range strings.Split(scr, "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "┃"); ok && strings.HasPrefix(strings.TrimSpace(rest), title) {
				return scr
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the field %q never had the focus:\n%s", title, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// acceptPage keeps a question page as it is: it waits for the page's
// text (its name, or its first field's), presses enter, and then presses
// enter on each later field once it has the focus. Waiting for the focus
// first keeps an enter from reaching a field before huh moved to it.
func (s *tmuxSession) acceptPage(page string, laterFields ...string) {
	s.t.Helper()
	s.waitFor(page, 15*time.Second)
	s.keys("Enter")
	for _, f := range laterFields {
		s.waitForFocus(f, 15*time.Second)
		s.keys("Enter")
	}
}

// statusFifo makes the fifo a tmux script writes nixboard's exit status
// into (echo $? > FIFO), for waitStatus.
func statusFifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "status")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitStatus waits for the exit status the tmux script writes into fifo
// (statusFifo): the script's write blocks until this reads, so the wait
// ends at that event.
func waitStatus(t *testing.T, s *tmuxSession, fifo string, timeout time.Duration) string {
	t.Helper()
	data, err := switchtest.ReadFifo(fifo, nil, timeout)
	if err != nil {
		t.Fatalf("nixboard did not exit (%v); screen:\n%s", err, s.screen())
	}
	return strings.TrimSpace(string(data))
}

// checkScreenWidth fails for every line of screen wider than width cells.
func checkScreenWidth(t *testing.T, screen string, width int) {
	t.Helper()
	for _, line := range strings.Split(screen, "\n") {
		if ansi.StringWidth(line) > width {
			t.Errorf("line wider than %d: %q", width, line)
		}
	}
}
