// Package switchview is the live screen of a home-manager switch (or a
// replay of one): a header that says where things stand, a pane of what
// runs now, and a log pane that follows the newest lines and can show one
// build's own log. It is a child model: the wizard embeds it, and
// `nixboard switch` and `nixboard replay` wrap it in a tiny root model.
//
// Lines are read from a nixlog.LineSource by one blocking read per
// tea.Cmd, re-armed from Update, and folded into a nixlog.State in
// batches; the screen is redrawn from snapshots of the state on a tick at
// a bounded frame rate, never once per line.
package switchview

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/theme"
)

// FrameRate is how many times a second the screen is refreshed from the
// state while lines arrive.
const FrameRate = 15

// Config is what the screen shows and controls.
type Config struct {
	// Source yields the lines (a *nixrun.Run or a *nixlog.Replay).
	Source nixlog.LineSource
	// Replay, when set instead of Source, is replayed with the state's
	// clock following the recording (nixlog.DemoReplay for the demo).
	Replay *nixlog.Replay
	// Run, when the source is a live run, is interrupted on a confirmed
	// Ctrl-C and gives the exit status and the log path.
	Run *nixrun.Run
	// Title names what runs, e.g. "switch fixture@fixturebox" or
	// "replay switch.log".
	Title string
	// State folds the lines; NewState with default limits when nil. A
	// replay passes one whose clock follows the recording.
	State *nixlog.State
	// LogPath is shown at the end when there is no Run (a replay's file).
	LogPath string
	Styles  theme.Styles
	// Embedded leaves the key help out of the screen: the embedding
	// model (the wizard) draws Prompt and Keys in its own footer, so the
	// person sees one key help, not two.
	Embedded bool
	// Now is the clock of the state and of activities' elapsed times
	// (time.Now when nil). A replay passes one that follows the recording.
	Now func() time.Time
	// Estimate gives the time left shown on the header, the source the
	// plain and JSON output use (internal/eta). The caller passes one with
	// its build history and, after the run, calls its Finish and saves the
	// history. Nil makes one without history: downloads still give an
	// estimate, builds of unknown length make it unknown (shown as
	// nothing).
	Estimate *eta.Feed
}

// DoneMsg is sent (as the result of a tea.Cmd of the screen) once the run
// ended and was judged. The embedding model decides what comes next.
type DoneMsg struct {
	Diagnosis nixlog.Diagnosis
	Summary   nixlog.Summary
	// LogPath is where the full log is saved ("" for a replay of a
	// stream).
	LogPath string
	// Interrupted is true when the person stopped the run.
	Interrupted bool
}

// linesMsg carries one batch read from the source.
type linesMsg struct {
	lines []nixlog.RawLine
	err   error
}

// judgedMsg carries the verdict on a live run once its process exited.
type judgedMsg struct{ d nixlog.Diagnosis }

// tickMsg refreshes the screen. At is the wall clock of the tick, which
// times a stretch without output (a replay's own clock stands still
// between its lines); tests send ticks with the time they choose.
type tickMsg struct{ At time.Time }

// interruptedMsg says the interrupt finished (the process group is gone).
type interruptedMsg struct{}

// Model is the switch screen.
type Model struct {
	cfg    Config
	state  *nixlog.State
	width  int
	height int
	vp     viewport.Model
	keys   KeyMap
	help   help.Model

	// Snapshots taken on each tick, drawn by View.
	header  nixlog.Header
	running []nixlog.Activity
	builds  []nixlog.Build
	lines   int64
	// steps are what nix did before the builds, caches what each cache
	// delivered; quiet times a stretch without output, quietFor its
	// length at the last tick, doing and meaning what nix was doing then
	// and what that may mean.
	steps          []nixlog.Step
	caches         []nixlog.CacheRow
	builders       []nixlog.BuilderRow
	quiet          nixlog.Quiet
	quietFor       time.Duration
	doing, meaning string
	// left is the time-left estimate at the last tick.
	left eta.Estimate
	// planned are the first builds nix planned and has not started
	// (plannedTotal counts them all); typical is how long each running
	// build usually takes here, by activity id, for those this machine
	// built before.
	planned      []eta.PlannedBuild
	plannedTotal int
	// stopsAfterFailure says nix starts nothing more once a build
	// failed (no --keep-going): the planned builds then never start.
	stopsAfterFailure bool
	typical           map[uint64]time.Duration

	// logBuild is the index+1 in builds of the build whose own log the
	// log pane shows; 0 shows the whole log.
	logBuild   int
	logBuildID uint64
	// pickedLog is set once the person chose what the log pane shows
	// (tab, shift+tab, a); openedFailed is the failed build whose log the
	// pane opened by itself. The first failure opens its build's log,
	// unless the person has chosen already; later ones leave it there.
	pickedLog    bool
	openedFailed uint64

	// showEval shows Nix's "evaluating file" lines in the pane (v);
	// hiddenEval counts those the pane leaves out meanwhile.
	showEval   bool
	hiddenEval int

	// log keeps the whole log's tail as the pane shows it, each line
	// sanitized and wrapped once; shown is what the pane was last given.
	log   logCache
	shown shownKey

	now         time.Time
	confirming  bool
	stopping    bool
	interrupted bool
	done        bool
	// frame is the drawn screen, redrawn on ticks, keys and resizes but
	// never for a batch of lines alone.
	frame   string
	readErr error
	result  DoneMsg
}

