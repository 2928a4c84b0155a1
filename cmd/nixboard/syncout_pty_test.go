package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"

	"github.com/nixboard/nixboard/internal/benchswitch"
	"github.com/nixboard/nixboard/tui/switchview"
)

// The queries Bubble Tea (v2.1.1) sends when the screen starts: DECRQM for
// synchronized output (mode 2026) and for Unicode core (mode 2027), the
// background colour (OSC 11, which the switch screen asks for) and the
// kitty keyboard flags.
const (
	querySync       = "\x1b[?2026$p"
	queryUnicode    = "\x1b[?2027$p"
	queryBackground = "\x1b]11;?\x07"
	queryKeyboard   = "\x1b[?u"
)

// terminalAnswers is how the terminal on the pty answers those queries:
// a query missing from the map gets no answer at all.
type terminalAnswers map[string]string

var (
	// answersSync is a terminal that supports synchronized output, off
	// for now (DECRPM "reset": `CSI ? 2026 ; 2 $ y`), and answers every
	// other query too.
	answersSync = terminalAnswers{
		querySync:       "\x1b[?2026;2$y",
		queryUnicode:    "\x1b[?2027;0$y",
		queryBackground: "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\",
		queryKeyboard:   "\x1b[?0u",
	}
	// answersNoSync is a terminal that answers every query but does not
	// know mode 2026 (DECRPM "not recognized": `CSI ? 2026 ; 0 $ y`).
	answersNoSync = terminalAnswers{
		querySync:       "\x1b[?2026;0$y",
		queryUnicode:    "\x1b[?2027;0$y",
		queryBackground: "\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\",
		queryKeyboard:   "\x1b[?0u",
	}
	// answersNone is a terminal that answers nothing: the screen must not
	// wait for an answer.
	answersNone = terminalAnswers{}
)

// frameSlack is what the frame count may exceed elapsed seconds x
// switchview.FrameRate by: the first frame, and the frames that follow an
// event rather than a tick (the terminal's size, its background colour,
// the quit key).
const frameSlack = 5

// ptyTerminal plays the terminal for the built nixboard on the master side
// of a pty: it keeps every byte the program writes, feeds them to a
// terminal emulator for the screen, and answers the program's queries as
// its answers say.
type ptyTerminal struct {
	t       *testing.T
	f       *os.File
	answers terminalAnswers

	mu  sync.Mutex
	out []byte
	emu *vt.Emulator
	// scanned is how much of out was searched for queries.
	scanned int
	// asked and answered are, for each query, the length of out when it
	// was seen and when its answer was written.
	asked, answered map[string]int
	// changed is closed (and replaced) after each read.
	changed chan struct{}

	// readDone is closed when reading ends: the program closed the pty.
	readDone chan struct{}
	drained  chan struct{}
}

// startOnPty starts the built nixboard with args and exactly env on a
// fresh 100x30 pty whose terminal answers as answers say.
func startOnPty(t *testing.T, answers terminalAnswers, env []string, args ...string) (*ptyTerminal, *exec.Cmd, <-chan error) {
	t.Helper()
	cmd := exec.Command(buildNixboard(t), args...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatalf("start on a pty: %v", err)
	}
	p := &ptyTerminal{
		t: t, f: f, answers: answers,
		emu:   vt.NewEmulator(100, 30),
		asked: map[string]int{}, answered: map[string]int{},
		changed:  make(chan struct{}),
		readDone: make(chan struct{}),
		drained:  make(chan struct{}),
	}
	// The emulator answers queries on its own input side; the answers
	// that count are p.answers, so its own are dropped (an unread one
	// would block the next write).
	go func() {
		io.Copy(io.Discard, p.emu)
		close(p.drained)
	}()
	go p.read()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		// A program that already exited makes Kill fail harmlessly;
		// ProcessState is not read here, Wait may still be writing it.
		cmd.Process.Kill()
		f.Close()
		p.emu.InputPipe().(io.Closer).Close()
		<-p.drained
	})
	return p, cmd, exited
}

