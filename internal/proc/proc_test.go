package proc

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fifo is a fifo that nothing writes to: a shell that reads it waits in
// a builtin, so a signal reaches its trap at once.
func fifo(t *testing.T) string {
	t.Helper()
	path := t.TempDir() + "/fifo"
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// collect is a Lines callback that keeps every line, and signals on seen
// once a line with the given prefix arrived.
type collect struct {
	mu     sync.Mutex
	lines  []string
	prefix string
	seen   chan string
	once   sync.Once
}

func newCollect(prefix string) *collect {
	return &collect{prefix: prefix, seen: make(chan string, 1)}
}

func (c *collect) line(l Line) {
	c.mu.Lock()
	c.lines = append(c.lines, string(l.Text))
	c.mu.Unlock()
	if c.prefix != "" && strings.HasPrefix(string(l.Text), c.prefix) {
		c.once.Do(func() { c.seen <- string(l.Text) })
	}
}

func (c *collect) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.lines)
}

// TestIgnoredInterruptIsKilledAfterTheGrace: a child that ignores SIGINT
// gets it, lives through the grace, and is then killed; Wait returns
// after that, with the status of a SIGKILL.
func TestIgnoredInterruptIsKilledAfterTheGrace(t *testing.T) {
	t.Parallel()
	c := newCollect("ready")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const grace = 300 * time.Millisecond
	p, err := Start(ctx, Spec{
		Argv:  []string{"/bin/sh", "-c", `trap 'echo got INT' INT; echo ready; while :; do read x < "$0"; done`, fifo(t)},
		Env:   []string{"PATH=/usr/bin:/bin"},
		Grace: grace,
		Lines: c.line,
	})
	if err != nil {
		t.Fatal(err)
	}
	<-c.seen
	stopAt := time.Now()
	cancel()
	if err := p.Wait(); err == nil {
		t.Fatal("a killed process exited 0")
	}
	if took := time.Since(stopAt); took < grace {
		t.Errorf("killed %v after the interrupt, before the grace of %v", took, grace)
	}
	if got := p.ExitStatus(); got != 128+int(syscall.SIGKILL) {
		t.Errorf("exit status %d, want %d (killed)", got, 128+int(syscall.SIGKILL))
	}
	if !p.Interrupted() {
		t.Error("Interrupted is false after the context ended")
	}
	if !slices.Contains(c.all(), "got INT") {
		t.Errorf("SIGINT never reached the process: %q", c.all())
	}
	if _, ok := procStat(p.Pid()); ok {
		t.Errorf("process %d is still alive", p.Pid())
	}
}

// TestInterruptedProcessThatStopsIsNotKilled: a process that ends on
// SIGINT ends with it, before the grace is over.
func TestInterruptedProcessThatStopsIsNotKilled(t *testing.T) {
	t.Parallel()
	c := newCollect("ready")
	p, err := Start(context.Background(), Spec{
		Argv:  []string{"/bin/sh", "-c", `trap 'echo cleaning up; exit 3' INT; echo ready; while :; do read x < "$0"; done`, fifo(t)},
		Grace: time.Hour,
		Lines: c.line,
	})
	if err != nil {
		t.Fatal(err)
	}
	<-c.seen
	p.Interrupt()
	p.Wait()
	if got := p.ExitStatus(); got != 3 {
		t.Errorf("exit status %d, want 3 (its own, on SIGINT)", got)
	}
	if got := c.all(); !slices.Contains(got, "cleaning up") {
		t.Errorf("lines %q lack its clean-up", got)
	}
}