// New returns the screen; Init starts reading.
func New(cfg Config) Model {
	if cfg.Replay != nil {
		if cfg.Source == nil {
			cfg.Source = cfg.Replay
		}
		if cfg.Now == nil {
			cfg.Now = cfg.Replay.Clock()
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	st := cfg.State
	if st == nil {
		st = nixlog.NewState(nixlog.Options{Now: cfg.Now})
	}
	if cfg.Estimate == nil {
		cfg.Estimate = eta.NewFeed(nil, eta.FeedOptions{Now: st.Now})
	}
	m := Model{cfg: cfg, state: st, vp: viewport.New(), keys: DefaultKeyMap(), help: newHelp(cfg.Styles)}
	m.SetSize(80, 24)
	return m
}

// Init starts reading the source and the frame tick.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.read(), tick())
}

// read is one blocking read of a batch from the source.
func (m Model) read() tea.Cmd {
	src := m.cfg.Source
	return func() tea.Msg {
		lines, err := src.Next()
		return linesMsg{lines: lines, err: err}
	}
}

func tick() tea.Cmd {
	return tea.Tick(time.Second/FrameRate, func(t time.Time) tea.Msg { return tickMsg{At: t} })
}

// SetSize gives the screen its size; the layout is recomputed.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 8)
	m.vp.SetWidth(m.width)
	m.help.SetWidth(m.width)
	m.vp.SetHeight(m.logHeight())
	m.refreshLog()
	m.frame = m.render()
}

// relayout gives the log pane the rows the other parts leave, after
// anything that changes them (the key help takes two rows while it asks).
func (m *Model) relayout() {
	if h := m.logHeight(); h != m.vp.Height() {
		follow := m.vp.AtBottom()
		m.vp.SetHeight(h)
		if follow {
			// A pane that follows holds only the rows it shows: refill it
			// for its new height.
			m.refreshLog()
			m.vp.GotoBottom()
		}
	}
}

// Done reports whether the run ended.
func (m Model) Done() bool { return m.done }

// Result is what the DoneMsg carried (valid once Done).
func (m Model) Result() DoneMsg { return m.result }

// State is the folded state of the run.
func (m Model) State() *nixlog.State { return m.state }

// Update handles lines, ticks, keys and the end of the run.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	m, cmd := m.update(msg)
	// A batch of lines changes only the state: the layout and the frame
	// follow the snapshots, taken on the next tick (or by finish, which
	// sizes the pane itself). At thousands of lines a second, laying out
	// on every batch cost more than the drawing.
	if _, lines := msg.(linesMsg); !lines || m.frame == "" {
		m.relayout()
		m.frame = m.render()
	}
	return m, cmd
}

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		return m, nil
	case linesMsg:
		return m.handleLines(msg)
	case judgedMsg:
		return m.finish(msg.d)
	case interruptedMsg:
		m.stopping = false
		return m, nil
	case tickMsg:
		if !msg.At.IsZero() && !m.done {
			m.quietFor, _ = m.quiet.Check(m.state, msg.At)
			if m.quietFor >= nixlog.QuietAfter {
				m.doing, m.meaning = m.state.Doing()
			}
		}
		m.snapshot()
		if m.done {
			return m, nil
		}
		return m, tick()
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseWheelMsg:
		var cmd tea.Cmd
		if msg.Button == tea.MouseWheelUp {
			m.fillLog()
		}
		m.vp, cmd = m.vp.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m Model) handleLines(msg linesMsg) (Model, tea.Cmd) {
	m.state.FeedLines(msg.lines)
	m.cfg.Estimate.Lines(msg.lines)
	if msg.err == nil {
		return m, m.read()
	}
	if !errors.Is(msg.err, io.EOF) {
		m.readErr = msg.err
	}
	if run := m.cfg.Run; run != nil {
		// Waiting for the process and judging it (which inspects
		// clobbered files on disk) happen in the command; every line is in
		// the state by now.
		state := m.state
		return m, func() tea.Msg { return judgedMsg{d: run.Diagnose(state)} }
	}
	return m.finish(nixlog.DiagnoseReplay(m.state))
}