// read reads the program's output until the pty closes (EIO once the
// program and its children are gone), answering each query the first
// time it appears.
func (p *ptyTerminal) read() {
	defer close(p.readDone)
	buf := make([]byte, 64<<10)
	for {
		n, err := p.f.Read(buf)
		p.mu.Lock()
		p.out = append(p.out, buf[:n]...)
		p.emu.Write(buf[:n])
		// A query may straddle two reads: search from a little before
		// the new bytes.
		from := max(0, p.scanned-16)
		for _, q := range []string{querySync, queryUnicode, queryBackground, queryKeyboard} {
			if _, seen := p.asked[q]; seen || !bytes.Contains(p.out[from:], []byte(q)) {
				continue
			}
			p.asked[q] = len(p.out)
			if a, ok := p.answers[q]; ok {
				p.f.WriteString(a)
				p.answered[q] = len(p.out)
			}
		}
		p.scanned = len(p.out)
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// waitScreen waits until the emulated screen shows want and returns it.
func (p *ptyTerminal) waitScreen(want string, timeout time.Duration) string {
	p.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		scr, changed := p.emu.String(), p.changed
		p.mu.Unlock()
		if strings.Contains(scr, want) {
			return scr
		}
		select {
		case <-changed:
		case <-p.readDone:
			p.mu.Lock()
			scr = p.emu.String()
			p.mu.Unlock()
			if strings.Contains(scr, want) {
				return scr
			}
			p.t.Fatalf("the program closed the terminal before the screen showed %q:\n%s", want, scr)
		case <-deadline.C:
			p.t.Fatalf("the screen never showed %q:\n%s", want, scr)
		}
	}
}

// output is everything the program wrote, and what the terminal saw of
// the queries, once reading ended.
func (p *ptyTerminal) output() ([]byte, map[string]int, map[string]int) {
	<-p.readDone
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out, p.asked, p.answered
}

// syncReport is what a program's output says about synchronized output.
type syncReport struct {
	// queried says the program asked for mode 2026 (DECRQM).
	queried bool
	// sets and resets count `CSI ? 2026 h` and `CSI ? 2026 l`.
	sets, resets int
	// frames counts the synchronized frames: set ... reset blocks.
	frames int
	// firstSet is the offset of the first set, -1 without one.
	firstSet int
	// unsynced are the writes that change the screen's cells (text,
	// erasing, scrolling) outside a synchronized frame, after the first
	// one and before the program left the alternate screen (after which
	// it prints its closing lines on the normal screen).
	unsynced []string
	// errs are sets inside a frame, resets outside one, the alternate
	// screen left inside a frame, a frame still open at the end.
	errs []string
}

// cursorOnly are the final bytes of the CSI sequences without a prefix
// that change no cell: cursor movement and tabs, SGR (the pen, not the
// screen), scroll margins, saving and restoring the cursor, the cursor's
// shape, and reports.
const cursorOnly = "ABCDEFGHIZdefa`msuqrnct"

// readSync parses out, the program's whole output, sequence by sequence.
func readSync(out []byte) syncReport {
	r := syncReport{firstSet: -1}
	p := ansi.NewParser()
	var state byte
	inFrame, altLeft := false, false
	for i := 0; i < len(out); {
		seq, width, n, newState := ansi.DecodeSequence(out[i:], state, p)
		if n == 0 {
			break
		}
		off := i
		i += n
		state = newState
		changesCells := false
		switch {
		case width > 0:
			changesCells = true
		case ansi.HasCsiPrefix(seq):
			cmd := ansi.Cmd(p.Command())
			prefix, inter, final := cmd.Prefix(), cmd.Intermediate(), cmd.Final()
			switch {
			case prefix == '?' && inter == '$' && final == 'p':
				p.Params().ForEach(0, func(_, m int, _ bool) {
					r.queried = r.queried || m == ansi.ModeSynchronizedOutput.Mode()
				})
			case prefix == '?' && inter == 0 && (final == 'h' || final == 'l'):
				p.Params().ForEach(0, func(_, m int, _ bool) {
					switch {
					case m == ansi.ModeSynchronizedOutput.Mode() && final == 'h':
						r.sets++
						if inFrame {
							r.errs = append(r.errs, fmt.Sprintf("2026 set again inside a frame at %d", off))
						}
						if r.firstSet < 0 {
							r.firstSet = off
						}
						inFrame = true
					case m == ansi.ModeSynchronizedOutput.Mode():
						r.resets++
						if !inFrame {
							r.errs = append(r.errs, fmt.Sprintf("2026 reset outside a frame at %d", off))
						} else {
							r.frames++
						}
						inFrame = false
					case m == ansi.ModeAltScreenSaveCursor.Mode() && final == 'l':
						if inFrame {
							r.errs = append(r.errs, fmt.Sprintf("the alternate screen left inside a frame at %d", off))
						}
						altLeft = true
					}
				})
			case prefix == '?' && (final == 'J' || final == 'K'):
				// Selective erase.
				changesCells = true
			case prefix != 0:
				// Private modes, keyboard protocols, queries.
			default:
				// Erase, insert, delete, scroll, repeat.
				changesCells = !strings.ContainsRune(cursorOnly, rune(final))
			}
		case ansi.HasOscPrefix(seq), ansi.HasDcsPrefix(seq), ansi.HasApcPrefix(seq), ansi.HasSosPrefix(seq), ansi.HasPmPrefix(seq):
			// Queries, titles, clipboard: no cell changes.
		case len(seq) == 1 && (seq[0] < 0x20 || seq[0] == 0x7f):
			// A line feed may scroll; carriage return, backspace, tab
			// and bell change no cell.
			changesCells = !strings.ContainsRune("\r\b\t\a", rune(seq[0]))
		case ansi.HasEscPrefix(seq):
			// ESC 7/8 save and restore the cursor, ESC =/> set the keypad
			// mode; index, reverse index, next line and reset change
			// cells.
			changesCells = !strings.ContainsRune("78=>", rune(ansi.Cmd(p.Command()).Final()))
		default:
			changesCells = true
		}
		if changesCells && !inFrame && r.firstSet >= 0 && !altLeft && len(r.unsynced) < 5 {
			r.unsynced = append(r.unsynced, fmt.Sprintf("%q at %d", seq, off))
		}
	}
	if inFrame {
		r.errs = append(r.errs, "2026 still set at the end of the output")
	}
	return r
}

// ptyEnv is the whole environment of the program on the pty: a terminal
// type, a home of the test's own (the build history a replay reads), and
// extra. No CI and no agent's variable: the screen is drawn.
func ptyEnv(t *testing.T, extra ...string) []string {
	home := t.TempDir()
	return append([]string{"TERM=xterm-256color", "HOME=" + home, "XDG_STATE_HOME=" + filepath.Join(home, "state"), "PATH=/usr/bin:/bin"}, extra...)
}

// recordedLog is a log of nixlog's testdata recorded with Nix 2.26.
func recordedLog(t *testing.T, name string) string {
	t.Helper()
	log, err := filepath.Abs(filepath.Join("..", "..", "nixlog", "testdata", "logs", "nix-2.26", name))
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// replayRun is one replay on a pty to its end: the program's output, the
// terminal's view of the queries, and how long it ran.
type replayRun struct {
	out             []byte
	asked, answered map[string]int
	elapsed         time.Duration
	// cpu is the program's user and system time.
	cpu    time.Duration
	screen string
	status int
}

// replayOnPty replays log at speed on a pty whose terminal answers as
// answers say, waits for the end of the run ("q quit" on screen), presses
// q and waits for the program to exit.
func replayOnPty(t *testing.T, answers terminalAnswers, env []string, log, speed string) replayRun {
	t.Helper()
	start := time.Now()
	term, cmd, exited := startOnPty(t, answers, env, "replay", "--tui", "--speed", speed, log)
	scr := term.waitScreen("q quit", 60*time.Second)
	term.f.WriteString("q")
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("nixboard did not exit after q")
	}
	elapsed := time.Since(start)
	status := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("wait: %v", err)
	}
	var cpu time.Duration
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		cpu = benchswitch.RusageCPU(ru)
	}
	out, asked, answered := term.output()
	return replayRun{out: out, asked: asked, answered: answered, elapsed: elapsed, cpu: cpu, screen: scr, status: status}
}

