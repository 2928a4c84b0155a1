package benchswitch

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(FeederEnv); spec != "" {
		os.Exit(RunFeeder(spec, os.Stdout))
	}
	os.Exit(m.Run())
}

// benchSeconds is how long each benchmark feeds lines:
// BENCHSWITCH_SECONDS, 10 by default.
func benchSeconds(b *testing.B) time.Duration {
	d, err := Seconds(os.Getenv("BENCHSWITCH_SECONDS"), 10*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

func TestLogFoldsCleanly(t *testing.T) {
	s := nixlog.NewState(nixlog.Options{})
	lines := Log(30_000)
	if len(lines) != 30_000 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		s.Feed(l)
	}
	st := s.Stats()
	if st.Malformed != 0 || st.UnknownTypes != 0 || st.Slow != 0 {
		t.Errorf("the synthetic log is not what nix writes: %+v", st)
	}
	h := s.Header()
	if h.BuildsDone < 14 || h.BytesDone == 0 || h.DownloadsDone == 0 {
		t.Errorf("the synthetic log lacks builds or downloads: %+v", h)
	}
}

func TestSourceHandsOutEveryLineThenEOF(t *testing.T) {
	src := NewSource(Log(1000), Rate, 150*time.Millisecond)
	got := 0
	for {
		batch, err := src.Next()
		got += len(batch)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			t.Fatal("an empty batch without EOF")
		}
	}
	if got != 1500 || src.Sent() != 1500 {
		t.Errorf("handed out %d lines (Sent %d), want 1500", got, src.Sent())
	}
}

func TestFeedWritesEveryLine(t *testing.T) {
	var buf bytes.Buffer
	n, err := Feed(&buf, Log(100), Rate, 50*time.Millisecond)
	if err != nil || n != 500 || bytes.Count(buf.Bytes(), []byte{'\n'}) != 500 {
		t.Errorf("Feed wrote %d lines (%d newlines), %v; want 500", n, bytes.Count(buf.Bytes(), []byte{'\n'}), err)
	}
}

// follow is what nixboard does with a run's lines without a screen (plain
// mode): fold every batch into the state, read the plan for the estimate,
// update the estimate at the screen's frame rate and print a progress line
// once a second. It returns when src ends.
func follow(b *testing.B, src nixlog.LineSource, s *nixlog.State) {
	hist, err := eta.OpenHistory(filepath.Join(b.TempDir(), "builds.json"), nil)
	if err != nil {
		b.Fatal(err)
	}
	feed := eta.NewFeed(hist, eta.FeedOptions{})
	done := make(chan error, 1)
	go func() {
		for {
			batch, err := src.Next()
			s.FeedLines(batch)
			feed.Lines(batch)
			if err != nil {
				done <- err
				return
			}
		}
	}()
	frame := time.NewTicker(time.Second / 15)
	defer frame.Stop()
	second := time.NewTicker(time.Second)
	defer second.Stop()
	for {
		select {
		case err := <-done:
			if !errors.Is(err, io.EOF) {
				b.Fatal(err)
			}
			feed.Finish(s)
			return
		case <-frame.C:
			feed.Update(s)
		case <-second.C:
			io.WriteString(io.Discard, nixlog.StripANSI(nixlog.ProgressLine(s.Header()))+" "+feed.Estimate().String())
		}
	}
}

// report adds the figures every benchmark here reports.
func report(b *testing.B, cpu, wall time.Duration, lines int64) {
	b.ReportMetric(Share(cpu, wall), "%cpu")
	b.ReportMetric(float64(lines)/wall.Seconds(), "lines/s")
	b.ReportMetric(cpu.Seconds()*1e9/float64(max(lines, 1)), "cpu-ns/line")
	b.Logf("%d lines in %v: %v CPU, %.2f%% of one core (GOMAXPROCS %d)", lines, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), Share(cpu, wall), runtime.GOMAXPROCS(0))
}

