package detect_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/detect"
)

// TestRootedLinks checks that links inside a root resolve inside it, the
// absolute ones and ".." included, and that paths in errors are the
// machine's.
func TestRootedLinks(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	write := func(p, content string, mode os.FileMode) {
		t.Helper()
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	link := func(p, target string) {
		t.Helper()
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	write("usr/lib/os-release", "ID=inside\n", 0o644)
	write("nix/store/abc-nix/bin/nix", "#!/bin/sh\necho \"nix (Nix) 2.99.0\"\necho \"$NIXBOARD_ROOT\" >&2\n", 0o755)
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("host file"), 0o644); err != nil {
		t.Fatal(err)
	}
	link("etc/os-release", "../usr/lib/os-release")
	link("etc/static", "/nix/store/abc-nix")
	link("bin", "usr/bin")
	link("usr/bin/nix", "/etc/static/bin/nix")
	link("escape", "../../../../../../../../.."+outside+"/secret")
	link("escape-abs", outside+"/secret")
	link("loop", "/loop")

	env := map[string]string{"NIXBOARD_ROOT": root, "PATH": "/bin:/usr/local/bin", "NIXBOARD_GOOS": "darwin", "NIXBOARD_GOARCH": "arm64"}
	m, err := detect.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if m.GOOS() != "darwin" || m.GOARCH() != "arm64" {
		t.Errorf("GOOS/GOARCH = %s/%s", m.GOOS(), m.GOARCH())
	}
	if b, err := m.ReadFile("/etc/os-release"); err != nil || string(b) != "ID=inside\n" {
		t.Errorf("relative link: %q, %v", b, err)
	}
	if target, err := m.Readlink("/etc/static"); err != nil || target != "/nix/store/abc-nix" {
		t.Errorf("Readlink = %q, %v", target, err)
	}
	if fi, err := m.Lstat("/etc/static"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat does not see the link: %v", err)
	}
	if fi, err := m.Stat("/etc/static/bin"); err != nil || !fi.IsDir() {
		t.Errorf("absolute link resolved in root: %v", err)
	}
	for _, p := range []string{"/escape", "/escape-abs"} {
		if b, err := m.ReadFile(p); err == nil {
			t.Errorf("%s escaped the root: read %q", p, b)
		}
	}
	_, err = m.ReadFile("/loop")
	if err == nil {
		t.Error("a link loop did not fail")
	}
	_, err = m.ReadFile("/no/such/file")
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != "/no/such/file" || strings.Contains(err.Error(), root) {
		t.Errorf("error shows the host path: %v", err)
	}

	// PATH entries are machine directories: /bin -> usr/bin holds nix.
	p, err := m.LookPath("nix")
	if err != nil || p != "/bin/nix" {
		t.Fatalf("LookPath = %q, %v", p, err)
	}
	if _, err := m.LookPath("git"); !errors.Is(err, detect.ErrNotFound) {
		t.Errorf("LookPath(git) = %v, want ErrNotFound", err)
	}
	out, err := m.Run(context.Background(), "nix", "--version")
	if err != nil || string(out.Stdout) != "nix (Nix) 2.99.0\n" {
		t.Errorf("Run = %q, %v", out.Stdout, err)
	}
	// Commands see the machine's environment, NIXBOARD_ROOT included.
	if strings.TrimSpace(string(out.Stderr)) != root {
		t.Errorf("command environment: NIXBOARD_ROOT = %q", out.Stderr)
	}
	if _, err := m.Run(context.Background(), "/usr/bin/nix", "--version"); err != nil {
		t.Errorf("Run by absolute machine path: %v", err)
	}
}

func TestFromEnvErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	for _, env := range []map[string]string{
		{"NIXBOARD_ROOT": "/no/such/dir"},
		{"NIXBOARD_ROOT": file},
		{"NIXBOARD_GOOS": "plan9"},
		{"NIXBOARD_GOARCH": "z80"},
	} {
		_, err := detect.FromEnv(func(k string) string { return env[k] })
		if err == nil {
			t.Errorf("FromEnv(%v) succeeded", env)
			continue
		}
		for k := range env {
			if !strings.Contains(err.Error(), k) {
				t.Errorf("FromEnv(%v) error %q does not name %s", env, err, k)
			}
		}
	}
}

// TestRunKillsStubChildren checks that a command whose child keeps its
// output open is stopped at the deadline.
func TestRunKillsStubChildren(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	os.WriteFile(filepath.Join(root, "bin/slow"), []byte("#!/bin/sh\nsleep 30\n"), 0o755)
	env := map[string]string{"NIXBOARD_ROOT": root, "PATH": "/bin"}
	m, err := detect.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = m.Run(ctx, "slow")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %s after its deadline", d)
	}
}

func TestDemos(t *testing.T) {
	names := detect.DemoNames()
	if len(names) != 5 || names[0] != detect.DefaultDemo {
		t.Fatalf("DemoNames = %v", names)
	}
	want := map[string]struct {
		kind, system string
		failed       bool
	}{
		"wsl-ubuntu":   {"wsl", "x86_64-linux", false},
		"darwin-arm64": {"darwin", "aarch64-darwin", false},
		"darwin-intel": {"darwin", "x86_64-darwin", false},
		"nixos-wsl":    {"nixos-wsl", "x86_64-linux", false},
		"linux-x86_64": {"linux", "x86_64-linux", true},
	}
	for _, name := range names {
		m, err := detect.Demo(name)
		if err != nil {
			t.Fatal(err)
		}
		r := detect.Run(context.Background(), m, detect.Options{})
		w := want[name]
		if r.Platform.Kind != w.kind || r.Platform.System != w.system || r.Failed() != w.failed {
			t.Errorf("%s: kind %s system %s failed %v; want %+v", name, r.Platform.Kind, r.Platform.System, r.Failed(), w)
		}
		if r.Defaults.HomeBase.Username == "" || r.Defaults.Hostname == "" || r.Defaults.Git.Email == "" {
			t.Errorf("%s: defaults incomplete: %+v", name, r.Defaults)
		}
		for _, c := range r.Checks {
			if c.Status != detect.StatusOK {
				t.Logf("%s: %s %s: %s", name, c.Status, c.ID, c.Message)
			}
		}
	}
	// The default demo is the screencast's machine: Nix installed with
	// flakes off (one warning and its fix).
	m, _ := detect.Demo("")
	r := detect.Run(context.Background(), m, detect.Options{})
	var warned []string
	for _, c := range r.Checks {
		if c.Status != detect.StatusOK {
			warned = append(warned, c.ID)
		}
	}
	if strings.Join(warned, ",") != "nix.flakes" || r.Nix.Version == nil || *r.Nix.Version != "2.31.2" {
		t.Errorf("default demo: warnings %v, nix %+v", warned, r.Nix)
	}
	if _, err := detect.Demo("windows-xp"); err == nil || !strings.Contains(err.Error(), "wsl-ubuntu") {
		t.Errorf("unknown demo: %v", err)
	}
}