// finish ends the screen with the verdict d once the source ended (and a
// live run's process exited).
func (m Model) finish(d nixlog.Diagnosis) (Model, tea.Cmd) {
	logPath := m.cfg.LogPath
	if run := m.cfg.Run; run != nil {
		logPath = run.LogPath()
		m.interrupted = run.Interrupted()
	}
	if m.readErr != nil {
		d.OK, d.NotALog = false, false
		d.Reason = m.readErr.Error()
	}
	m.state.Finish(d.OK)
	m.done = true
	m.confirming = false
	m.result = DoneMsg{Diagnosis: d, Summary: m.state.Summary(), LogPath: logPath, Interrupted: m.interrupted}
	// The log pane is sized once the result block is known (it takes the
	// rows the block needs), then shows its newest lines: the last lines
	// are the error, often. A failed build's log the pane opened by itself
	// gives way to the whole log now: nix's error ends it, with the
	// build's last lines in it.
	m.snapshot()
	if m.openedFailed != 0 && !m.pickedLog {
		m.logBuild, m.logBuildID = 0, 0
	}
	m.vp.SetHeight(m.logHeight())
	m.refreshLog()
	m.vp.GotoBottom()
	res := m.result
	return m, func() tea.Msg { return res }
}

func (m Model) handleKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	k := m.keys
	if m.confirming {
		m.confirming = false
		if key.Matches(msg, k.Yes) {
			return m.interrupt()
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Stop):
		if m.done {
			return m, nil
		}
		if m.cfg.Run == nil {
			// A replay has no process to stop: end it now.
			m.interrupted = true
			return m.finish(nixlog.DiagnoseReplay(m.state))
		}
		if !m.stopping {
			m.confirming = true
		}
	case key.Matches(msg, k.Up):
		m.fillLog()
		m.vp.ScrollUp(1)
	case key.Matches(msg, k.Down):
		m.vp.ScrollDown(1)
	case key.Matches(msg, k.PageUp):
		m.fillLog()
		m.vp.PageUp()
	case key.Matches(msg, k.PageDown):
		m.vp.PageDown()
	case key.Matches(msg, k.Top):
		m.fillLog()
		m.vp.GotoTop()
	case key.Matches(msg, k.Follow):
		m.vp.GotoBottom()
	case key.Matches(msg, k.NextBuild):
		m.cycleBuild(1)
	case key.Matches(msg, k.PrevBuild):
		m.cycleBuild(-1)
	case key.Matches(msg, k.EvalLines):
		m.showEval = !m.showEval
		m.refreshLog()
	case key.Matches(msg, k.AllLog):
		m.pickedLog = true
		m.logBuild, m.logBuildID = 0, 0
		m.refreshLog()
		m.vp.GotoBottom()
	}
	return m, nil
}

// interrupt stops the live run's process group in a command (it waits up
// to nixrun.InterruptGrace); the source then ends and the run is judged.
func (m Model) interrupt() (Model, tea.Cmd) {
	run := m.cfg.Run
	if run == nil || m.stopping || m.done {
		return m, nil
	}
	m.stopping = true
	return m, func() tea.Msg {
		run.Interrupt()
		return interruptedMsg{}
	}
}

// cycleBuild switches the log pane to the next (or previous) build's own
// log, wrapping through the whole log.
func (m *Model) cycleBuild(step int) {
	m.pickedLog = true
	n := len(m.builds) + 1
	m.logBuild = ((m.logBuild+step)%n + n) % n
	m.logBuildID = 0
	if m.logBuild > 0 {
		m.logBuildID = m.builds[m.logBuild-1].ID
	}
	m.refreshLog()
	m.vp.GotoBottom()
}

