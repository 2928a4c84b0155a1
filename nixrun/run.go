package nixrun

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nixboard/nixboard/internal/proc"
	"github.com/nixboard/nixboard/nixlog"
)

// InterruptGrace is how long Interrupt waits after SIGINT before it kills
// what is left of the process group.
const InterruptGrace = proc.DefaultGrace

// timeMarkEvery is how often the saved log gets a time marker, so a replay
// can reproduce the pace of the real run.
const timeMarkEvery = 50 * time.Millisecond

// ErrStopping is why a run does not start once its RunSet was closed.
var ErrStopping = proc.ErrStopping

// RunSet holds the processes started under one context (proc.Set): runs
// and installers alike.
type RunSet = proc.Set

// NewRunSet returns an empty, open set.
func NewRunSet() *RunSet { return proc.NewSet() }

// WithRunSet returns a context whose runs (Start with it or a context
// derived from it) are entered into s.
func WithRunSet(ctx context.Context, s *RunSet) context.Context { return proc.WithSet(ctx, s) }

// Run is a switch (or any plan) running in its own process group
// (internal/proc). Its stdout and stderr lines arrive in the order they
// were written through Next; every raw line is also written to the full
// log file.
type Run struct {
	p       *proc.Process
	lines   chan nixlog.RawLine
	log     *savedLog
	context nixlog.Context
}

// Start runs the plan in its own process group and begins streaming its
// output. The full log goes to a new file in p.LogDir. When ctx ends, the
// run is interrupted as by Interrupt. A context that carries a RunSet
// (WithRunSet) enters the run into it; a context that ended already, or a
// closed RunSet, starts nothing.
func Start(ctx context.Context, p Plan) (*Run, error) {
	if len(p.Argv) == 0 {
		return nil, errors.New("switch: empty command line")
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("switch: not started: %w", context.Cause(ctx))
	}
	log, err := createSavedLog(p.LogDir, "switch")
	if err != nil {
		return nil, err
	}
	// The log says how the run was started: its command line and the
	// environment that decides what nix does, secrets left out. The
	// state reads it too, as the first line (what the run builds first).
	header := nixlog.HeaderMarker(p.Argv, p.Dir, p.Env)
	log.writeHeader(header)
	r := &Run{
		lines:   make(chan nixlog.RawLine, 8192),
		log:     log,
		context: nixlog.Context{UnfreeAllowed: p.UnfreeAllowed},
	}
	r.lines <- nixlog.RawLine{Text: header[:len(header)-1]}
	spec := proc.Spec{
		Argv:    p.Argv,
		Dir:     p.Dir,
		Env:     p.Env,
		Grace:   p.InterruptGrace,
		MaxLine: nixlog.MaxLineBytes,
		Lines: func(l proc.Line) {
			r.log.write(l.At, l.Text)
			r.lines <- nixlog.RawLine{At: l.At, Text: l.Text}
		},
		Finish: func(status int) {
			r.log.close(status)
			close(r.lines)
		},
	}
	// The log's time markers count from the same start as the lines.
	log.start = time.Now()
	pr, err := proc.Start(ctx, spec)
	if err != nil {
		log.discard()
		return nil, fmt.Errorf("switch: %w", err)
	}
	r.p = pr
	return r, nil
}

// Next returns the next batch of lines, or io.EOF after the process exited
// and its last line was read.
func (r *Run) Next() ([]nixlog.RawLine, error) {
	return nextBatch(r.lines)
}

// nextBatch blocks for one line, then takes what else is ready.
func nextBatch(ch <-chan nixlog.RawLine) ([]nixlog.RawLine, error) {
	l, ok := <-ch
	if !ok {
		return nil, io.EOF
	}
	batch := []nixlog.RawLine{l}
	for len(batch) < nixlog.MaxBatch {
		select {
		case l, ok := <-ch:
			if !ok {
				return batch, nil
			}
			batch = append(batch, l)
		default:
			return batch, nil
		}
	}
	return batch, nil
}

// LogPath is the file the full log is saved to.
func (r *Run) LogPath() string { return r.log.path }

