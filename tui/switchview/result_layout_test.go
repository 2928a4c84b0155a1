package switchview

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/tui/theme"
)

// endedReplay replays a recorded log to its end through the model at w x h.
func endedReplay(t *testing.T, log string, w, h int, embedded bool) Model {
	t.Helper()
	rep, err := nixlog.OpenReplay(filepath.Join("..", "..", "nixlog", "testdata", "logs", "nix-2.26", log), nixlog.ReplayOptions{Speed: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close() })
	m := New(Config{Replay: rep, Title: "replay " + log, Styles: theme.New(true, true), Embedded: embedded})
	m.SetSize(w, h)
	m, last := pump(t, m, 1<<20)
	if _, ok := last.(DoneMsg); !ok || !m.Done() {
		t.Fatalf("the replay did not end: last message %T", last)
	}
	return m
}

// A failing run ends with the error's last line in the log pane, and the
// result block says the whole reason, the fix and the log path, wrapped
// and never cut with "…", at 80x24.
func TestEndedFailureShowsErrorAndWholeResult(t *testing.T) {
	for _, c := range []struct {
		log      string
		lastLine string
	}{
		{"eval-error.log", "cannot add a string to an integer"},
		{"build-fail.log", "failed with exit code 3"},
	} {
		t.Run(c.log, func(t *testing.T) {
			m := endedReplay(t, c.log, 80, 24, false)
			view := ansi.Strip(m.View())
			checkFrame(t, m.View(), 80, 24)
			rows := strings.Split(view, "\n")
			for _, r := range rows {
				if strings.HasSuffix(strings.TrimSpace(r), "…") {
					t.Errorf("row %q is cut with …", r)
				}
			}
			// The log pane runs from below its title to above the key
			// help, and follows the tail: its last row ends the last line
			// of the log's last entry (wrapped), and the error is in it.
			title := slicesIndexPrefix(rows, "Log (")
			if title < 0 {
				t.Fatalf("no log pane:\n%s", view)
			}
			pane := rows[title+1 : len(rows)-1]
			tail := m.State().LogTail(0)
			entry := strings.Split(strings.TrimRight(ansi.Strip(nixlog.Sanitize(tail[len(tail)-1].Text)), "\n"), "\n")
			if got, want := strings.TrimRight(pane[len(pane)-1], " "), strings.TrimRight(entry[len(entry)-1], " "); got == "" || !strings.HasSuffix(want, got) {
				t.Errorf("the log pane ends in %q, want the log's last line %q:\n%s", got, want, view)
			}
			if !strings.Contains(strings.Join(pane, "\n"), c.lastLine) {
				t.Errorf("the log pane lacks %q:\n%s", c.lastLine, view)
			}
			for _, r := range m.resultLines() {
				if !strings.Contains(view, r.text) {
					t.Errorf("result row %q is not on screen:\n%s", r.text, view)
				}
			}
			if reason := m.Result().Diagnosis.Reason; !strings.Contains(strings.Join(strings.Fields(view), " "), reason) {
				t.Errorf("the reason %q is not on screen whole:\n%s", reason, view)
			}
		})
	}
}

// The result block wraps its reason, fix command and log path to the
// width: a fix breaks between shell words with a trailing backslash (it
// still pastes), and the rows hold every word of the originals.
func TestResultLinesWrap(t *testing.T) {
	m := New(Config{Source: &chunks{}, Styles: theme.New(true, true)})
	m.SetSize(60, 24)
	m.result = DoneMsg{
		Diagnosis: nixlog.Diagnosis{
			Reason: "activation failed: Existing file '/home/someone/.config/some/rather/long/path/file.conf' would be clobbered",
			Hints: []nixlog.Hint{{
				Title: "A file home-manager wants to write is in the way; back it up and run the switch again",
				Fix:   "home-manager switch --flake '/home/someone/.config/home-manager#someone@somehost' -b backup",
			}},
		},
		LogPath: "/home/someone/.local/state/nixboard/logs/switch-2026-12-04T02-38-07-a-long-name.log",
	}
	m.done = true
	rows := m.resultLines()
	var fix []string
	for _, r := range rows {
		if w := ansi.StringWidth(r.text); w > 60 {
			t.Errorf("row %q is %d wide, more than 60", r.text, w)
		}
		if strings.Contains(r.text, "…") {
			t.Errorf("row %q is cut", r.text)
		}
		if strings.HasPrefix(r.text, "  fix: ") || strings.HasPrefix(r.text, "    ") {
			fix = append(fix, strings.TrimSpace(strings.TrimPrefix(r.text, "  fix: ")))
		}
	}
	if len(fix) < 2 {
		t.Fatalf("the fix did not wrap at 60: %q", fix)
	}
	for _, l := range fix[:len(fix)-1] {
		if !strings.HasSuffix(l, " \\") {
			t.Errorf("fix line %q does not continue with a backslash", l)
		}
	}
	joined := strings.ReplaceAll(strings.Join(fix, " "), " \\ ", " ")
	if joined != m.result.Diagnosis.Hints[0].Fix {
		t.Errorf("the wrapped fix pastes as\n%q, want\n%q", joined, m.result.Diagnosis.Hints[0].Fix)
	}
	var all []string
	for _, r := range rows {
		all = append(all, r.text)
	}
	text := strings.Join(strings.Fields(strings.Join(all, " ")), " ")
	for _, want := range []string{m.result.Diagnosis.Reason, m.result.Diagnosis.Hints[0].Title} {
		if !strings.Contains(text, want) {
			t.Errorf("the rows lose %q:\n%s", want, strings.Join(all, "\n"))
		}
	}
	var trimmed []string
	for _, r := range all {
		trimmed = append(trimmed, strings.TrimSpace(r))
	}
	if !strings.Contains(strings.Join(trimmed, ""), m.result.LogPath) {
		t.Errorf("the rows lose the log path:\n%s", strings.Join(all, "\n"))
	}
	// The log pane gets the rows the block leaves.
	if got, want := m.logHeight(), 24-2-1-len(rows)-1-1; got != want {
		t.Errorf("log pane %d rows, want %d", got, want)
	}
}