// snapshot copies what the screen shows from the state.
func (m *Model) snapshot() {
	m.now = m.cfg.Now()
	m.header = m.state.Header()
	m.running = m.state.Running()
	m.builds = m.state.Builds()
	m.steps = m.state.Steps()
	m.caches = m.state.Caches()
	m.builders = m.state.Builders()
	m.left = m.cfg.Estimate.Update(m.state)
	m.planned, m.plannedTotal = m.cfg.Estimate.Planned(maxPlannedRows)
	m.stopsAfterFailure = m.state.StopsAfterFailure()
	m.typical = nil
	for _, b := range m.builds {
		if b.Status != nixlog.BuildRunning {
			continue
		}
		if d, ok := m.cfg.Estimate.Typical(b); ok {
			if m.typical == nil {
				m.typical = map[uint64]time.Duration{}
			}
			m.typical[b.ID] = d
		}
	}
	// A build that fails opens its own log, so its error is what the
	// pane shows, not the lines other builds print after it.
	if !m.pickedLog {
		for _, b := range m.builds {
			if b.Status == nixlog.BuildFailed && m.openedFailed == 0 {
				m.openedFailed, m.logBuildID = b.ID, b.ID
			}
		}
	}
	// Keep the chosen build selected while the list changes.
	if m.logBuildID != 0 {
		m.logBuild = 0
		for i, b := range m.builds {
			if b.ID == m.logBuildID {
				m.logBuild = i + 1
			}
		}
	}
	lines := m.state.Stats().Lines
	if lines != m.lines || m.logBuildID != 0 {
		m.lines = lines
		m.refreshLog()
	}
}

// refreshLog puts the newest lines into the log pane, following the tail
// only when the person is already at the bottom. While it follows, the
// pane is given only the rows it shows (wrapping the newest lines only):
// at thousands of lines a second most lines leave the kept tail unseen,
// and the viewport measures every row it is given. Scrolling up first
// fills the pane with the whole kept tail (fillLog).
func (m *Model) refreshLog() {
	follow := m.vp.AtBottom() || m.vp.TotalLineCount() == 0
	m.setLog(follow)
}

// fillLog gives a pane that holds only its visible rows the whole kept
// tail, at the bottom, before the person scrolls up.
func (m *Model) fillLog() {
	if m.shown.window {
		m.setLog(false)
		m.vp.GotoBottom()
	}
}

// shownKey is what the log pane's rows were made from: the same key means
// the same rows.
type shownKey struct {
	seq           uint64
	width, height int
	eval, window  bool
}

func (m *Model) setLog(window bool) {
	if m.logBuildID != 0 {
		// A build's own log is short (Limits.BuildLines) and has no line
		// numbers: it is wrapped anew each time.
		var rows []string
		for _, l := range m.state.BuildLog(m.logBuildID, 0) {
			rows = m.appendWrapped(rows, nixlog.Sanitize(l))
		}
		m.shown = shownKey{}
		m.setRows(rows, window)
		return
	}
	m.log.update(m.state, m.width)
	m.hiddenEval = 0
	if !m.showEval {
		m.hiddenEval = m.log.hidden
	}
	key := shownKey{seq: m.log.seq, width: m.width, height: m.vp.Height(), eval: m.showEval, window: window}
	if key == m.shown && m.vp.TotalLineCount() > 0 {
		return
	}
	m.shown = key
	if window {
		m.setRows(m.log.newestRows(m, m.vp.Height()), true)
		return
	}
	m.setRows(m.log.allRows(m), false)
}

// setRows gives the pane its rows, keeping it at the bottom when it
// follows.
func (m *Model) setRows(rows []string, follow bool) {
	m.vp.SetContentLines(rows)
	if follow {
		m.vp.GotoBottom()
	}
}

// logEntry is one line of the whole log's tail: its text as kept, whether
// it is an "evaluating file" line, and its rows once wrapped (nil until
// the pane needs them).
type logEntry struct {
	text string
	eval bool
	rows []string
}

// logCache keeps the tail of the whole log between frames, so each line is
// read, sanitized and wrapped once, not on every frame.
type logCache struct {
	// seq is the number of the newest line read (nixlog.LogTailSince).
	seq     uint64
	entries []logEntry
	// hidden counts the "evaluating file" lines among entries.
	hidden int
	// width is the width the rows were wrapped at.
	width int
}