// checkSynchronized checks that, on a terminal that supports mode 2026,
// the program turned it on only after the terminal said so, drew every
// frame after that inside a 2026 set/reset pair, and left it reset; it
// returns the report.
func checkSynchronized(t *testing.T, r replayRun) syncReport {
	t.Helper()
	rep := readSync(r.out)
	if !rep.queried {
		t.Errorf("the program never asked for mode 2026")
	}
	if rep.frames < 2 {
		t.Errorf("%d synchronized frames, want at least 2 (first set at %d)", rep.frames, rep.firstSet)
	}
	if at, ok := r.answered[querySync]; !ok || rep.firstSet < at {
		t.Errorf("2026 first set at %d, before the terminal's answer (written at %d, answered %v)", rep.firstSet, at, ok)
	}
	for _, u := range rep.unsynced {
		t.Errorf("drawn outside a synchronized frame: %s", u)
	}
	for _, e := range rep.errs {
		t.Error(e)
	}
	if rep.sets != rep.resets {
		t.Errorf("2026 set %d times, reset %d times", rep.sets, rep.resets)
	}
	return rep
}

// checkFrameRate checks the frame count against the bound: at most
// elapsed seconds x switchview.FrameRate + frameSlack. Elapsed runs from
// before the program started to after it exited, so under load the bound
// only grows.
func checkFrameRate(t *testing.T, frames int, elapsed time.Duration) {
	t.Helper()
	limit := int(elapsed.Seconds()*switchview.FrameRate) + frameSlack
	if frames > limit {
		t.Errorf("%d frames in %v: more than %v x %d + %d = %d", frames, elapsed.Round(time.Millisecond), elapsed.Round(time.Millisecond), switchview.FrameRate, frameSlack, limit)
	}
}