// The key help is one line that fits the mode: a replay ends with ctrl+c,
// an ended run quits with q, and an embedded screen leaves the help to
// its embedder (which draws Keys) instead of drawing a second one.
func TestKeyHelpFitsTheMode(t *testing.T) {
	m := New(Config{Source: &chunks{batches: [][]string{{"plain line"}}}, Styles: theme.New(true, true)})
	m.SetSize(80, 24)
	m, _ = m.Update(tickMsg{})
	view := ansi.Strip(m.View())
	if strings.Count(view, "ctrl+c") != 1 || !strings.Contains(view, "ctrl+c end replay") || strings.Contains(view, "stop") {
		t.Errorf("a running replay's key help:\n%s", view)
	}
	// The key that ends the screen comes first: a narrow help line keeps it.
	if got := m.Keys(); got[0] != [2]string{"ctrl+c", "end replay"} {
		t.Errorf("Keys of a replay = %q", got)
	}

	ended := endedReplay(t, "eval-error.log", 80, 24, false)
	view = ansi.Strip(ended.View())
	if strings.Contains(view, "ctrl+c") || !strings.Contains(view, "q quit") {
		t.Errorf("an ended run's key help:\n%s", view)
	}

	embedded := endedReplay(t, "eval-error.log", 80, 20, true)
	view = ansi.Strip(embedded.View())
	checkFrame(t, embedded.View(), 80, 20)
	if strings.Contains(view, "q quit") || strings.Contains(view, "scroll") {
		t.Errorf("an embedded screen draws key help of its own:\n%s", view)
	}
	if !strings.Contains(view, "cannot add a string to an integer") {
		t.Errorf("an embedded screen lost the error's last line:\n%s", view)
	}
}

func slicesIndexPrefix(rows []string, prefix string) int {
	for i, r := range rows {
		if strings.HasPrefix(r, prefix) {
			return i
		}
	}
	return -1
}

// TestResultFixWithLongPathPastes: a fix holding a path longer than the
// screen is broken inside the path with a backslash (the rest at the
// start of the next line), never hard-wrapped, so the rows pasted into a
// shell are the command.
func TestResultFixWithLongPathPastes(t *testing.T) {
	long := "/tmp/TestWizardRealSwitchInTmux3335008414/002/a-very-long-directory-name/home-manager"
	fix := "home-manager switch --flake " + long + "#fixture@fixturebox -b nixboard-backup"
	m := New(Config{Source: &chunks{}, Styles: theme.New(true, true)})
	m.SetSize(60, 15)
	m.result = DoneMsg{Diagnosis: nixlog.Diagnosis{Reason: "activation failed", Hints: []nixlog.Hint{{Title: "Run it again", Fix: fix}}}}
	m.done = true
	var lines []string
	for _, r := range m.resultLines() {
		if ansi.StringWidth(r.text) > 60 {
			t.Errorf("row %q is wider than 60", r.text)
		}
		if strings.HasPrefix(r.text, "  fix: ") || lines != nil {
			lines = append(lines, strings.TrimPrefix(r.text, "  fix: "))
		}
	}
	script := strings.Replace(strings.Join(lines, "\n"), "home-manager", `printf '%s\n'`, 1)
	out, err := exec.Command("/bin/sh", "-c", script).Output()
	if err != nil {
		t.Fatalf("sh: %v\n%s", err, script)
	}
	if got, want := strings.Fields(string(out)), strings.Fields(fix)[1:]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the rows paste as\n%q, want\n%q\n%s", got, want, script)
	}
}

// TestEvalErrorCodeFrameOnScreen: the result of an evaluation error shows
// its code frame (the source line and the caret under the column), as the
// plain output does, at 80x24 and wide.
func TestEvalErrorCodeFrameOnScreen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {132, 40}} {
		m := endedReplay(t, "eval-error.log", size[0], size[1], false)
		var result []string
		for _, r := range m.resultLines() {
			result = append(result, r.text)
		}
		text := strings.Join(result, "\n")
		for _, want := range []string{"at broken.nix:3:11:", `3|   y = x + "foo";`, "  |           ^"} {
			if !strings.Contains(text, want) {
				t.Errorf("at %dx%d the result lacks %q:\n%s", size[0], size[1], want, text)
			}
		}
		if view := ansi.Strip(m.View()); !strings.Contains(view, `3|   y = x + "foo";`) {
			t.Errorf("at %dx%d the screen lacks the code frame:\n%s", size[0], size[1], view)
		}
	}
}