// BenchmarkStateAt10kLines: lines made in memory, paced at 10,000 a second
// into a State, with the estimate and a progress line: the cost of the
// reading path without the pipe.
func BenchmarkStateAt10kLines(b *testing.B) {
	dur := benchSeconds(b)
	lines := Log(200_000)
	for range b.N {
		s := nixlog.NewState(nixlog.Options{})
		src := NewSource(lines, Rate, dur)
		w, err := StartWindow()
		if err != nil {
			b.Fatal(err)
		}
		follow(b, src, s)
		cpu, wall, err := w.Stop()
		if err != nil {
			b.Fatal(err)
		}
		if got := s.Stats().Lines; got != int64(src.Sent()) {
			b.Fatalf("the state folded %d of %d lines", got, src.Sent())
		}
		report(b, cpu, wall, s.Stats().Lines)
	}
}

// BenchmarkLiveRunAt10kLines: a child process (this test binary as a
// feeder) prints 10,000 lines a second; nixrun.Start reads its pipe,
// saves the full log with time markers and hands the lines to the same
// plain follow. Only nixboard's side (this process) is measured; the
// child's CPU is its own.
func BenchmarkLiveRunAt10kLines(b *testing.B) {
	dur := benchSeconds(b)
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		dir := b.TempDir()
		plan := nixrun.Plan{
			Argv:   []string{exe},
			Env:    []string{FeederEnv + "=" + FeederSpec(Rate, dur)},
			Dir:    dir,
			LogDir: filepath.Join(dir, "logs"),
		}
		s := nixlog.NewState(nixlog.Options{})
		w, err := StartWindow()
		if err != nil {
			b.Fatal(err)
		}
		run, err := nixrun.Start(context.Background(), plan)
		if err != nil {
			b.Fatal(err)
		}
		follow(b, run, s)
		if err := run.Wait(); err != nil {
			b.Fatalf("feeder: %v", err)
		}
		cpu, wall, err := w.Stop()
		if err != nil {
			b.Fatal(err)
		}
		if want := int64(due(dur, Rate)); s.Stats().Lines < want {
			b.Fatalf("the state folded %d of %d lines", s.Stats().Lines, want)
		}
		report(b, cpu, wall, s.Stats().Lines)
	}
}

// BenchmarkReplayPlainPipe: `nixboard replay --plain --speed max
// /dev/stdin` reads the log from a pipe this benchmark writes 10,000 lines
// a second into; the figures are the nixboard process's own rusage.
func BenchmarkReplayPlainPipe(b *testing.B) {
	dur := benchSeconds(b)
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Fatal("go is needed to build nixboard: ", err)
	}
	bin := filepath.Join(b.TempDir(), "nixboard")
	build := exec.Command(goTool, "build", "-o", bin, "github.com/nixboard/nixboard/cmd/nixboard")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	lines := Log(200_000)
	for range b.N {
		cmd := exec.Command(bin, "replay", "--plain", "--speed", "max", "/dev/stdin")
		cmd.Env = []string{"HOME=" + b.TempDir(), "PATH=/usr/bin:/bin"}
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		n, ferr := Feed(stdin, lines, Rate, dur)
		stdin.Close()
		werr := cmd.Wait()
		wall := time.Since(start)
		if ferr != nil {
			b.Fatal(ferr)
		}
		// The log ends mid-run (no exit marker), so the replay judges it
		// unfinished and exits 1; any other status is a failure.
		var exit *exec.ExitError
		if werr != nil && (!errors.As(werr, &exit) || exit.ExitCode() != 1) {
			b.Fatalf("replay: %v\n%s", werr, out.String())
		}
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			b.Fatal("no rusage for the replay")
		}
		if !strings.Contains(out.String(), "built ") && !strings.Contains(out.String(), "switch") {
			b.Fatalf("the replay printed no result:\n%s", out.String())
		}
		report(b, RusageCPU(ru), wall, int64(n))
		b.Logf("replay's last lines: %s", lastLines(out.String(), 2))
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], " | ")
}