// TestReplayScreenSynchronizedOnAPty replays a recorded switch
// (switch-ok.log at --speed 3, about a second and a half) with the built
// nixboard on a 100x30 pty, the test playing the terminal. A terminal
// that says it supports mode 2026 gets every frame after its answer inside
// a `CSI ? 2026 h` ... `CSI ? 2026 l` pair, at most FrameRate frames a
// second (plus frameSlack), and 2026 reset at the end. A terminal that
// says it does not know the mode, or answers no query at all, gets no 2026
// set: the screen asks, does not wait for an answer, and runs to the end.
func TestReplayScreenSynchronizedOnAPty(t *testing.T) {
	t.Parallel()
	log := recordedLog(t, "switch-ok.log")
	t.Run("supported", func(t *testing.T) {
		t.Parallel()
		r := replayOnPty(t, answersSync, ptyEnv(t), log, "3")
		if r.status != 0 || !strings.Contains(r.screen, "switch ok") {
			t.Errorf("exit status %d, want 0; screen at the end:\n%s", r.status, r.screen)
		}
		rep := checkSynchronized(t, r)
		checkFrameRate(t, rep.frames, r.elapsed)
		t.Logf("%d synchronized frames in %v (%d bytes written, %v CPU)", rep.frames, r.elapsed.Round(time.Millisecond), len(r.out), r.cpu.Round(time.Millisecond))
	})
	for _, c := range []struct {
		name    string
		answers terminalAnswers
	}{
		{"not recognized", answersNoSync},
		{"no answers", answersNone},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := replayOnPty(t, c.answers, ptyEnv(t), log, "3")
			if r.status != 0 || !strings.Contains(r.screen, "switch ok") {
				t.Errorf("exit status %d, want 0; screen at the end:\n%s", r.status, r.screen)
			}
			rep := readSync(r.out)
			if !rep.queried {
				t.Errorf("the program never asked for mode 2026")
			}
			if rep.sets != 0 || rep.resets != 0 {
				t.Errorf("2026 set %d times and reset %d times on a terminal that did not say it supports it", rep.sets, rep.resets)
			}
		})
	}
}

