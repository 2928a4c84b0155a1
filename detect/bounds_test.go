package detect_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/detect"
)

// generous is a probe timeout no test here reaches: a command that prints
// without end must be stopped by what it printed, long before it.
const generous = 2 * time.Minute

// floodMachine is a machine whose nix is script, on PATH as /bin/nix.
func floodMachine(t *testing.T, script string) detect.Machine {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"bin", "home/erin", "etc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "bin/nix"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NIXBOARD_ROOT": root, "PATH": "/bin:/usr/bin", "HOME": "/home/erin", "USER": "erin",
		"NIXBOARD_GOOS": "linux", "NIXBOARD_GOARCH": "amd64"}
	m, err := detect.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// floods are fake nix commands that print without end, each in its own way.
var floods = map[string]string{
	"yes on stdout": `exec yes "nix (Nix) 2.26.3"`,
	"yes on stderr": `exec yes "error: something" >&2`,
	// A shell that ignores SIGPIPE goes on after its reader has gone:
	// only killing it ends it.
	"a loop ignoring SIGPIPE": `trap '' PIPE; while :; do echo "nix (Nix) 2.26.3 and on and on"; done`,
	"a child printing":        `yes nix | cat; sleep 600`,
}

// allocated runs f and returns how many bytes the process allocated
// meanwhile. The tests that use it are not parallel, so the count is f's.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestRunStopsAtMaxOutput: a command that prints without end is stopped
// once it has printed MaxOutput bytes on a stream, with ErrOutputLimit,
// long before its deadline; Run keeps no more than that.
func TestRunStopsAtMaxOutput(t *testing.T) {
	for name, script := range floods {
		t.Run(name, func(t *testing.T) {
			m := floodMachine(t, script)
			ctx, cancel := context.WithTimeout(context.Background(), generous)
			defer cancel()
			var out detect.Output
			var err error
			bytes := allocated(func() { out, err = m.Run(ctx, "nix", "--version") })
			if !errors.Is(err, detect.ErrOutputLimit) {
				t.Fatalf("err = %v, want ErrOutputLimit", err)
			}
			if ctx.Err() != nil {
				t.Errorf("Run ended with its deadline (%v), not at the output limit", ctx.Err())
			}
			if len(out.Stdout) > detect.MaxOutput || len(out.Stderr) > detect.MaxOutput {
				t.Errorf("Run kept %d bytes of stdout and %d of stderr, more than MaxOutput %d", len(out.Stdout), len(out.Stderr), detect.MaxOutput)
			}
			if len(out.Stdout) != detect.MaxOutput && len(out.Stderr) != detect.MaxOutput {
				t.Errorf("Run kept %d and %d bytes: the stream that overflowed should hold MaxOutput", len(out.Stdout), len(out.Stderr))
			}
			// What Run allocates is its two buffers and the command's
			// bookkeeping, not what the command printed.
			if bytes > 16*detect.MaxOutput {
				t.Errorf("Run allocated %d bytes for a command stopped at %d", bytes, detect.MaxOutput)
			}
		})
	}
}

// TestDoctorWithEndlessNix: doctor's probes of a nix that prints without
// end finish at the output limit (not at the probe timeout), read a
// bounded amount, and say what happened.
func TestDoctorWithEndlessNix(t *testing.T) {
	m := floodMachine(t, floods["yes on stdout"])
	var r detect.Report
	bytes := allocated(func() { r = detect.Run(context.Background(), m, detect.Options{Timeout: generous}) })
	c := find(r, "nix.version")
	if c.Status != warn || !strings.Contains(c.Message, "printed more than 64 KiB") {
		t.Errorf("nix.version = %+v, want a warning that nix printed too much", c)
	}
	if strings.Contains(c.Message, "did not answer in time") {
		t.Errorf("nix.version timed out: %s", c.Message)
	}
	// Detection asks nix at most a handful of questions, each read up to
	// MaxOutput on two streams; everything else it does is small.
	if limit := uint64(64 * detect.MaxOutput); bytes > limit {
		t.Errorf("detection allocated %d bytes with an endless nix, want under %d", bytes, limit)
	}
}