// update reads the lines added since the last update and forgets those
// the state no longer keeps; a new width drops every line's rows.
func (c *logCache) update(st *nixlog.State, width int) {
	if width != c.width {
		c.width = width
		for i := range c.entries {
			c.entries[i].rows = nil
		}
	}
	lines, newest, kept := st.LogTailSince(c.seq)
	if newest < c.seq || uint64(len(lines)) < newest-c.seq {
		// Lines between the last read and these were dropped unseen (or
		// the state is a new one): start over with what is kept.
		c.entries, c.hidden = c.entries[:0], 0
	}
	c.seq = newest
	for _, l := range lines {
		e := logEntry{text: l.Text, eval: l.EvaluatingFile()}
		if e.eval {
			c.hidden++
		}
		c.entries = append(c.entries, e)
	}
	if drop := len(c.entries) - kept; drop > 0 {
		for _, e := range c.entries[:drop] {
			if e.eval {
				c.hidden--
			}
		}
		// Copy down instead of reslicing, so the slice does not creep
		// forward through ever new memory.
		n := copy(c.entries, c.entries[drop:])
		clear(c.entries[n:])
		c.entries = c.entries[:n]
	}
}

// rowsOf returns entry i's rows, wrapping it the first time.
func (c *logCache) rowsOf(m *Model, i int) []string {
	e := &c.entries[i]
	if e.rows == nil {
		e.rows = m.appendWrapped(make([]string, 0, 1), nixlog.Sanitize(e.text))
	}
	return e.rows
}

// shows says whether the pane shows entry i.
func (c *logCache) shows(m *Model, i int) bool {
	return m.showEval || !c.entries[i].eval
}

// newestRows returns the last n rows of the shown lines, oldest first.
func (c *logCache) newestRows(m *Model, n int) []string {
	var rev [][]string
	got := 0
	for i := len(c.entries) - 1; i >= 0 && got < n; i-- {
		if !c.shows(m, i) {
			continue
		}
		r := c.rowsOf(m, i)
		rev = append(rev, r)
		got += len(r)
	}
	rows := make([]string, 0, got)
	for i := len(rev) - 1; i >= 0; i-- {
		rows = append(rows, rev[i]...)
	}
	if len(rows) > n {
		rows = rows[len(rows)-n:]
	}
	return rows
}

// allRows returns the rows of every shown line, oldest first.
func (c *logCache) allRows(m *Model) []string {
	var rows []string
	for i := range c.entries {
		if c.shows(m, i) {
			rows = append(rows, c.rowsOf(m, i)...)
		}
	}
	return rows
}

