package nixrun

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/nixboard/nixboard/nixlog"
)

// InterruptGrace is how long Interrupt waits after SIGINT before it kills
// what is left of the process group.
const InterruptGrace = 3 * time.Second

// timeMarkEvery is how often the saved log gets a time marker, so a replay
// can reproduce the pace of the real run.
const timeMarkEvery = 50 * time.Millisecond

// Run is a switch (or any plan) running in its own process group. Its
// stdout and stderr lines arrive interleaved through Next; every raw line is
// also written to the full log file.
type Run struct {
	cmd     *exec.Cmd
	start   time.Time
	lines   chan nixlog.RawLine
	exited  chan struct{}
	done    chan struct{}
	log     *savedLog
	exitErr error
	status  int
	context nixlog.Context

	// grace is how long Interrupt waits after SIGINT (Plan.InterruptGrace).
	grace time.Duration
	// kill is closed by Kill: the interrupt skips what is left of its grace.
	kill     chan struct{}
	killOnce sync.Once
	// stopped is closed once Interrupt is done: the process exited and
	// every process of the run it found is gone.
	stopped chan struct{}

	interruptOnce sync.Once
	interrupted   bool
	mu            sync.Mutex
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
	outR, outW, err := os.Pipe()
	if err != nil {
		log.discard()
		return nil, fmt.Errorf("switch: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		log.discard()
		return nil, fmt.Errorf("switch: %w", err)
	}
	cmd := exec.Command(p.Argv[0], p.Argv[1:]...)
	cmd.Dir = p.Dir
	cmd.Env = p.Env
	cmd.Stdout = outW
	cmd.Stderr = errW
	// A process group of its own: Ctrl-C in the terminal reaches nixboard
	// only, and an interrupt can reach every nix process the switch starts.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r := &Run{
		cmd:     cmd,
		lines:   make(chan nixlog.RawLine, 8192),
		exited:  make(chan struct{}),
		done:    make(chan struct{}),
		log:     log,
		context: nixlog.Context{UnfreeAllowed: p.UnfreeAllowed},
		grace:   p.InterruptGrace,
		kill:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	if r.grace <= 0 {
		r.grace = InterruptGrace
	}
	set := runSetFrom(ctx)
	fail := func(err error) (*Run, error) {
		outR.Close()
		outW.Close()
		errR.Close()
		errW.Close()
		log.discard()
		return nil, err
	}
	if set != nil && !set.add() {
		return fail(fmt.Errorf("switch: not started: %w", ErrStopping))
	}
	r.start = time.Now()
	log.start = r.start
	if err := cmd.Start(); err != nil {
		if set != nil {
			set.remove(nil)
		}
		return fail(fmt.Errorf("switch: start %s: %w", p.Argv[0], err))
	}
	if set != nil {
		set.track(r)
	}
	outW.Close()
	errW.Close()

	var readers sync.WaitGroup
	readers.Add(2)
	for _, f := range []*os.File{outR, errR} {
		go func() {
			defer readers.Done()
			r.pump(f)
		}()
	}
	go func() {
		err := cmd.Wait()
		r.mu.Lock()
		r.exitErr = err
		r.status = exitStatus(cmd.ProcessState)
		r.mu.Unlock()
		close(r.exited)
		// A process that left the group (nix builders call setsid) may
		// still hold the pipes; give the readers a moment, then close.
		readersDone := make(chan struct{})
		go func() { readers.Wait(); close(readersDone) }()
		select {
		case <-readersDone:
		case <-time.After(2 * time.Second):
			outR.Close()
			errR.Close()
			<-readersDone
		}
		outR.Close()
		errR.Close()
		r.log.close(r.status)
		close(r.lines)
		close(r.done)
		if set != nil {
			// The set lets go of the run once nothing of it is left,
			// an interrupt in progress included.
			r.Wait()
			set.remove(r)
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			r.Interrupt()
		case <-r.exited:
		}
	}()
	return r, nil
}

// pump reads lines from f, saves them and sends them on.
func (r *Run) pump(f *os.File) {
	br := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := readLine(br)
		if line != nil {
			at := time.Since(r.start)
			r.log.write(at, line)
			r.lines <- nixlog.RawLine{At: at, Text: line}
		}
		if err != nil {
			return
		}
	}
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
func (r *Run) Pid() int { return r.cmd.Process.Pid }

// Wait waits until the process exited and all its output was read (and,
// when it was interrupted, until Interrupt is done with every process of
// the run), and returns its exit error: nil when it exited with status 0.
func (r *Run) Wait() error {
	<-r.done
	if r.Interrupted() {
		<-r.stopped
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.exitErr
}

// ExitStatus is the exit status once Wait returned (128+signal when the
// process was killed by a signal).
func (r *Run) ExitStatus() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

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
func (r *Run) Interrupted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.interrupted
}

// Interrupt stops the whole run: SIGINT to its process group first, so
// nix can stop its builders and clean up, then, once the process exited or
// after the plan's grace (InterruptGrace by default) or at Kill, SIGKILL
// for whatever is left of the group and for every descendant, in the group
// or not. It returns once the process has exited and every process it
// found is gone. Calling it again (or concurrently) waits for the first
// call and does nothing more.
func (r *Run) Interrupt() {
	r.interruptOnce.Do(func() {
		defer close(r.stopped)
		r.mu.Lock()
		r.interrupted = true
		r.mu.Unlock()
		pgid := r.cmd.Process.Pid
		var tree []proc
		select {
		case <-r.exited:
			// The leader is gone and its pid may be reused: only the
			// group (which keeps the id while it has members) is left.
		default:
			// Builders left the group (nix calls setsid); note every
			// descendant now, while nix still is their parent.
			tree = descendants(pgid)
			_ = syscall.Kill(-pgid, syscall.SIGINT)
			select {
			case <-r.exited:
			case <-r.kill:
			case <-time.After(r.grace):
			}
		}
		// Whatever is still in the group (the leader or its children)
		// is killed, and so is any noted descendant that outlived nix,
		// with the group it leads.
		stopTree(pgid, tree, killWait)
		<-r.exited
	})
}

// killWait bounds how long Interrupt waits for killed processes to exit: a
// process stuck in the kernel (an unreachable network file system) cannot
// hold nixboard forever.
const killWait = 10 * time.Second

// Kill stops the run at once: Interrupt without the rest of the grace
// (a second signal, when the person will not wait). It returns when
// Interrupt does.
func (r *Run) Kill() {
	r.killOnce.Do(func() { close(r.kill) })
	r.Interrupt()
}

// exitStatus is the shell's view of how a process ended.
func exitStatus(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

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

// readLine reads one line without its end of line, keeping at most
// MaxLineBytes of it. It returns io.EOF (with a last unterminated line, if
// any) at the end.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if room := nixlog.MaxLineBytes - len(line); room > 0 {
			line = append(line, chunk[:min(len(chunk), room)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if len(line) == 0 {
				return nil, err
			}
			return nixlog.TrimEOL(line), err
		}
		if line == nil {
			line = []byte{}
		}
		return nixlog.TrimEOL(line), nil
	}
}
