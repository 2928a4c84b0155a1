// Package nixtest gives tests the real tools they check nixboard against: a
// nix that works offline, and git. With CI=true a missing tool fails the
// test instead of skipping it, so CI can never pass by silently not running
// the tests that matter most.
package nixtest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// OfflineConfig is the NIX_CONFIG tests run nix with: flakes on (added to
// whatever features nix.conf lists, never replacing them), no sandbox
// (Debian's nix-bin runs as root without one), no substituters, so nothing
// tries the network, and no build users, so root builds as root: nix-bin
// alone creates no nixbld group (a fresh trixie chroot has none), and Nix
// 2.26 refuses to build for a group that does not exist.
const OfflineConfig = "extra-experimental-features = nix-command flakes\nsandbox = false\nsubstituters =\nbuild-users-group =\n"

// Require returns the path of the nix binary, skipping the test when nix is
// not installed, or failing it when CI=true.
func Require(t testing.TB) string {
	t.Helper()
	return requireTool(t, "nix", "nix-bin")
}

// RequireGit returns the path of git, skipping the test when git is not
// installed, or failing it when CI=true.
func RequireGit(t testing.TB) string {
	t.Helper()
	return requireTool(t, "git", "git")
}

// RequireTmux returns the path of tmux, for the tests that drive the built
// binary in a terminal, skipping or (CI=true) failing without it.
func RequireTmux(t testing.TB) string {
	t.Helper()
	return requireTool(t, "tmux", "tmux")
}

// RequireAsciinema returns the path of asciinema, for the test that records
// the README's demo again (docs), skipping or (CI=true) failing without it.
func RequireAsciinema(t testing.TB) string {
	t.Helper()
	return requireTool(t, "asciinema", "asciinema")
}

// RequireShell returns the path of a shell (bash, zsh, fish) that a test
// runs generated shell code in, skipping without it or failing under
// CI=true (.ci/run installs zsh and fish).
func RequireShell(t testing.TB, name string) string {
	t.Helper()
	return requireTool(t, name, name)
}

func requireTool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI but not on PATH: %v (.ci/run installs %s)", name, err, debianPackage)
		}
		t.Skipf("%s not installed; install it (apt-get install %s) to run this test", name, debianPackage)
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
