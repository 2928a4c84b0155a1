package switchbench

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/benchswitch"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/switchview"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(benchswitch.FeederEnv); spec != "" {
		os.Exit(benchswitch.RunFeeder(spec, os.Stdout))
	}
	os.Exit(m.Run())
}

// BenchmarkScreenAt10kLines runs the real switch screen (a Bubble Tea
// program drawing to io.Discard at its frame rate) on a live run whose
// child, this test binary as a feeder, prints 10,000 lines a second. It
// measures this process's CPU time from the start until the state holds
// every line, BENCHSWITCH_SECONDS (10) of feeding.
func BenchmarkScreenAt10kLines(b *testing.B) {
	dur, err := benchswitch.Seconds(os.Getenv("BENCHSWITCH_SECONDS"), 10*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	want := int64(dur.Nanoseconds() * benchswitch.Rate / int64(time.Second))
	for range b.N {
		dir := b.TempDir()
		plan := nixrun.Plan{
			Argv:   []string{exe},
			Env:    []string{benchswitch.FeederEnv + "=" + benchswitch.FeederSpec(benchswitch.Rate, dur)},
			Dir:    dir,
			LogDir: filepath.Join(dir, "logs"),
		}
		ctx, cancel := context.WithCancel(context.Background())
		state := nixlog.NewState(nixlog.Options{})
		w, err := benchswitch.StartWindow()
		if err != nil {
			b.Fatal(err)
		}
		run, err := nixrun.Start(ctx, plan)
		if err != nil {
			b.Fatal(err)
		}
		in, inW := io.Pipe()
		screen := make(chan error, 1)
		go func() {
			_, err := switchview.Run(ctx, switchview.Options{
				Config: switchview.Config{Source: run, Run: run, State: state, Title: "bench"},
				In:     in, Out: io.Discard, NoColor: true,
			})
			screen <- err
		}()
		if err := run.Wait(); err != nil {
			b.Fatalf("feeder: %v", err)
		}
		// The screen folds what the child printed shortly after it
		// exited; the poll has a generous deadline and a condition.
		deadline := time.Now().Add(time.Minute)
		for state.Stats().Lines < want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		cpu, wall, err := w.Stop()
		if err != nil {
			b.Fatal(err)
		}
		lines := state.Stats().Lines
		cancel()
		inW.Close()
		if err := <-screen; err != nil && !errors.Is(err, switchview.ErrInterrupted) {
			b.Fatalf("screen: %v", err)
		}
		if lines < want {
			b.Fatalf("the screen folded %d of %d lines", lines, want)
		}
		b.ReportMetric(benchswitch.Share(cpu, wall), "%cpu")
		b.ReportMetric(float64(lines)/wall.Seconds(), "lines/s")
		b.ReportMetric(cpu.Seconds()*1e9/float64(lines), "cpu-ns/line")
		b.Logf("%d lines in %v: %v CPU, %.2f%% of one core", lines, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), benchswitch.Share(cpu, wall))
	}
}