// appendWrapped adds one log entry as rows of the screen's width: an
// entry of several lines (nix's errors are) becomes several rows and a
// long line wraps, so no part of the log is cut off.
func (m Model) appendWrapped(rows []string, s string) []string {
	if !strings.Contains(s, "\n") && ansi.StringWidth(s) <= m.width {
		return append(rows, s)
	}
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		for _, row := range strings.Split(ansi.Wrap(line, m.width, ""), "\n") {
			if strings.Contains(row, "\x1b[") {
				// A colour a row opens ends with the row.
				row += "\x1b[m"
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// fit cuts a line to the width of the screen (by cells, escapes kept).
func (m Model) fit(s string) string {
	if ansi.StringWidth(s) <= m.width {
		return s
	}
	return ansi.Truncate(s, m.width, "…")
}

// Layout: header (headerRows: the title line and the progress, each
// wrapped), running pane (title + up to runningRows) or the result block,
// log title (logTitleRows, wrapped), log pane, help (helpRows, none when
// Embedded).
func (m Model) runningRows() int {
	if m.done {
		// The result block gets every row it needs, leaving the log pane
		// at least one.
		return max(1, min(m.resultRows(), m.height-m.headerRows()-1-m.logTitleRows()-m.helpRows()-1))
	}
	// A third of what the header, titles and key help leave: 5 rows at
	// 24, 8 from 32 on; the log pane keeps the rest.
	return max(1, min(8, (m.height-8)/3))
}

func (m Model) helpRows() int {
	if m.cfg.Embedded {
		return 0
	}
	return len(m.helpLines())
}

func (m Model) logHeight() int {
	return max(1, m.height-m.headerRows()-1-m.runningRows()-m.logTitleRows()-m.helpRows())
}

// resultRows is how many rows the closing result block needs.
func (m Model) resultRows() int {
	return len(m.resultLines())
}

// resultKind says how a row of the result block is drawn.
type resultKind int

const (
	resultVerdict resultKind = iota
	resultText
	resultLog
)

type resultRow struct {
	text string
	kind resultKind
}

// resultLines is the result block wrapped to the screen's width: the
// verdict and its reason, each hint with its fix, the log's path. Nothing
// is cut: prose wraps between words and a fix wraps between shell words
// (or inside a long path) with a trailing backslash, so the lines still
// paste as one command.
func (m Model) resultLines() []resultRow {
	d := m.result.Diagnosis
	w := max(m.width, 20)
	var rows []resultRow
	add := func(kind resultKind, first, rest string, lines []string) {
		for i, l := range lines {
			prefix := rest
			if i == 0 {
				prefix = first
			}
			rows = append(rows, resultRow{text: prefix + l, kind: kind})
		}
	}
	add(resultVerdict, "", "  ", textwrap.Words(nixlog.ResultLine(d, m.result.Summary), w-2))
	for _, h := range d.Hints {
		add(resultText, "• ", "  ", textwrap.Words(h.Title, w-2))
		// An evaluation error's code frame is source code: shown as it
		// is, cut to the screen rather than wrapped (which would move the
		// caret off its column).
		for _, l := range h.Code {
			rows = append(rows, resultRow{text: ansi.Truncate("  "+l, w, "…"), kind: resultText})
		}
		if h.Fix == "" {
			continue
		}
		// CommandLines also breaks a path too long for a line, with a
		// backslash and the rest at the start of the next line, so the
		// pasted lines are still the one command.
		for i, fix := range strings.Split(strings.TrimRight(h.Fix, "\n"), "\n") {
			lines := textwrap.CommandLines(fix, 7, w)
			if i == 0 {
				lines[0] = "  fix: " + strings.TrimPrefix(lines[0], "       ")
			}
			add(resultText, "", "", lines)
		}
	}
	if m.result.LogPath != "" {
		add(resultLog, "full log: ", "  ", textwrap.Words(m.result.LogPath, w-10))
	}
	// A shell word wider than the screen stays whole in its line; the
	// row then continues on the next rows instead of being cut.
	for i := 0; i < len(rows); i++ {
		if ansi.StringWidth(rows[i].text) <= w {
			continue
		}
		parts := strings.Split(ansi.Hardwrap(rows[i].text, w, true), "\n")
		wrapped := make([]resultRow, len(parts))
		for j, p := range parts {
			wrapped[j] = resultRow{text: p, kind: rows[i].kind}
		}
		rows = append(rows[:i], append(wrapped, rows[i+1:]...)...)
		i += len(parts) - 1
	}
	return rows
}

// Prompt is the question the screen asks before stopping a run, or ""
// when it asks none.
func (m Model) Prompt() string {
	if m.confirming {
		return "Stop the switch? Running builds are killed."
	}
	return ""
}

// View returns the screen as last drawn: lines arriving change the state,
// the next tick (FrameRate a second) draws them.
func (m Model) View() string {
	if m.frame == "" {
		return m.render()
	}
	return m.frame
}

// render draws the screen at its size from the snapshots.
func (m Model) render() string {
	st := m.cfg.Styles
	rows := make([]string, 0, m.height)
	rows = append(rows, m.headerLines()...)

	if m.done {
		rows = append(rows, m.fit(st.Title.Render("Result")))
		res := m.resultLines()
		n := m.runningRows()
		for i := 0; i < n; i++ {
			line := ""
			if i < len(res) {
				r := res[i]
				line = r.text
				switch {
				case i == n-1 && len(res) > n:
					// Only a screen too small for the block gets here;
					// the same lines are printed when the screen closes.
					line = st.Subtle.Render("… " + textwrap.Count(len(res)-i, "more line", "more lines"))
				case r.kind == resultVerdict && i == 0 && m.result.Diagnosis.OK:
					line = st.OK.Render("✓ " + line)
				case r.kind == resultVerdict && i == 0:
					line = st.Fail.Render("✗ " + line)
				case r.kind == resultVerdict && m.result.Diagnosis.OK:
					line = st.OK.Render(line)
				case r.kind == resultVerdict:
					line = st.Fail.Render(line)
				case r.kind == resultLog:
					line = st.Subtle.Render(line)
				}
			}
			rows = append(rows, m.fit(line))
		}
	} else if pre := m.preBuildLines(); pre != nil {
		rows = append(rows, m.fit(st.Title.Render("Before the builds")))
		for i := 0; i < m.runningRows(); i++ {
			line := ""
			if i < len(pre) {
				line = pre[i]
			}
			rows = append(rows, m.fit(line))
		}
	} else {
		rows = append(rows, m.fit(m.paneTitle()))
		pane := m.paneRows(m.runningRows())
		for r := 0; r < m.runningRows(); r++ {
			line := ""
			if r < len(pane) {
				line = pane[r]
			}
			rows = append(rows, line)
		}
	}

	rows = append(rows, m.logTitleLines()...)
	rows = append(rows, strings.Split(m.vp.View(), "\n")...)
	if !m.cfg.Embedded {
		rows = append(rows, m.helpLines()...)
	}
	for len(rows) < m.height {
		rows = append(rows, "")
	}
	return strings.Join(rows[:m.height], "\n")
}

func (m Model) headerRows() int { return len(m.headerLines()) }

// headerLines are the title line (what runs, its phase and clock) and the
// progress in words, each wrapped to the width rather than cut: at 60
// columns a long configuration name puts the phase on the next row.
func (m Model) headerLines() []string {
	st := m.cfg.Styles
	title := "nixboard " + m.cfg.Title
	phase := m.header.PhaseText()
	switch {
	case m.done && m.result.Diagnosis.OK:
		phase = st.OK.Render("done")
	case m.done && m.interrupted:
		phase = st.Fail.Render("interrupted")
	case m.done:
		phase = st.Fail.Render("failed")
	case m.stopping:
		phase = st.Warn.Render("stopping…")
	default:
		phase = st.Accent.Render(phase)
	}
	status := phase + "  " + st.Subtle.Render(nixlog.Clock(m.header.Elapsed))
	var lines []string
	if ansi.StringWidth(title)+2+ansi.StringWidth(status) <= m.width {
		lines = append(lines, st.Title.Render(title)+"  "+status)
	} else {
		for _, l := range textwrap.Words(title, m.width) {
			lines = append(lines, m.fit(st.Title.Render(l)))
		}
		lines = append(lines, m.fit(status))
	}
	progress := nixlog.ProgressWords(m.header)
	if m.left.Known && !m.done {
		// The same words as the plain line; an unknown estimate shows
		// nothing rather than a guess.
		if progress != "" {
			progress += ", "
		}
		progress += "about " + m.left.String() + " left"
	}
	for _, l := range textwrap.Words(progress, m.width) {
		lines = append(lines, m.fit(st.Subtle.Render(l)))
	}
	return lines
}

// preBuildLines are the rows of the pane before the first build: a
// warning once nothing was printed for nixlog.QuietAfter, then what nix
// does now (the running steps, with their clocks) and what it did, newest
// first, with how long each took. Nil once nix downloads or builds, or
// when there is nothing to say: the pane lists the running activities.
func (m Model) preBuildLines() []string {
	rows := m.quietLines()
	if m.header.Phase != nixlog.PhaseEvaluating || len(m.steps) == 0 && len(rows) == 0 {
		return nil
	}
	elapsed := m.header.Elapsed
	for _, running := range []bool{true, false} {
		for i := len(m.steps) - 1; i >= 0; i-- {
			s := m.steps[i]
			if s.Done == running {
				continue
			}
			words := nixlog.StepWords(s)
			right := nixlog.Clock(s.Took(elapsed))
			if s.Done {
				words = "✓ " + nixlog.StepDoneWords(s)
				right = nixlog.Seconds(s.Took(elapsed))
			}
			rows = append(rows, m.rightAligned(words, right))
		}
	}
	return rows
}

// quietLines warn, once nothing was printed for nixlog.QuietAfter, what
// nix was doing and what that may mean, wrapped to the width.
func (m Model) quietLines() []string {
	if m.quietFor < nixlog.QuietAfter || m.done {
		return nil
	}
	var rows []string
	warn := fmt.Sprintf("No output for %s while %s. %s", nixlog.Seconds(m.quietFor), m.doing, m.meaning)
	for _, l := range textwrap.Words(warn, m.width) {
		rows = append(rows, m.cfg.Styles.Warn.Render(l))
	}
	return rows
}

// cacheLines are one row per cache while paths download from more than
// one: what each delivered.
func (m Model) cacheLines() []string {
	if len(m.caches) < 2 || m.done {
		return nil
	}
	var rows []string
	for _, c := range m.caches {
		right := nixlog.Size(c.Bytes)
		left := fmt.Sprintf("%-8s %s  %s", "cache", c.URL, textwrap.Count(c.Downloads, "path", "paths"))
		if c.Running > 0 {
			left += fmt.Sprintf(", %d running", c.Running)
		}
		rows = append(rows, m.rightAligned(left, right))
	}
	return rows
}

// rightAligned is left, cut to fit, then right at the right edge.
func (m Model) rightAligned(left, right string) string {
	st := m.cfg.Styles
	left = ansi.Truncate(left, max(0, m.width-ansi.StringWidth(right)-1), "…")
	return left + strings.Repeat(" ", max(1, m.width-ansi.StringWidth(left)-ansi.StringWidth(right))) + st.Subtle.Render(right)
}

func (m Model) activityLine(a nixlog.Activity) string {
	st := m.cfg.Styles
	kind := "build"
	switch a.Type {
	case nixlog.ActCopyPath, nixlog.ActSubstitute:
		kind = "download"
	case nixlog.ActFileTransfer:
		kind = "transfer"
	}
	name := a.Name
	if name == "" {
		name = nixlog.Sanitize(a.Text)
	}
	detail := a.Phase
	if t := m.typicalWords(a.ID); t != "" {
		detail = strings.TrimPrefix(detail+" · "+t, " · ")
	}
	if a.Expected > 0 {
		detail = fmt.Sprintf("%s of %s", nixlog.Size(a.Done), nixlog.Size(a.Expected))
	}
	elapsed := time.Duration(0)
	if !a.Start.IsZero() {
		elapsed = max(0, m.now.Sub(a.Start))
	}
	left := fmt.Sprintf("%-8s %s", kind, name)
	if detail != "" {
		left += "  " + st.Subtle.Render(detail)
	}
	right := st.Subtle.Render(nixlog.Clock(elapsed))
	if d, stalled := a.Stalled(m.now); stalled {
		// Beside the clock, where a transfer's long URL cannot push it
		// off the row.
		right = st.Warn.Render("stalled "+nixlog.Seconds(d)) + "  " + right
	}
	pad := m.width - ansi.StringWidth(right) - 1
	left = ansi.Truncate(left, max(0, pad), "…")
	return left + strings.Repeat(" ", max(1, m.width-ansi.StringWidth(left)-ansi.StringWidth(right))) + right
}

func (m Model) logTitleRows() int { return len(m.logTitleLines()) }

// logTitleLines is the log pane's title wrapped to the width: a build's
// long name moves to the next row whole rather than being cut.
func (m Model) logTitleLines() []string {
	var lines []string
	for _, l := range textwrap.Words(m.logTitle(), m.width) {
		lines = append(lines, m.fit(m.cfg.Styles.Title.Render(l)))
	}
	return lines
}

func (m Model) logTitle() string {
	if m.logBuildID != 0 && m.logBuild > 0 {
		b := m.builds[m.logBuild-1]
		status := b.Status.String()
		if !b.End.IsZero() {
			status += " in " + nixlog.Seconds(b.End.Sub(b.Start))
		}
		return fmt.Sprintf("Log of %s (%s, %s)", b.Name, status, textwrap.Count(b.Lines, "line", "lines"))
	}
	title := "Log (" + textwrap.Count(len(m.builds), "build", "builds") + "; tab shows one build's log"
	if m.hiddenEval > 0 {
		// The saved log keeps them; v shows them here.
		title += "; " + textwrap.Count(m.hiddenEval, "evaluating-file line", "evaluating-file lines") + " hidden, v shows them"
	}
	return title + ")"
}

// helpLines is the key help (bubbles/help, from Bindings): one line that
// drops its least needed keys when narrow, and the question before it, on
// a line of its own when both do not fit in one.
func (m Model) helpLines() []string {
	st := m.cfg.Styles
	keys := m.help.ShortHelpView(m.Bindings())
	p := m.Prompt()
	if p == "" {
		return []string{keys}
	}
	if ansi.StringWidth(p)+2+ansi.StringWidth(keys) <= m.width {
		return []string{st.Warn.Render(p) + "  " + keys}
	}
	var lines []string
	for _, l := range textwrap.Words(p, m.width) {
		lines = append(lines, st.Warn.Render(l))
	}
	return append(lines, keys)
}

// SetStyles changes the styles, e.g. once the terminal's background is
// known.
func (m *Model) SetStyles(s theme.Styles) {
	m.cfg.Styles = s
	m.help = newHelp(s)
	m.frame = m.render()
}

// QuitKey reports whether msg is a key that closes the screen once the
// run ended.
func (m Model) QuitKey(msg tea.KeyPressMsg) bool {
	return key.Matches(msg, m.keys.Quit)
}
