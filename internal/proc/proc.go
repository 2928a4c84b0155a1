// Package proc is nixboard's one way to run a child process: in a process
// group of its own, with exactly the environment it is given, its output
// streamed as lines, and one rule to stop it. When its context ends (or
// Interrupt is called) the group gets SIGINT, then, after a grace period
// or once the leader exited, SIGKILL goes to the group and to every
// descendant, in the group or not (nix's builders call setsid); Wait
// returns only once all of them are gone. The switch and the Nix
// installer both run through it.
package proc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nixboard/nixboard/internal/eol"
	"github.com/nixboard/nixboard/internal/shell"
)

// DefaultGrace is how long Interrupt waits after SIGINT before it kills
// what is left.
const DefaultGrace = 3 * time.Second

// DefaultOutputDelay is how long the output is still read after the
// process exited, when something it started in the background holds it
// open.
const DefaultOutputDelay = 2 * time.Second

// DefaultMaxLine is the most bytes of one line a Lines callback gets.
const DefaultMaxLine = 1 << 20

// killWait bounds how long Interrupt waits for killed processes to exit: a
// process stuck in the kernel (an unreachable network file system) cannot
// hold nixboard forever.
const killWait = 10 * time.Second

// Spec is what to run and how.
type Spec struct {
	// Argv is the command line; Argv[0] is looked up on Env's PATH when
	// it has no slash.
	Argv []string
	// Dir is the working directory ("" keeps nixboard's).
	Dir string
	// Env is the whole environment of the process: nil is an empty one,
	// never nixboard's own.
	Env []string
	// Grace is how long an interrupt waits after SIGINT (DefaultGrace
	// when 0).
	Grace time.Duration
	// OutputDelay is how long output is read after the process exited
	// (DefaultOutputDelay when 0).
	OutputDelay time.Duration
	// MaxLine is the most bytes of a line kept (DefaultMaxLine when 0);
	// the rest of a longer line is dropped and the Line says so.
	MaxLine int
	// Lines gets every line of stdout and stderr, which share one pipe so
	// that lines arrive in the order they were written, as on a terminal.
	// It is called from one goroutine; nil drops the output.
	Lines func(Line)
	// Finish is called once the process exited and its last line was
	// handed to Lines, with the exit status, before Wait returns.
	Finish func(status int)
	// Terminal, when set, attaches the process to these streams instead
	// of the pipe (Lines is not used) and leaves it in nixboard's process
	// group, the terminal's foreground one, so it can read the terminal
	// (sudo asking for a password). Stopping it follows the same rule,
	// with the signals sent to it and its descendants instead of a group.
	Terminal *Terminal
}

// Terminal is the streams an attached process uses.
type Terminal struct {
	In       io.Reader
	Out, Err io.Writer
}

// Line is one line of output, without its end of line.
type Line struct {
	// At is the time since the process started.
	At time.Duration
	// Text is the line; it is the Line's own (not reused).
	Text []byte
	// Cut is set when the line was longer than MaxLine.
	Cut bool
}

// ErrStopping is why a process does not start once its Set was closed.
var ErrStopping = errors.New("nixboard is stopping")

// Process is a running child process.
type Process struct {
	cmd     *exec.Cmd
	group   bool
	start   time.Time
	grace   time.Duration
	exited  chan struct{}
	done    chan struct{}
	kill    chan struct{}
	stopped chan struct{}

	killOnce      sync.Once
	interruptOnce sync.Once

	mu          sync.Mutex
	exitErr     error
	status      int
	interrupted bool
}

// Start starts the process. A context that ended already, or a closed Set
// in it (WithSet), starts nothing; when ctx ends later, the process is
// interrupted as by Interrupt. A Set in ctx holds the process until Wait
// would return.
func Start(ctx context.Context, s Spec) (*Process, error) {
	if len(s.Argv) == 0 {
		return nil, errors.New("empty command line")
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("not started: %w", context.Cause(ctx))
	}
	path, err := resolve(s.Argv[0], s.Env)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, s.Argv[1:]...)
	cmd.Args[0] = s.Argv[0]
	cmd.Dir = s.Dir
	cmd.Env = s.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	p := &Process{
		cmd:     cmd,
		group:   s.Terminal == nil,
		grace:   s.Grace,
		exited:  make(chan struct{}),
		done:    make(chan struct{}),
		kill:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	if p.grace <= 0 {
		p.grace = DefaultGrace
	}
	var outR, outW *os.File
	if s.Terminal != nil {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = s.Terminal.In, s.Terminal.Out, s.Terminal.Err
	} else {
		outR, outW, err = os.Pipe()
		if err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = outW, outW
		// A process group of its own: Ctrl-C in the terminal reaches
		// nixboard only, and an interrupt reaches every process of it.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	set := setFrom(ctx)
	fail := func(err error) (*Process, error) {
		if outR != nil {
			outR.Close()
			outW.Close()
		}
		return nil, err
	}
	if set != nil && !set.add() {
		return fail(fmt.Errorf("not started: %w", ErrStopping))
	}
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		if set != nil {
			set.remove(nil)
		}
		return fail(fmt.Errorf("start %s: %w", s.Argv[0], err))
	}
	if set != nil {
		set.track(p)
	}
	readersDone := make(chan struct{})
	if outW != nil {
		outW.Close()
		go func() {
			defer close(readersDone)
			p.pump(outR, s)
		}()
	} else {
		close(readersDone)
	}
	delay := s.OutputDelay
	if delay <= 0 {
		delay = DefaultOutputDelay
	}
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.exitErr = err
		p.status = exitStatus(cmd.ProcessState)
		p.mu.Unlock()
		close(p.exited)
		if outR != nil {
			// A process that left the group may still hold the
			// pipe; read a while longer, then close it.
			t := time.NewTimer(delay)
			select {
			case <-readersDone:
			case <-t.C:
				outR.Close()
				<-readersDone
			}
			t.Stop()
			outR.Close()
		}
		if s.Finish != nil {
			s.Finish(p.ExitStatus())
		}
		close(p.done)
		if set != nil {
			// The set lets go once nothing of the process is left,
			// an interrupt in progress included.
			p.Wait()
			set.remove(p)
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			p.Interrupt()
		case <-p.exited:
		}
	}()
	return p, nil
}