// Pid is the process id of the child, which is also its process group id.
func (r *Run) Pid() int { return r.p.Pid() }

// Wait waits until the process exited and all its output was read (and,
// when it was interrupted, until Interrupt is done with every process of
// the run), and returns its exit error: nil when it exited with status 0.
func (r *Run) Wait() error { return r.p.Wait() }

// ExitStatus is the exit status once Wait returned (128+signal when the
// process was killed by a signal).
func (r *Run) ExitStatus() int { return r.p.ExitStatus() }

// Diagnose waits for the run to end and judges it from s, which must hold
// all of its output: Diagnose with the exit error, except that a run
// stopped by Interrupt fails as "interrupted" (the signal's exit status and
// the half-finished log say nothing more useful). It reads the clobbered
// files with os.Lstat, so a screen calls it in a command.
func (r *Run) Diagnose(s *nixlog.State) nixlog.Diagnosis {
	d := nixlog.DiagnoseWith(s, r.Wait(), r.context)
	if r.Interrupted() {
		d.OK, d.Reason = false, "interrupted"
	}
	return d
}

// Interrupted reports whether Interrupt was called.
func (r *Run) Interrupted() bool { return r.p.Interrupted() }

// Interrupt stops the whole run by internal/proc's one rule: SIGINT to its
// process group, so nix can stop its builders and clean up, then, once the
// process exited or after the plan's grace (InterruptGrace by default) or
// at Kill, SIGKILL for whatever is left of the group and for every
// descendant, in the group or not. It returns once every process it found
// is gone.
func (r *Run) Interrupt() { r.p.Interrupt() }

// Kill stops the run at once: Interrupt without the rest of the grace
// (a second signal, when the person will not wait). It returns when
// Interrupt does.
func (r *Run) Kill() { r.p.Kill() }

// savedLog is the full log file of a run: every raw line, time markers for
// replays, and the exit marker at the end.
type savedLog struct {
	mu       sync.Mutex
	path     string
	f        *os.File
	w        *bufio.Writer
	start    time.Time
	lastMark time.Duration
	stop     chan struct{}
	closed   bool
}

// createSavedLog creates dir/<kind>-<timestamp>.log, never overwriting an
// existing file.
func createSavedLog(dir, kind string) (*savedLog, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("switch: create the log directory %s: %w", dir, err)
	}
	stamp := time.Now().Format("20060102-150405")
	var f *os.File
	var path string
	for i := 1; ; i++ {
		name := kind + "-" + stamp + ".log"
		if i > 1 {
			name = kind + "-" + stamp + "-" + strconv.Itoa(i) + ".log"
		}
		path = filepath.Join(dir, name)
		var err error
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) || i > 100 {
			return nil, fmt.Errorf("switch: create the log file %s: %w", path, err)
		}
	}
	l := &savedLog{path: path, f: f, w: bufio.NewWriterSize(f, 64<<10), stop: make(chan struct{}), lastMark: -timeMarkEvery}
	go l.flushLoop()
	return l, nil
}

// flushLoop writes buffered lines out regularly, so the file is useful
// while the run is still going.
func (l *savedLog) flushLoop() {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.mu.Lock()
			if !l.closed {
				_ = l.w.Flush()
			}
			l.mu.Unlock()
		}
	}
}

// writeHeader writes the header line, first, under the lock the flush
// loop takes.
func (l *savedLog) writeHeader(line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Write(line)
}

func (l *savedLog) write(at time.Duration, line []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if at-l.lastMark >= timeMarkEvery {
		l.w.Write(nixlog.TimeMarker(at))
		l.lastMark = at
	}
	l.w.Write(line)
	l.w.WriteByte('\n')
}

// close appends the exit marker (unless status is negative) and closes the
// file.
func (l *savedLog) close(status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	close(l.stop)
	if status >= 0 {
		l.w.Write(nixlog.TimeMarker(time.Since(l.start)))
		l.w.Write(nixlog.ExitMarker(status))
	}
	_ = l.w.Flush()
	_ = l.f.Close()
}

// discard closes and removes the log of a run that never started.
func (l *savedLog) discard() {
	l.close(-1)
	_ = os.Remove(l.path)
}
