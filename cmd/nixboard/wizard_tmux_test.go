package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
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

// waitStatus waits for the exit status the tmux script writes to file.
func waitStatus(t *testing.T, s *tmuxSession, file string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		data, err := os.ReadFile(file)
		if err == nil && strings.TrimSpace(string(data)) != "" {
			return strings.TrimSpace(string(data))
		}
		if time.Now().After(deadline) {
			t.Fatalf("nixboard did not exit; screen:\n%s", s.screen())
		}
		time.Sleep(20 * time.Millisecond)
	}
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