// resolve is the path of argv0: itself when it names a path, else its
// place on the PATH of the process's own environment, never nixboard's.
func resolve(argv0 string, env []string) (string, error) {
	if strings.Contains(argv0, "/") {
		return argv0, nil
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	p, err := shell.LookPath(argv0, path)
	if err != nil {
		return "", fmt.Errorf("start %s: %w", argv0, err)
	}
	return p, nil
}

// pump hands every line of f to s.Lines.
func (p *Process) pump(f *os.File, s Spec) {
	maxLine := s.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	br := bufio.NewReaderSize(f, 64<<10)
	for {
		line, cut, err := ReadLine(br, maxLine)
		if line != nil && s.Lines != nil {
			s.Lines(Line{At: time.Since(p.start), Text: line, Cut: cut})
		}
		if err != nil {
			return
		}
	}
}

// ReadLine reads one line without its end of line, keeping at most max
// bytes of it (cut says that more was dropped): how a process's output is
// split into Lines. It returns io.EOF (with a last unterminated line, if
// any) at the end.
func ReadLine(br *bufio.Reader, max int) (line []byte, cut bool, err error) {
	total := 0
	for {
		chunk, err := br.ReadSlice('\n')
		total += len(chunk)
		if room := max - len(line); room > 0 {
			line = append(line, chunk[:min(len(chunk), room)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && total == 0 {
			return nil, false, err
		}
		end := 0
		if n := len(chunk); n > 0 && chunk[n-1] == '\n' {
			end = 1
			if n > 1 && chunk[n-2] == '\r' {
				end = 2
			}
		}
		if total-end > max {
			return line, true, err
		}
		if line == nil {
			line = []byte{}
		}
		return eol.Trim(line), false, err
	}
}

// Pid is the process id of the child (for a process of its own group, the
// group's id too).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Started is when the process started; Line.At counts from it.
func (p *Process) Started() time.Time { return p.start }

// Wait waits until the process exited, its output was read and Finish
// returned (and, when it was interrupted, until every process of it that
// the interrupt found is gone), and returns its exit error: nil when it
// exited with status 0, an *exec.ExitError otherwise.
func (p *Process) Wait() error {
	<-p.done
	if p.Interrupted() {
		<-p.stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exitErr
}

// ExitStatus is the exit status once the process exited (128+signal when
// a signal ended it), -1 before.
func (p *Process) ExitStatus() int {
	select {
	case <-p.exited:
	default:
		return -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Interrupted reports whether Interrupt was called.
func (p *Process) Interrupted() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.interrupted
}

// Interrupt stops the process: SIGINT to its group first (an attached
// process: to it alone), so it can stop what it started and clean up,
// then, once it exited or after the grace or at Kill, SIGKILL for whatever
// is left of the group and for every descendant, in the group or not. It
// returns once the process has exited and every process it found is gone.
// Calling it again (or concurrently) waits for the first call and does
// nothing more.
func (p *Process) Interrupt() {
	p.interruptOnce.Do(func() {
		defer close(p.stopped)
		p.mu.Lock()
		p.interrupted = true
		p.mu.Unlock()
		pid := p.cmd.Process.Pid
		var tree []proc
		select {
		case <-p.exited:
			// The leader is gone and its pid may be reused: only the
			// group (which keeps the id while it has members) is left.
		default:
			// Descendants may leave the group (nix's builders call
			// setsid): note every one now, while the leader still is
			// their parent.
			tree = descendants(pid)
			if p.group {
				_ = syscall.Kill(-pid, syscall.SIGINT)
			} else {
				// os.Process signals through a pidfd: never a
				// reused pid.
				_ = p.cmd.Process.Signal(os.Interrupt)
			}
			t := time.NewTimer(p.grace)
			select {
			case <-p.exited:
			case <-p.kill:
			case <-t.C:
			}
			t.Stop()
		}
		if !p.group {
			_ = p.cmd.Process.Kill()
		}
		// Whatever is still in the group (the leader or its children)
		// is killed, and so is any noted descendant that outlived the
		// leader, with the group it leads.
		stopTree(pid, p.group, tree, killWait)
		<-p.exited
	})
}

// Kill stops the process at once: Interrupt without the rest of the grace
// (a second signal, when the person will not wait). It returns when
// Interrupt does.
func (p *Process) Kill() {
	p.killOnce.Do(func() { close(p.kill) })
	p.Interrupt()
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