// TestLinesArriveInOrder: stdout and stderr lines arrive in the order
// they were written, each whole, and a line longer than MaxLine is cut.
func TestLinesArriveInOrder(t *testing.T) {
	t.Parallel()
	var script strings.Builder
	var want []string
	for i := range 200 {
		if i%2 == 0 {
			fmt.Fprintf(&script, "echo out %d; ", i)
			want = append(want, fmt.Sprintf("out %d", i))
		} else {
			fmt.Fprintf(&script, "echo err %d >&2; ", i)
			want = append(want, fmt.Sprintf("err %d", i))
		}
	}
	script.WriteString(`printf 'a line longer than twenty bytes\r\n'; printf 'no end'`)
	want = append(want, "a line longer than t", "no end")
	var got []string
	var cut []bool
	p, err := Start(context.Background(), Spec{
		Argv:    []string{"/bin/sh", "-c", script.String()},
		MaxLine: 20,
		Lines: func(l Line) {
			got = append(got, string(l.Text))
			cut = append(cut, l.Cut)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("lines:\n%q\nwant:\n%q", got, want)
	}
	for i, c := range cut {
		if c != (got[i] == "a line longer than t") {
			t.Errorf("line %q: cut = %v", got[i], c)
		}
	}
}

// TestEnvIsExactlyTheGivenOne: the process gets the given environment and
// nothing of the test's; nil is an empty one; a bare command name is
// looked up on the given PATH only.
func TestEnvIsExactlyTheGivenOne(t *testing.T) {
	t.Setenv("NIXBOARD_PROC_LEAK", "leaked")
	run := func(env []string, argv ...string) []string {
		t.Helper()
		c := newCollect("")
		p, err := Start(context.Background(), Spec{Argv: argv, Env: env, Lines: c.line})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Wait(); err != nil {
			t.Fatal(err)
		}
		return c.all()
	}
	env := []string{"PATH=/usr/bin:/bin", "A=1", "B=two words"}
	got := run(env, "env")
	slices.Sort(got)
	if want := slices.Sorted(slices.Values(env)); !slices.Equal(got, want) {
		t.Errorf("environment %q, want exactly %q", got, want)
	}
	if got := run(nil, "/usr/bin/env"); len(got) != 0 {
		t.Errorf("nil environment gave %q, want none", got)
	}
	if _, err := Start(context.Background(), Spec{Argv: []string{"env"}, Env: []string{"PATH=" + t.TempDir()}}); !errors.Is(err, exec.ErrNotFound) && (err == nil || !strings.Contains(err.Error(), "not found")) {
		t.Errorf("env found outside the given PATH: %v", err)
	}
}

// TestCancelledContextStartsNothing: a context that ended already starts
// no process, and says why.
func TestCancelledContextStartsNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancelCause(context.Background())
	cause := errors.New("stopped by SIGTERM")
	cancel(cause)
	p, err := Start(ctx, Spec{Argv: []string{"/bin/sh", "-c", `echo ran > "$0"`, dir + "/ran"}})
	if p != nil || !errors.Is(err, cause) {
		t.Fatalf("Start after cancel = %v, %v; want nothing, %v", p, err, cause)
	}
	if _, err := exec.Command("/bin/test", "-e", dir+"/ran").Output(); err == nil {
		t.Error("the command ran")
	}
}

// TestSetCloseStopsEveryProcess: Close interrupts what a Set holds and
// returns once all of it is over; a closed Set starts nothing; Kill ends
// a process that ignores SIGINT without its grace.
func TestSetCloseStopsEveryProcess(t *testing.T) {
	t.Parallel()
	set := NewSet()
	ctx := WithSet(context.Background(), set)
	var ps []*Process
	finished := make(chan int, 2)
	for i := range 2 {
		c := newCollect("ready")
		p, err := Start(ctx, Spec{
			Argv:   []string{"/bin/sh", "-c", `echo ready; while :; do sleep 1; done`},
			Lines:  c.line,
			Finish: func(int) { finished <- i },
		})
		if err != nil {
			t.Fatal(err)
		}
		<-c.seen
		ps = append(ps, p)
	}
	set.Close()
	if len(finished) != 2 {
		t.Errorf("Close returned before both processes finished (%d did)", len(finished))
	}
	for _, p := range ps {
		if !p.Interrupted() || p.ExitStatus() < 0 {
			t.Errorf("process %d: interrupted %v, status %d", p.Pid(), p.Interrupted(), p.ExitStatus())
		}
	}
	if _, err := Start(ctx, Spec{Argv: []string{"/bin/true"}}); !errors.Is(err, ErrStopping) {
		t.Errorf("Start after Close: %v, want ErrStopping", err)
	}

	killSet := NewSet()
	c := newCollect("ready")
	p, err := Start(WithSet(context.Background(), killSet), Spec{
		Argv:  []string{"/bin/sh", "-c", `trap '' INT; echo ready; while :; do sleep 1; done`},
		Grace: time.Hour,
		Lines: c.line,
	})
	if err != nil {
		t.Fatal(err)
	}
	<-c.seen
	killSet.Kill()
	killSet.Close()
	if got := p.ExitStatus(); got != 128+int(syscall.SIGKILL) {
		t.Errorf("exit status %d after Kill, want %d", got, 128+int(syscall.SIGKILL))
	}
}

// TestAttachedProcessStopsByTheSameRule: a process attached to the
// caller's streams stays in the caller's process group, gets SIGINT alone
// (not the caller's group, which is the test's), and is killed with its
// descendants after the grace.
func TestAttachedProcessStopsByTheSameRule(t *testing.T) {
	t.Parallel()
	out := &lineWriter{ready: make(chan string, 1)}
	p, err := Start(context.Background(), Spec{
		Argv:     []string{"/bin/sh", "-c", `trap 'echo got INT' INT; sleep 60 & echo "ready $!"; while :; do read x < "$0"; done`, fifo(t)},
		Grace:    200 * time.Millisecond,
		Terminal: &Terminal{Out: out, Err: out},
	})
	if err != nil {
		t.Fatal(err)
	}
	child, _ := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(<-out.ready), "ready "))
	info, ok := procStat(p.Pid())
	if !ok || info.pgrp != syscall.Getpgrp() {
		t.Fatalf("the attached process is in group %d, not the test's %d", info.pgrp, syscall.Getpgrp())
	}
	sleeper, ok := procStat(child)
	if !ok {
		t.Fatalf("its child %d is gone already", child)
	}
	p.Interrupt()
	if err := p.Wait(); err == nil {
		t.Error("a killed process exited 0")
	}
	if cur, ok := procStat(child); ok && cur.start == sleeper.start {
		t.Errorf("its child %d survived", child)
	}
	if !strings.Contains(out.String(), "got INT") {
		t.Errorf("SIGINT never reached it: %q", out.String())
	}
}

// lineWriter keeps what is written and sends its first line on ready.
type lineWriter struct {
	mu    sync.Mutex
	b     strings.Builder
	ready chan string
	once  sync.Once
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if s := w.b.String(); strings.Contains(s, "\n") {
		w.once.Do(func() { w.ready <- s[:strings.IndexByte(s, '\n')] })
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
