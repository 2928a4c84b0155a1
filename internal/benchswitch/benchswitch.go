// Package benchswitch measures what following a switch costs nixboard:
// it makes a realistic internal-json log, hands it out at a fixed rate of
// lines a second (as a nixlog.LineSource, or written to a pipe by a
// feeder process), and reads the process's CPU time (getrusage), so the
// benchmarks can report CPU time per wall second while nixboard reads
// 10,000 lines a second. Issue 14 asks that such a switch cost nixboard
// no more than a small share of one core.
package benchswitch

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nixboard/nixboard/nixlog"
)

// Rate is the pace issue 14 names: a switch printing 10,000 lines a
// second.
const Rate = 10000

// Tick is how often the paced source and the feeder hand out the lines
// that are due: a build's output arrives in bursts like this through a
// pipe too.
const Tick = 10 * time.Millisecond

// Log returns n lines of a synthetic `home-manager switch --log-format
// internal-json -v` log, without newlines: mostly build log lines, with
// the builds activity's progress, phases, warnings, and now and then a
// store path download with its byte progress, the mix of a large switch.
// Each build prints about 2,000 lines, so at Rate five builds finish a
// second. The log never ends its outer activities: it can be repeated.
func Log(n int) [][]byte {
	lines := make([][]byte, 0, n)
	emit := func(format string, a ...any) { lines = append(lines, fmt.Appendf(nil, format, a...)) }
	const base = uint64(34853659607040)
	emit(`@nix {"action":"start","id":%d,"level":0,"parent":0,"text":"","type":102}`, base)
	emit(`@nix {"action":"start","id":%d,"level":0,"parent":0,"text":"","type":104}`, base+1)
	emit(`@nix {"action":"start","id":%d,"level":0,"parent":0,"text":"","type":103}`, base+2)
	emit(`@nix {"action":"result","fields":[101,%d],"id":%d,"type":106}`, int64(n)*4096, base)
	id := base + 3
	for build := 0; len(lines) < n; build++ {
		b := id
		id++
		drv := fmt.Sprintf("/nix/store/%032d-pkg%d-1.%d.drv", b, build%50, build)
		emit(`@nix {"action":"start","fields":["%s","",1,1],"id":%d,"level":3,"parent":0,"text":"building '%s'","type":105}`, drv, b, drv)
		emit(`@nix {"action":"result","fields":["buildPhase"],"id":%d,"type":104}`, b)
		for k := 0; k < 2000 && len(lines) < n; k++ {
			switch {
			case k%100 == 99:
				emit(`@nix {"action":"result","fields":[%d,%d,1,0],"id":%d,"type":105}`, build, n/2000+1, base+1)
			case k%250 == 7:
				emit(`@nix {"action":"msg","level":1,"msg":"\u001b[35;1mwarning:\u001b[0m something %d happened"}`, k)
			case k%500 == 100:
				// A download with byte progress, as a copyPath and its
				// fileTransfer.
				c, t := id, id+1
				id += 2
				emit(`@nix {"action":"start","fields":["/nix/store/%032d-dep","https://cache.nixos.org","local"],"id":%d,"level":3,"parent":0,"text":"copying path","type":100}`, c, c)
				emit(`@nix {"action":"start","fields":["https://cache.nixos.org/nar/%d.nar.xz"],"id":%d,"level":4,"parent":%d,"text":"downloading","type":101}`, t, t, c)
				for p := 1; p <= 10; p++ {
					emit(`@nix {"action":"result","fields":[%d,40960,0,0],"id":%d,"type":105}`, p*4096, t)
				}
				emit(`@nix {"action":"stop","id":%d}`, t)
				emit(`@nix {"action":"stop","id":%d}`, c)
			case k%100 == 3:
				emit(`@nix {"action":"result","fields":["gcc -O2 -c \"src/file%d.c\" -o obj/file%d.o\t\u001b[32mOK\u001b[0m"],"id":%d,"type":101}`, k, k, b)
			default:
				emit(`@nix {"action":"result","fields":["  CC       src/module/file%d.o   -Wall -Wextra -O2 -fPIC -DNDEBUG"],"id":%d,"type":101}`, k, b)
			}
		}
		emit(`@nix {"action":"stop","id":%d}`, b)
	}
	return lines[:n]
}

// due is how many lines are due elapsed into a paced run.
func due(elapsed time.Duration, rate int) int {
	return int(elapsed.Nanoseconds() * int64(rate) / int64(time.Second))
}

