package switchview

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/theme"
)

// chunks is a LineSource that hands out prepared batches, then io.EOF.
type chunks struct{ batches [][]string }

func (c *chunks) Next() ([]nixlog.RawLine, error) {
	if len(c.batches) == 0 {
		return nil, io.EOF
	}
	b := c.batches[0]
	c.batches = c.batches[1:]
	out := make([]nixlog.RawLine, len(b))
	for i, l := range b {
		out[i] = nixlog.RawLine{Text: []byte(l)}
	}
	return out, nil
}

// pump reads n batches through the model's own read command, as the
// program would, and takes a frame.
func pump(t *testing.T, m Model, n int) (Model, tea.Msg) {
	t.Helper()
	var last tea.Msg
	for i := 0; i < n; i++ {
		msg := m.read()()
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		if lm, ok := msg.(linesMsg); ok && lm.err != nil && cmd != nil {
			last = cmd()
			if ex, ok := last.(judgedMsg); ok {
				m, cmd = m.Update(ex)
				last = cmd()
			}
			break
		}
	}
	m, _ = m.Update(tickMsg{})
	return m, last
}

func newModel(src nixlog.LineSource, w, h int) Model {
	cfg := Config{Source: src, Title: "replay test", Styles: theme.New(true, false)}
	if rep, ok := src.(*nixlog.Replay); ok {
		cfg = Config{Replay: rep, Title: "replay test", Styles: theme.New(true, false)}
	}
	m := New(cfg)
	m.SetSize(w, h)
	return m
}

func checkFrame(t *testing.T, view string, w, h int) {
	t.Helper()
	rows := strings.Split(view, "\n")
	if len(rows) != h {
		t.Errorf("view has %d rows, want %d", len(rows), h)
	}
	for i, r := range rows {
		if sw := ansi.StringWidth(r); sw > w {
			t.Errorf("row %d is %d cells wide, more than %d: %q", i, sw, w, r)
		}
	}
}

func TestDemoReplayAtSizes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := newModel(nixlog.DemoReplay(0), size[0], size[1])
		m, done := pump(t, m, 1000)
		dm, ok := done.(DoneMsg)
		if !ok || !m.Done() {
			t.Fatalf("%v: no DoneMsg at the end (%T)", size, done)
		}
		if !dm.Diagnosis.OK || dm.Summary.Downloaded != 3 {
			t.Errorf("%v: done = %+v", size, dm)
		}
		view := m.View()
		checkFrame(t, view, size[0], size[1])
		plain := ansi.Strip(view)
		for _, want := range []string{"nixboard replay test", "done  0:04", "switch ok: built 5, downloaded 3 (0.3 MiB) in 4.6s", "Activation finished", "q quit"} {
			if !strings.Contains(plain, want) {
				t.Errorf("%v: view lacks %q:\n%s", size, want, plain)
			}
		}
		// Resizing keeps the frame exact.
		m.SetSize(size[1]+13, size[0]/3)
		checkFrame(t, m.View(), size[1]+13, size[0]/3)
	}
}

func TestHeaderAndRunningPaneMidRun(t *testing.T) {
	// Stop the demo in the middle of the downloads: the header says
	// downloading and the pane lists what runs.
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
	m := newModel(&chunks{batches: [][]string{lines}}, 80, 24)
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tickMsg{})
	plain := ansi.Strip(m.View())
	if !strings.Contains(plain, "downloading") || !strings.Contains(plain, "download ") || strings.Contains(plain, "Running now (0)") {
		t.Errorf("mid-download view:\n%s", plain)
	}
	checkFrame(t, m.View(), 80, 24)
}

func numbered(prefix string, from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + " " + strings.Repeat("x", i%7) + " " + itoa(from+i)
	}
	return out
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(i)) }

