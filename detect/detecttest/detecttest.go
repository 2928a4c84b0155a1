// Package detecttest prepares the fixture machines in
// detect/testdata/machines for tests, in detect and in other packages (the
// doctor command's tests, the wizard's).
//
// A fixture is a directory holding:
//
//   - root/: the machine's files as it sees them (/etc/os-release,
//     /proc/sys/kernel/osrelease, /nix/...), with stub scripts for the
//     commands detection runs (uname, sw_vers, sysctl, nix, home-manager, git,
//     df) where the real machine has them, reached through the machine's PATH;
//   - machine.env: the machine's environment, KEY=VALUE lines, including
//     NIXBOARD_GOOS and NIXBOARD_GOARCH;
//   - daemon-socket (optional): "listening" or "refusing". Git cannot store
//     a socket, so Env copies such a fixture to a short temporary directory
//     and creates a real unix socket at /nix/var/nix/daemon-socket/socket:
//     one that accepts connections until the test ends, or one whose
//     listener is already closed (a daemon that died).
package detecttest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Dir is the directory holding the fixture machines.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "machines")
}

// Names lists the fixture machines.
func Names(t testing.TB) []string {
	t.Helper()
	es, err := os.ReadDir(Dir())
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	var names []string
	for _, e := range es {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

// Env returns the environment of fixture machine name, with NIXBOARD_ROOT
// pointing at its files, ready for detect.FromEnv.
func Env(t testing.TB, name string) map[string]string {
	t.Helper()
	dir := filepath.Join(Dir(), name)
	env, err := readEnv(filepath.Join(dir, "machine.env"))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	root := filepath.Join(dir, "root")
	socket, err := os.ReadFile(filepath.Join(dir, "daemon-socket"))
	if err == nil {
		root = withSocket(t, root, strings.TrimSpace(string(socket)))
	} else if !os.IsNotExist(err) {
		t.Fatalf("fixture %s: %v", name, err)
	}
	env["NIXBOARD_ROOT"] = root
	return env
}

// Getenv turns an environment map into a getenv function.
func Getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func readEnv(file string) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: not KEY=VALUE: %q", file, line)
		}
		env[k] = v
	}
	return env, sc.Err()
}

// withSocket copies root to a short temporary directory (a unix socket path
// must stay under about 100 bytes) and creates the daemon socket there.
func withSocket(t testing.TB, root, state string) string {
	t.Helper()
	tmp, err := os.MkdirTemp("", "nbfx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	// os.DirFS reads links, so CopyFS keeps them as links (absolute ones
	// included, which resolve inside the root) along with the executable bits.
	if err := os.CopyFS(tmp, os.DirFS(root)); err != nil {
		t.Fatalf("copy fixture: %v", err)
	}
	sock := filepath.Join(tmp, "nix/var/nix/daemon-socket/socket")
	if err := os.MkdirAll(filepath.Dir(sock), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatalf("fixture socket: %v", err)
	}
	switch state {
	case "listening":
		// Accept and drop connections, as a daemon would before talking.
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		t.Cleanup(func() { l.Close() })
	case "refusing":
		// A daemon that died: the socket file stays, nothing listens.
		l.SetUnlinkOnClose(false)
		l.Close()
	default:
		t.Fatalf("fixture daemon-socket: want listening or refusing, got %q", state)
	}
	return tmp
}