// Source hands out lines at rate lines a second for dur, in a batch each
// Tick, then io.EOF. It stands for a live run's reader: the lines are
// made beforehand, so what it costs is the batching, not the making.
type Source struct {
	lines []([]byte)
	rate  int
	dur   time.Duration
	start time.Time
	sent  int
	tick  *time.Ticker
	batch []nixlog.RawLine
}

// NewSource paces lines (repeated as needed) at rate for dur.
func NewSource(lines [][]byte, rate int, dur time.Duration) *Source {
	return &Source{lines: lines, rate: rate, dur: dur}
}

// Next waits for the next tick and returns the lines due by then.
func (s *Source) Next() ([]nixlog.RawLine, error) {
	if s.tick == nil {
		s.start = time.Now()
		s.tick = time.NewTicker(Tick)
	}
	total := due(s.dur, s.rate)
	for {
		if s.sent >= total {
			s.tick.Stop()
			return nil, io.EOF
		}
		<-s.tick.C
		elapsed := time.Since(s.start)
		n := min(due(elapsed, s.rate), total) - s.sent
		if n <= 0 {
			continue
		}
		s.batch = s.batch[:0]
		for range n {
			s.batch = append(s.batch, nixlog.RawLine{At: elapsed, Text: s.lines[s.sent%len(s.lines)]})
			s.sent++
		}
		return s.batch, nil
	}
}

// Sent is how many lines the source handed out.
func (s *Source) Sent() int { return s.sent }

// Feed writes lines (repeated as needed, each with a newline) to w at rate
// lines a second for dur, in one write each Tick, and returns how many it
// wrote. A feeder process runs it with its stdout as w.
func Feed(w io.Writer, lines [][]byte, rate int, dur time.Duration) (int, error) {
	start := time.Now()
	tick := time.NewTicker(Tick)
	defer tick.Stop()
	total := due(dur, rate)
	sent := 0
	var buf []byte
	for sent < total {
		<-tick.C
		n := min(due(time.Since(start), rate), total) - sent
		buf = buf[:0]
		for range n {
			buf = append(buf, lines[sent%len(lines)]...)
			buf = append(buf, '\n')
			sent++
		}
		if _, err := w.Write(buf); err != nil {
			return sent, fmt.Errorf("feed: %w", err)
		}
	}
	return sent, nil
}

// CPU is the user and system CPU time this process used so far.
func CPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, fmt.Errorf("getrusage: %w", err)
	}
	return RusageCPU(&ru), nil
}

// RusageCPU is the user plus system time of a rusage (a child's, from
// os.ProcessState.SysUsage, too).
func RusageCPU(ru *syscall.Rusage) time.Duration {
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Share is CPU time per wall second as a percentage of one core.
func Share(cpu, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return 100 * cpu.Seconds() / wall.Seconds()
}

// Window measures the CPU time this process uses over a stretch of wall
// time: Start it, then Stop.
type Window struct {
	cpu  time.Duration
	wall time.Time
}

// StartWindow begins a measurement.
func StartWindow() (Window, error) {
	c, err := CPU()
	return Window{cpu: c, wall: time.Now()}, err
}

// Stop returns the CPU time and the wall time since StartWindow.
func (w Window) Stop() (cpu, wall time.Duration, err error) {
	c, err := CPU()
	return c - w.cpu, time.Since(w.wall), err
}

// Seconds reads a duration in seconds from a benchmark's environment
// variable value, def when it is empty.
func Seconds(v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("seconds %q: want a positive number", v)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// FeederEnv is the variable that makes a benchmark's test binary a
// feeder: its TestMain hands the value to RunFeeder instead of running
// the tests, so a benchmark can run itself as the child that prints a
// switch's lines.
const FeederEnv = "BENCHSWITCH_FEED"

// FeederSpec is the value of FeederEnv for rate lines a second for dur.
func FeederSpec(rate int, dur time.Duration) string {
	return strconv.Itoa(rate) + ":" + strconv.FormatFloat(dur.Seconds(), 'f', -1, 64)
}

// RunFeeder writes the synthetic log to w as spec (FeederSpec) says and
// returns the exit status of the feeder.
func RunFeeder(spec string, w io.Writer) int {
	r, s, _ := strings.Cut(spec, ":")
	rate, err := strconv.Atoi(r)
	if err != nil || rate <= 0 {
		fmt.Fprintf(os.Stderr, "feeder: bad rate in %q\n", spec)
		return 2
	}
	dur, err := Seconds(s, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "feeder: %v\n", err)
		return 2
	}
	if _, err := Feed(w, Log(200_000), rate, dur); err != nil {
		fmt.Fprintf(os.Stderr, "feeder: %v\n", err)
		return 1
	}
	return 0
}