func fmtInt(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

func TestFollowTail(t *testing.T) {
	src := &chunks{batches: [][]string{numbered("line", 0, 100), numbered("line", 100, 50), numbered("line", 150, 50)}}
	m := newModel(src, 80, 24)
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tickMsg{})
	if !m.vp.AtBottom() || !strings.Contains(m.View(), "line  99") && !strings.Contains(ansi.Strip(m.View()), " 99") {
		t.Fatalf("not following the tail:\n%s", ansi.Strip(m.View()))
	}
	// Scrolled up, new lines do not move the view.
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	off := m.vp.YOffset()
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tickMsg{})
	if m.vp.YOffset() != off || m.vp.AtBottom() {
		t.Errorf("the view moved while scrolled up: offset %d -> %d", off, m.vp.YOffset())
	}
	// f follows again.
	m, _ = m.Update(tea.KeyPressMsg{Code: 'f', Text: "f"})
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tickMsg{})
	if !m.vp.AtBottom() || !strings.Contains(ansi.Strip(m.View()), " 199") {
		t.Errorf("f did not follow the tail:\n%s", ansi.Strip(m.View()))
	}
}

func TestBuildLogSwitching(t *testing.T) {
	m := newModel(nixlog.DemoReplay(0), 100, 30)
	m, _ = pump(t, m, 1000)
	if len(m.builds) < 2 {
		t.Fatalf("builds = %+v", m.builds)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	first := m.builds[0]
	plain := ansi.Strip(m.View())
	if !strings.Contains(plain, "Log of "+first.Name) {
		t.Errorf("tab did not switch to %s's log:\n%s", first.Name, plain)
	}
	for _, l := range m.state.BuildLog(first.ID, 0) {
		if !strings.Contains(plain, ansi.Strip(nixlog.Sanitize(l))) {
			t.Errorf("the build log pane lacks %q", l)
		}
	}
	if strings.Contains(plain, "Activation finished") {
		t.Errorf("the build log pane shows the whole log:\n%s", plain)
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	if plain := ansi.Strip(m.View()); !strings.Contains(plain, "Log (") {
		t.Errorf("shift+tab did not go back to the whole log:\n%s", plain)
	}
}

func TestChildOutputIsSanitised(t *testing.T) {
	evil := "\x1b[31mred\x1b[0m \x1b]0;owned title\x07\x1b]52;c;aGVsbG8=\x07\x1b[2J\x1b[?1049h\x1b]8;;http://x\x07link\x1b]8;;\x07 end"
	m := newModel(&chunks{batches: [][]string{{evil, "@nix " + `{"action":"msg","level":0,"msg":"` + "\\u001b]0;t\\u0007boom" + `"}`}}}, 80, 24)
	m, _ = pump(t, m, 3)
	view := m.View()
	for _, bad := range []string{"\x1b]0;", "\x1b]52;", "\x1b[2J", "\x1b[?1049h", "\x1b]8;"} {
		if strings.Contains(view, bad) {
			t.Errorf("view contains %q", bad)
		}
	}
	if !strings.Contains(view, "\x1b[31mred") || !strings.Contains(ansi.Strip(view), "link end") {
		t.Errorf("colour or text lost:\n%q", view)
	}
}

func TestCtrlCConfirmsThenInterrupts(t *testing.T) {
	t.Parallel()
	run, err := nixrun.Start(t.Context(), nixrun.Plan{
		Argv:   []string{"/bin/sh", "-c", "trap '' INT; while :; do echo tick; sleep 0.05; done"},
		Env:    []string{"PATH=/usr/bin:/bin"},
		Dir:    t.TempDir(),
		LogDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	m := New(Config{Source: run, Run: run, Title: "switch test", Styles: theme.New(true, true)})
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	if !m.confirming || !strings.Contains(ansi.Strip(m.View()), "Stop the switch?") {
		t.Fatalf("ctrl+c did not ask:\n%s", ansi.Strip(m.View()))
	}
	m, cmd := m.Update(tea.KeyPressMsg{Code: 'n', Text: "n"})
	if m.confirming || cmd != nil || run.Interrupted() {
		t.Fatal("n did not cancel the question")
	}
	m, _ = m.Update(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	m, cmd = m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if cmd == nil {
		t.Fatal("y returned no command")
	}
	start := time.Now()
	m, _ = m.Update(cmd()) // The shell ignores SIGINT: this waits, then kills.
	if took := time.Since(start); took < nixrun.InterruptGrace/2 {
		t.Errorf("interrupt of a process ignoring SIGINT took only %v", took)
	}
	var done tea.Msg
	for done == nil {
		msg := m.read()()
		var c tea.Cmd
		m, c = m.Update(msg)
		if lm := msg.(linesMsg); lm.err != nil {
			m, c = m.Update(c())
			done = c()
		}
	}
	dm := done.(DoneMsg)
	if !dm.Interrupted || dm.Diagnosis.OK || dm.Diagnosis.Reason != "interrupted" || dm.LogPath != run.LogPath() {
		t.Errorf("done = %+v", dm)
	}
	if !errors.Is(run.Wait(), run.Wait()) || run.ExitStatus() != 128+9 {
		t.Errorf("exit status %d, want 137 (killed)", run.ExitStatus())
	}
}

// TestDemoReplayConfig runs the screen as the wizard's demo does: the
// embedded recording as Config.Replay, its clock following the recording.
func TestDemoReplayConfig(t *testing.T) {
	m := New(Config{Replay: nixlog.DemoReplay(0), Title: "demo (replay of a fixture switch)", Styles: theme.New(false, true)})
	m.SetSize(80, 24)
	m, done := pump(t, m, 1000)
	if dm, ok := done.(DoneMsg); !ok || !dm.Diagnosis.OK || !strings.Contains(m.View(), "demo (replay of a fixture switch)") {
		t.Errorf("demo ended with %+v:\n%s", done, m.View())
	}
	if got := m.State().Summary().Elapsed; got < 4500*time.Millisecond || got > 4700*time.Millisecond {
		t.Errorf("elapsed %v at full speed, want the recording's 4.6s", got)
	}
}

// BenchmarkScreenReplay drives the screen with the demo recording repeated
// as fast as it can be read, with a frame every 4096 lines, and reports the
// lines per second the screen path keeps up with.
func BenchmarkScreenReplay(b *testing.B) {
	rec := nixlog.DemoRecording()
	var buf bytes.Buffer
	for buf.Len() < 8<<20 {
		buf.Write(rec)
	}
	lines := bytes.Count(buf.Bytes(), []byte("\n"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := New(Config{Replay: nixlog.NewReplay(bytes.NewReader(buf.Bytes()), nixlog.ReplayOptions{}), Styles: theme.New(true, false)})
		m.SetSize(120, 40)
		for {
			msg := m.read()()
			m, _ = m.Update(msg)
			m, _ = m.Update(tickMsg{})
			_ = m.View()
			if msg.(linesMsg).err != nil {
				break
			}
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// A build that fails opens its own log by itself while the run goes on, so
// the pane shows its error rather than what other builds print after it;
// at the end the whole log, which nix's error ends, is back. A choice the
// person made stays theirs.
func TestFailedBuildOpensItsLog(t *testing.T) {
	data, err := os.ReadFile("../../nixlog/testdata/logs/nix-2.26/build-fail.log")
	if err != nil {
		t.Fatal(err)
	}
	replay := func() Model {
		m := New(Config{Replay: nixlog.NewReplay(bytes.NewReader(data), nixlog.ReplayOptions{}), Styles: theme.New(true, false)})
		m.SetSize(100, 30)
		return m
	}
	m := replay()
	opened := false
	for i := 0; i < 1000 && !m.done; i++ {
		m, _ = pump(t, m, 1)
		opened = opened || strings.Contains(ansi.Strip(m.View()), "Log of fixture-bad-1.0")
	}
	if !opened {
		t.Errorf("the failed build's log did not open while the run went on")
	}
	// At the end the whole log is back: nix's error, which ends it, is in
	// the pane.
	if plain := ansi.Strip(m.View()); !m.done || !strings.Contains(plain, "Log (") || !strings.Contains(strings.Join(strings.Fields(plain), " "), "failed with exit code 3") {
		t.Errorf("at the end the pane does not show the whole log and its error:\n%s", plain)
	}

	// The person chose the whole log before the failure: it stays.
	m = replay()
	m, _ = m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"})
	m, _ = pump(t, m, 1000)
	if plain := ansi.Strip(m.View()); strings.Contains(plain, "Log of fixture-bad-1.0") || !strings.Contains(plain, "Log (") {
		t.Errorf("the failure replaced the person's choice:\n%s", plain)
	}
}
