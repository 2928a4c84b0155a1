package detect_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/detect/detecttest"
)

// recorder is a machine that records every command run on it and can make
// each one take a while, as a slow machine would.
type recorder struct {
	detect.Machine
	delay time.Duration

	mu   sync.Mutex
	runs map[string]int // command line -> times run
}

func (r *recorder) Run(ctx context.Context, name string, args ...string) (detect.Output, error) {
	r.mu.Lock()
	if r.runs == nil {
		r.runs = map[string]int{}
	}
	r.runs[strings.Join(append([]string{name}, args...), " ")]++
	r.mu.Unlock()
	if r.delay > 0 {
		select {
		case <-time.After(r.delay):
		case <-ctx.Done():
		}
	}
	return r.Machine.Run(ctx, name, args...)
}

// TestEachCommandRunsOnce checks that detection never asks the same question
// twice: every command line runs at most once, on demo machines and on
// fixtures whose stubs are real processes.
func TestEachCommandRunsOnce(t *testing.T) {
	machines := map[string]detect.Machine{}
	for _, name := range detect.DemoNames() {
		m, err := detect.Demo(name)
		if err != nil {
			t.Fatal(err)
		}
		machines["demo "+name] = m
	}
	for _, name := range []string{"wsl2-ubuntu-systemd", "flakes-off", "nix-not-on-path", "darwin-arm64"} {
		m, err := detect.FromEnv(detecttest.Getenv(detecttest.Env(t, name)))
		if err != nil {
			t.Fatal(err)
		}
		machines["fixture "+name] = m
	}
	for name, m := range machines {
		rec := &recorder{Machine: m}
		detect.Run(context.Background(), rec, detect.Options{})
		if len(rec.runs) == 0 {
			t.Errorf("%s: no command ran", name)
		}
		for cmd, n := range rec.runs {
			if n > 1 {
				t.Errorf("%s: %q ran %d times", name, cmd, n)
			}
		}
	}
}

// TestProbesRunConcurrently runs detection on a machine where every command
// takes a while: the probes run side by side, so detection takes about as
// long as its longest chain of dependent commands (the feature question and
// its retry with nix-command switched on), not the sum of them all.
func TestProbesRunConcurrently(t *testing.T) {
	const delay = 200 * time.Millisecond
	m, err := detect.Demo("wsl-ubuntu") // flakes off: the feature question is retried.
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{Machine: m, delay: delay}
	start := time.Now()
	r := detect.Run(context.Background(), rec, detect.Options{})
	elapsed := time.Since(start)
	if len(rec.runs) < 6 {
		t.Fatalf("only %d commands ran: %v", len(rec.runs), rec.runs)
	}
	if limit := 3 * delay; elapsed > limit {
		t.Errorf("%d commands of %s each took %s, want under %s (the longest chain is two commands)", len(rec.runs), delay, elapsed, limit)
	}
	if r.Nix.Version == nil || r.Git.Email == "" || r.Disk.FreeBytes == nil {
		t.Errorf("slow commands were not waited for: nix %+v, git %+v, disk %+v", r.Nix, r.Git, r.Disk)
	}
}
