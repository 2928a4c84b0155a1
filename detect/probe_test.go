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

	mu      sync.Mutex
	runs    map[string]int // command line -> times run
	running int            // commands running now
	most    int            // the most commands that ran at once
}

func (r *recorder) Run(ctx context.Context, name string, args ...string) (detect.Output, error) {
	r.mu.Lock()
	if r.runs == nil {
		r.runs = map[string]int{}
	}
	r.runs[strings.Join(append([]string{name}, args...), " ")]++
	r.running++
	r.most = max(r.most, r.running)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running--
		r.mu.Unlock()
	}()
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
// takes a while and counts how many run at once: the probes that do not
// depend on each other start side by side, so several are running together.
// (It counts overlap rather than timing the whole run, which a busy machine
// would make flaky; BenchmarkRunHost measures the speed.)
func TestProbesRunConcurrently(t *testing.T) {
	m, err := detect.Demo("wsl-ubuntu") // flakes off: the feature question is retried.
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{Machine: m, delay: 300 * time.Millisecond}
	r := detect.Run(context.Background(), rec, detect.Options{})
	if len(rec.runs) < 6 {
		t.Fatalf("only %d commands ran: %v", len(rec.runs), rec.runs)
	}
	if rec.most < 4 {
		t.Errorf("at most %d of %d commands ran at once; the independent probes should run side by side", rec.most, len(rec.runs))
	}
	if r.Nix.Version == nil || r.Git.Email == "" || r.Disk.FreeBytes == nil {
		t.Errorf("slow commands were not waited for: nix %+v, git %+v, disk %+v", r.Nix, r.Git, r.Disk)
	}
}
