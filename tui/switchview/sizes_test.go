package switchview

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/theme"
)

// sizes are the terminal sizes every state is laid out at: the smallest
// nixboard supports, the classic terminal, and a wide one.
var sizes = [][2]int{{60, 15}, {80, 24}, {120, 40}}

// screenState builds the screen in one state at w x h.
type screenState struct {
	name string
	make func(t *testing.T, w, h int) Model
	// keys must be on the last row (the key help), whole.
	keys []string
}

// midRun is the demo stopped in its downloads, with activities running.
func midRun(t *testing.T, w, h int) Model {
	rec := nixlog.DemoRecording()
	i := bytes.Index(rec, []byte(`"text":"copying path`))
	i += bytes.Index(rec[i:], []byte(`"type":105`))
	j := bytes.IndexByte(rec[i:], '\n') + i
	var lines []string
	for _, l := range strings.Split(string(rec[:j]), "\n") {
		if !strings.HasPrefix(l, "@nixboard") {
			lines = append(lines, l)
		}
	}
	m := newModel(&chunks{batches: [][]string{lines}}, w, h)
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tickMsg{})
	return m
}

// confirming is a live run (a shell printing ticks) asking whether to stop.
func confirming(t *testing.T, w, h int) Model {
	run, err := nixrun.Start(t.Context(), nixrun.Plan{
		Argv:   []string{"/bin/sh", "-c", "echo tick; exec cat"},
		Env:    []string{"PATH=/usr/bin:/bin"},
		Dir:    t.TempDir(),
		LogDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(run.Interrupt)
	m := New(Config{Source: run, Run: run, Title: "switch someone@a-rather-long-hostname", Styles: theme.New(true, true)})
	m.SetSize(w, h)
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	if !m.confirming {
		t.Fatal("ctrl+c did not ask")
	}
	return m
}

// buildLog is a failed build's screen showing one build's own log.
func buildLog(t *testing.T, w, h int) Model {
	m := endedReplay(t, "build-fail.log", w, h, false)
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	if m.logBuildID == 0 {
		t.Fatal("tab did not select a build")
	}
	return m
}

func ended(log string) func(t *testing.T, w, h int) Model {
	return func(t *testing.T, w, h int) Model { return endedReplay(t, log, w, h, false) }
}

func demoDone(t *testing.T, w, h int) Model {
	m, _ := pump(t, newModel(nixlog.DemoReplay(0), w, h), 1000)
	return m
}

var screenStates = []screenState{
	{"running", midRun, []string{"ctrl+c end replay"}},
	{"build-log", buildLog, []string{"q quit"}},
	{"confirming", confirming, []string{"y stop", "n continue"}},
	{"done", demoDone, []string{"q quit"}},
	{"eval-error", ended("eval-error.log"), []string{"q quit"}},
	{"build-fail", ended("build-fail.log"), []string{"q quit"}},
}

// checkLayout checks what every state owes the person at any size: an
// exact frame, the key help on the last row with the keys that end the
// screen, no label cut mid-word, and, once the run ended, every row of the
// result block on screen whole.
func checkLayout(t *testing.T, m Model, keys []string, w, h int) {
	t.Helper()
	view := m.View()
	checkFrame(t, view, w, h)
	plain := ansi.Strip(view)
	rows := strings.Split(plain, "\n")
	last := rows[len(rows)-1]
	for _, k := range keys {
		if !strings.Contains(last, k) {
			t.Errorf("the key help %q lacks %q:\n%s", last, k, plain)
		}
	}
	if m.Prompt() != "" && !strings.Contains(strings.Join(strings.Fields(plain), " "), m.Prompt()) {
		t.Errorf("the question %q is not on screen whole:\n%s", m.Prompt(), plain)
	}
	// Labels are whole: the screen's own words are never cut with "…"
	// (the key help may drop its least needed keys, and a running
	// activity's name may be cut to its row).
	words := strings.Join(strings.Fields(plain), " ")
	for _, label := range []string{"nixboard " + m.cfg.Title, m.logTitle()} {
		if !strings.Contains(words, label) {
			t.Errorf("label %q is not on screen whole:\n%s", label, plain)
		}
	}
	if m.done {
		if !strings.Contains(plain, "Result") {
			t.Errorf("no result title:\n%s", plain)
		}
		for _, r := range m.resultLines() {
			if !strings.Contains(plain, r.text) {
				t.Errorf("result row %q is not on screen:\n%s", r.text, plain)
			}
		}
		if strings.Contains(plain, "more lines") {
			t.Errorf("the result block is cut:\n%s", plain)
		}
		if reason := m.Result().Diagnosis.Reason; !strings.Contains(words, reason) {
			t.Errorf("the reason %q is not on screen whole:\n%s", reason, plain)
		}
	}
	for i, r := range rows[:len(rows)-1] {
		if i < 2 && strings.HasSuffix(strings.TrimSpace(r), "…") {
			t.Errorf("header row %q is cut", r)
		}
	}
}

// TestEveryStateAtEverySize renders each state of the screen at 60x15,
// 80x24 and 120x40.
func TestEveryStateAtEverySize(t *testing.T) {
	for _, s := range screenStates {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%dx%d", s.name, size[0], size[1]), func(t *testing.T) {
				m := s.make(t, size[0], size[1])
				checkLayout(t, m, s.keys, size[0], size[1])
			})
		}
	}
}

// TestResizeRelaysOut: a screen drawn at 120x40 and resized to 60x15 is
// laid out again for 60x15 (not the wide frame cut), and back.
func TestResizeRelaysOut(t *testing.T) {
	for _, s := range screenStates {
		t.Run(s.name, func(t *testing.T) {
			m := s.make(t, 120, 40)
			wide := m.View()
			checkLayout(t, m, s.keys, 120, 40)
			m, _ = m.Update(tea.WindowSizeMsg{Width: 60, Height: 15})
			checkLayout(t, m, s.keys, 60, 15)
			if m.View() == wide {
				t.Error("the view did not change on resize")
			}
			m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			checkLayout(t, m, s.keys, 120, 40)
		})
	}
}

// TestSmallRunningPaneShowsAnActivity: at 60x11 the running pane has one
// row; it shows the first activity (its title counts them all), not only
// "… and N more".
func TestSmallRunningPaneShowsAnActivity(t *testing.T) {
	m := midRun(t, 60, 11)
	if len(m.paneItems()) < 2 || m.runningRows() != 1 {
		t.Fatalf("%d rows to show in %d: not the case under test", len(m.paneItems()), m.runningRows())
	}
	plain := ansi.Strip(m.View())
	if !strings.Contains(plain, fmt.Sprintf("Running now (%d)", len(m.rowsRunning()))) || strings.Contains(plain, "more") {
		t.Errorf("the running pane:\n%s", plain)
	}
	if first := ansi.Strip(m.activityLine(m.rowsRunning()[0])); !strings.Contains(plain, first) {
		t.Errorf("the first activity %q is not shown:\n%s", first, plain)
	}
}
