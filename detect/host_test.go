package detect_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/detect/detecttest"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// TestRealNix detects the nix installed on this machine, with flakes on and
// off through NIX_CONFIG, and checks that detection wrote nothing, not even
// under HOME or TMPDIR.
func TestRealNix(t *testing.T) {
	nixPath := nixtest.Require(t)
	out, err := exec.Command(nixPath, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(out))
	wantVersion := fields[len(fields)-1]
	determinate := strings.Contains(string(out), "Determinate")

	home, tmp := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("XDG_STATE_HOME", "")

	for _, tc := range []struct {
		name, config string
		flakes       bool
	}{
		{"flakes on", nixtest.OfflineConfig, true},
		{"flakes off", "experimental-features =\n", determinate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NIX_CONFIG", tc.config)
			r := detect.Run(context.Background(), detect.Host(), detect.Options{})
			n := r.Nix
			if !n.Installed || !n.OnPath || n.Path == nil || *n.Path != nixPath {
				t.Fatalf("nix = %+v, want installed on PATH at %s", n, nixPath)
			}
			if n.Version == nil || *n.Version != wantVersion {
				t.Errorf("version = %v, want %s", n.Version, wantVersion)
			}
			if n.Flakes == nil || *n.Flakes != tc.flakes || n.NixCommand == nil || *n.NixCommand != tc.flakes {
				t.Errorf("flakes = %v, nix-command = %v, want %v", deref(n.Flakes), deref(n.NixCommand), tc.flakes)
			}
			c := find(r, "nix.flakes")
			if want := map[bool]detect.Status{true: detect.StatusOK, false: detect.StatusWarn}[tc.flakes]; c.Status != want || !strings.Contains(c.Message, "as nix reports") && !determinate {
				t.Errorf("nix.flakes = %+v", c)
			}
		})
	}
	for _, dir := range []string{home, tmp} {
		if es, _ := os.ReadDir(dir); len(es) > 0 {
			t.Errorf("detection wrote into %s: %v", dir, es)
		}
	}
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

// TestHostIsBounded runs detection on this machine and checks that it
// returns within the bound its design promises (every probe has its own
// timeout, and the probes that depend on another run after it), so a slow
// machine can never hang doctor. Its speed is measured by BenchmarkRunHost,
// not here.
func TestHostIsBounded(t *testing.T) {
	start := time.Now()
	r := detect.Run(context.Background(), detect.Host(), detect.Options{})
	if d := time.Since(start); d > 2*detect.DefaultTimeout+time.Second {
		t.Errorf("detection on this machine took %s", d)
	}
	if r.Platform.System == "" || len(r.Checks) == 0 {
		t.Errorf("empty report: %+v", r)
	}
}

func BenchmarkRunHost(b *testing.B) {
	m := detect.Host()
	for b.Loop() {
		detect.Run(context.Background(), m, detect.Options{})
	}
}

func BenchmarkRunFixture(b *testing.B) {
	m, err := detect.FromEnv(detecttest.Getenv(detecttest.Env(b, "wsl2-ubuntu-systemd")))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		detect.Run(context.Background(), m, detect.Options{})
	}
}

func BenchmarkRunDemo(b *testing.B) {
	m, err := detect.Demo("")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		detect.Run(context.Background(), m, detect.Options{})
	}
}
