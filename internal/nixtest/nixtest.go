// Package nixtest gives tests a real nix that works offline. With CI=true a
// missing nix fails the test instead of skipping it, so CI can never pass by
// silently not running the tests that matter most.
package nixtest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// OfflineConfig is the NIX_CONFIG tests run nix with: flakes on, no sandbox
// (Debian's nix-bin runs as root without one), and no substituters, so
// nothing tries the network.
const OfflineConfig = "experimental-features = nix-command flakes\nsandbox = false\nsubstituters =\n"

// Require returns the path of the nix binary, skipping the test when nix is
// not installed, or failing it when CI=true.
func Require(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("nix")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nix is required in CI but not on PATH: %v (.ci/run installs nix-bin)", err)
		}
		t.Skip("nix not installed; install it (apt-get install nix-bin) to run this test")
	}
	return path
}

// Env returns the process environment with NIX_CONFIG replaced by
// OfflineConfig, for exec.Cmd.Env.
func Env() []string {
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NIX_CONFIG=") {
			env = append(env, kv)
		}
	}
	return append(env, "NIX_CONFIG="+OfflineConfig)
}