// TestReplayScreenAsksNoSyncWhereBubbleTeaWouldNot replays on a pty whose
// terminal would say it supports mode 2026, in the environments Bubble Tea
// documents it does not ask in: Apple's Terminal (TERM_PROGRAM) and an
// ssh session (SSH_TTY). The program sends no DECRQM for 2026 and never
// sets it.
func TestReplayScreenAsksNoSyncWhereBubbleTeaWouldNot(t *testing.T) {
	t.Parallel()
	log := recordedLog(t, "switch-ok.log")
	for _, c := range []struct{ name, env string }{
		{"Apple Terminal", "TERM_PROGRAM=Apple_Terminal"},
		{"ssh", "SSH_TTY=/dev/pts/7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := replayOnPty(t, answersSync, ptyEnv(t, c.env), log, "max")
			rep := readSync(r.out)
			if rep.queried || rep.sets != 0 {
				t.Errorf("with %s: asked for 2026 %v, set it %d times; want neither", c.env, rep.queried, rep.sets)
			}
			if r.status != 0 {
				t.Errorf("exit status %d, want 0", r.status)
			}
		})
	}
}

// syntheticLog writes n lines of internal/benchswitch's synthetic
// internal-json log (made up, mostly build output: not a recording of a
// real switch) to a file and returns its path.
func syntheticLog(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "synthetic.log")
	data := append(bytes.Join(benchswitch.Log(n), []byte("\n")), '\n')
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReplayScreenFrameRateOnABigLog replays big synthetic logs on a pty
// whose terminal supports mode 2026. Paced at 10,000 lines a second (a
// log without time markers replays at 200 lines a second at speed 1;
// --speed 50), 20,000 lines take about two seconds: every frame is
// synchronized, and there are at most elapsed x FrameRate + frameSlack of
// them, far fewer than lines. At --speed max, 50,000 lines are read in a
// few tens of milliseconds: the terminal still gets only a few frames.
func TestReplayScreenFrameRateOnABigLog(t *testing.T) {
	t.Parallel()
	t.Run("10k lines a second", func(t *testing.T) {
		t.Parallel()
		const lines = 20000
		r := replayOnPty(t, answersSync, ptyEnv(t), syntheticLog(t, lines), "50")
		// The synthetic log never finishes its activation: the replay
		// says the log ends early and exits 1.
		if r.status != 1 {
			t.Errorf("exit status %d, want 1", r.status)
		}
		rep := checkSynchronized(t, r)
		checkFrameRate(t, rep.frames, r.elapsed)
		if rep.frames*100 > lines {
			t.Errorf("%d frames for %d lines, want at most one for 100 lines", rep.frames, lines)
		}
		t.Logf("%d lines: %d synchronized frames in %v (%d bytes written, %v CPU)", lines, rep.frames, r.elapsed.Round(time.Millisecond), len(r.out), r.cpu.Round(time.Millisecond))
	})
	t.Run("10k lines a second, no answers", func(t *testing.T) {
		t.Parallel()
		const lines = 20000
		r := replayOnPty(t, answersNone, ptyEnv(t), syntheticLog(t, lines), "50")
		if r.status != 1 {
			t.Errorf("exit status %d, want 1", r.status)
		}
		if rep := readSync(r.out); rep.sets != 0 {
			t.Errorf("2026 set %d times on a terminal that answered nothing", rep.sets)
		}
		// Without pairs the frames cannot be told apart; the figures
		// are for comparison with the synchronized run.
		t.Logf("%d lines unsynchronized in %v (%d bytes written, %v CPU)", lines, r.elapsed.Round(time.Millisecond), len(r.out), r.cpu.Round(time.Millisecond))
	})
	t.Run("max", func(t *testing.T) {
		t.Parallel()
		const lines = 50000
		r := replayOnPty(t, answersSync, ptyEnv(t), syntheticLog(t, lines), "max")
		if r.status != 1 {
			t.Errorf("exit status %d, want 1", r.status)
		}
		rep := readSync(r.out)
		for _, e := range rep.errs {
			t.Error(e)
		}
		for _, u := range rep.unsynced {
			t.Errorf("drawn outside a synchronized frame: %s", u)
		}
		// The first frame may come before the terminal's answer, outside
		// a pair: count it too.
		frames := rep.frames + 1
		checkFrameRate(t, frames, r.elapsed)
		if frames*100 > lines {
			t.Errorf("%d frames for %d lines, want at most one for 100 lines", frames, lines)
		}
		t.Logf("%d lines: at most %d frames in %v (%d bytes written, %v CPU)", lines, frames, r.elapsed.Round(time.Millisecond), len(r.out), r.cpu.Round(time.Millisecond))
	})
}

