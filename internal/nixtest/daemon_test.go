package nixtest

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDaemonBuilds builds a derivation through the test's daemon and checks
// that the daemon, not the client, ran the builder: the builder's parent is
// the daemon's worker for this client, a child of the daemon. Once the
// subtest ends, the daemon is gone, and so is the worker of a client that
// is still connected.
func TestDaemonBuilds(t *testing.T) {
	nix := Require(t)
	var (
		pid     int
		workers []int
		idle    net.Conn
	)
	t.Run("daemon", func(t *testing.T) {
		var client []string
		client, pid = startDaemon(t)
		dir := t.TempDir()
		expr := `derivation { name = "nixtest-daemon"; system = builtins.currentSystem; builder = "/bin/sh";
			salt = "` + dir + `"; PATH = "/usr/bin:/bin";
			args = [ "-c" "cut -d' ' -f4 /proc/$PPID/stat > $out" ]; }`
		before := DaemonClients(client)
		cmd := exec.Command(nix, "build", "--impure", "--no-link", "--json", "--expr", expr)
		cmd.Env = append(Env(), client...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("nix build through the daemon: %v\n%s", err, stderr.String())
		}
		var built []struct {
			Outputs struct{ Out string } `json:"outputs"`
		}
		if err := json.Unmarshal(out, &built); err != nil || len(built) != 1 {
			t.Fatalf("nix build --json: %v: %s", err, out)
		}
		if after := DaemonClients(client); after <= before {
			t.Errorf("the daemon counted %d clients before the build and %d after", before, after)
		}
		data, err := os.ReadFile(built[0].Outputs.Out)
		if err != nil {
			t.Fatalf("the build's output: %v\n%s", err, out)
		}
		if got := strings.TrimSpace(string(data)); got != strconv.Itoa(pid) {
			t.Errorf("the builder's parent is a child of %s, want the daemon (%d)", got, pid)
		}
		// A client that connects and never speaks keeps a worker waiting.
		conn, err := net.Dial("unix", strings.TrimPrefix(client[1], "NIX_DAEMON_SOCKET_PATH="))
		if err != nil {
			t.Fatal(err)
		}
		idle = conn
		deadline := time.Now().Add(daemonDeadline)
		for wait := time.Millisecond; len(workers) == 0; wait = min(2*wait, 100*time.Millisecond) {
			if workers = children(pid); len(workers) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the daemon forked no worker for a connected client")
			}
			time.Sleep(wait)
		}
	})
	if pid == 0 {
		t.Fatal("the subtest started no daemon")
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("the daemon (pid %d) outlived its test: kill 0 = %v", pid, err)
	}
	if idle != nil {
		defer idle.Close()
	}
	for _, w := range workers {
		if state, _, ok := procStat(w); ok && state != "Z" {
			t.Errorf("the daemon's worker %d outlived its test (state %s)", w, state)
		}
	}
}
