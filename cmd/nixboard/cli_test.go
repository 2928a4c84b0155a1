package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"strings"
	"testing"
)

// runCLI runs nixboard in-process with the given environment and returns its
// exit status, stdout and stderr. Stdin is empty and neither stream is a
// terminal, as in a pipe.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runCLIWith(t, "", env, false, args...)
}

// runCLIWith is runCLI with stdin's content and whether stdout counts as a
// terminal. An env without PATH gets the test process's, so that the
// commands find git as a person's shell would; a test that wants no PATH
// says PATH "".
func runCLIWith(t *testing.T, stdin string, env map[string]string, outTTY bool, args ...string) (int, string, string) {
	t.Helper()
	if _, ok := env["PATH"]; !ok {
		env = maps.Clone(env)
		if env == nil {
			env = map[string]string{}
		}
		env["PATH"] = os.Getenv("PATH")
	}
	var out, errOut bytes.Buffer
	st := &stdio{
		in:     strings.NewReader(stdin),
		out:    &out,
		err:    &errOut,
		outTTY: outTTY,
		getenv: func(k string) string { return env[k] },
		// The rest of the environment is the test process's, as a
		// person's would be.
		environ: os.Environ(),
	}
	code := run(context.Background(), st, args)
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"--dir", "x", "--version"}} {
		code, out, _ := runCLI(t, nil, args...)
		if code != 0 || out != "nixboard dev\n" {
			t.Errorf("%v: got %d %q, want 0 %q", args, code, out, "nixboard dev\n")
		}
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	code, out, _ := runCLI(t, nil, "help")
	if code != 0 {
		t.Fatalf("help exited %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "  "+c.name+" ") {
			t.Errorf("help does not list %q:\n%s", c.name, out)
		}
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "frobnicate")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if out != "" {
		t.Errorf("stdout should be empty, got %q", out)
	}
	if !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("stderr %q does not name the command", errOut)
	}
}

// TestVersionAfterDoubleDash: "--" ends the flags, so a --version after it
// is not the version flag and the wizard gets the arguments (and, with no
// terminal and no --answers, says how to run it).
func TestVersionAfterDoubleDash(t *testing.T) {
	code, out, _ := runCLI(t, nil, "--", "--version")
	if out == "nixboard dev\n" {
		t.Errorf("--version after -- printed the version (exit %d)", code)
	}
}

// TestDemoPlatformNeedsDemo: --demo-platform without --demo is refused as
// a usage error instead of running the real wizard on the real machine.
func TestDemoPlatformNeedsDemo(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--demo-platform", "darwin-arm64"}, {"--demo-platform=nixos-wsl", "--no-switch"}} {
		code, out, errOut := runCLI(t, map[string]string{"HOME": t.TempDir()}, args...)
		if code != 2 || !strings.Contains(errOut, "needs --demo") {
			t.Errorf("%v exited %d:\n%s%s", args, code, out, errOut)
		}
	}
}