// watchedBuffer is a program's output in memory that can be waited on.
type watchedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newWatchedBuffer() *watchedBuffer { return &watchedBuffer{changed: make(chan struct{})} }

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.changed)
	w.changed = make(chan struct{})
	return w.buf.Write(p)
}

// waitFor waits until the output holds s and returns the output up to it.
func (w *watchedBuffer) waitFor(t *testing.T, s string, timeout time.Duration) string {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		out, changed := w.buf.String(), w.changed
		w.mu.Unlock()
		if i := strings.Index(out, s); i >= 0 {
			return out[:i]
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("the output never held %q: %q", s, out)
		}
	}
}

// TestScreensAskForSyncAsTheGivenEnvironmentSays runs the screens in
// process (`replay --tui` of a recording and the wizard's `--demo`), where
// the terminal is what the injected getenv says and the test process's own
// environment says the opposite: Bubble Tea must decide whether to ask for
// mode 2026 from the former. It looks at what the program wrote before it
// entered the alternate screen (Bubble Tea writes its queries no later
// than its first frame).
func TestScreensAskForSyncAsTheGivenEnvironmentSays(t *testing.T) {
	log := recordedLog(t, "switch-ok.log")
	for _, prog := range []struct {
		name string
		args []string
	}{
		{"replay", []string{"replay", "--tui", "--speed", "max", log}},
		{"wizard", []string{"--demo"}},
	} {
		for _, c := range []struct {
			name    string
			given   map[string]string
			process map[string]string
			asks    bool
		}{
			{"Apple Terminal", map[string]string{"TERM_PROGRAM": "Apple_Terminal"}, map[string]string{"TERM_PROGRAM": "WezTerm"}, false},
			{"ssh", map[string]string{"SSH_TTY": "/dev/pts/7"}, map[string]string{"TERM_PROGRAM": "WezTerm"}, false},
			{"local xterm", map[string]string{}, map[string]string{"SSH_TTY": "/dev/pts/7", "TERM_PROGRAM": "Apple_Terminal"}, true},
		} {
			t.Run(prog.name+"/"+c.name, func(t *testing.T) {
				for _, k := range []string{"TERM_PROGRAM", "SSH_TTY", "WT_SESSION"} {
					t.Setenv(k, "")
					os.Unsetenv(k)
				}
				t.Setenv("TERM", "xterm-256color")
				// The demo's directory goes under the temporary one.
				t.Setenv("TMPDIR", t.TempDir())
				for k, v := range c.process {
					t.Setenv(k, v)
				}
				home := t.TempDir()
				given := map[string]string{"TERM": "xterm-256color", "HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state")}
				for k, v := range c.given {
					given[k] = v
				}
				before := firstFrameInProcess(t, given, prog.args)
				if asked := strings.Contains(before, querySync); asked != c.asks {
					t.Errorf("given %v with the process's %v: asked for 2026 %v, want %v (output before the first frame %q)", c.given, c.process, asked, c.asks, before)
				}
			})
		}
	}
}

// firstFrameInProcess runs nixboard in process with args on in-memory
// streams that count as a terminal, the environment given, until the
// program enters the alternate screen; it returns what the program wrote
// before that and ends the program.
func firstFrameInProcess(t *testing.T, given map[string]string, args []string) string {
	t.Helper()
	in, inW := io.Pipe()
	out := newWatchedBuffer()
	var errOut bytes.Buffer
	st := &stdio{
		in: in, out: out, err: &errOut, inTTY: true, outTTY: true,
		getenv: func(k string) string { return given[k] },
		// The rest of the environment is the test process's, as
		// Main's would be.
		environ: os.Environ(),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := make(chan int, 1)
	go func() { ended <- run(ctx, st, args) }()
	before := out.waitFor(t, ansi.SetModeAltScreenSaveCursor, 30*time.Second)
	cancel()
	inW.Close()
	select {
	case <-ended:
	case <-time.After(30 * time.Second):
		t.Fatal("the screen did not end with its context")
	}
	return before
}

// TestReadSyncFindsWhatIsDrawnOutsideAFrame checks the checker on made-up
// output: frames are counted, what changes cells between frames is found,
// cursor moves and modes are not, and unbalanced pairs are errors.
func TestReadSyncFindsWhatIsDrawnOutsideAFrame(t *testing.T) {
	const (
		h     = "\x1b[?2026h"
		l     = "\x1b[?2026l"
		start = querySync + "\x1b[?1049h\x1b[H\x1b[2Jfirst frame, before the answer"
		end   = "\x1b[>4m\x1b[<1u\r\x1b[?1049l\x1b[?25hswitch ok\r\n"
	)
	for _, c := range []struct {
		name             string
		out              string
		frames, unsynced int
		errs             int
	}{
		{"clean", start + h + "\x1b[1;3Hab\x1b[K" + l + h + "\r\ncd" + l + end, 2, 0, 0},
		{"cursor and pen between frames", start + h + "ab" + l + "\x1b[3;4H\x1b[38;5;1m\x1b[m\x1b[?25l\x1b]11;?\x07" + h + "cd" + l + end, 2, 0, 0},
		{"text between frames", start + h + "ab" + l + "cd" + h + "ef" + l + end, 2, 2, 0},
		{"erase between frames", start + h + "ab" + l + "\x1b[2J" + h + "ef" + l + end, 2, 1, 0},
		{"line feed between frames", start + h + "ab" + l + "\n" + h + "ef" + l + end, 2, 1, 0},
		{"left set", start + h + "ab" + l + h + "cd", 1, 0, 1},
		{"reset outside a frame", start + h + "ab" + l + l + end, 1, 0, 1},
		{"alternate screen left inside a frame", start + h + "ab" + "\x1b[?1049l" + l, 1, 0, 1},
		{"never set", start + "ab\x1b[2Jcd" + end, 0, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := readSync([]byte(c.out))
			if !r.queried || r.frames != c.frames || len(r.unsynced) != c.unsynced || len(r.errs) != c.errs {
				t.Errorf("queried %v, %d frames, unsynced %q, errors %q; want true, %d frames, %d unsynced, %d errors", r.queried, r.frames, r.unsynced, r.errs, c.frames, c.unsynced, c.errs)
			}
		})
	}
}
