package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestWizardDemoInTmux drives the built binary through the demo from the
// first screen to Done in an 80x24 tmux pane.
//
// It runs on a tmux server of its own (newTmux) with an environment of its
// own: TMPDIR and HOME are the test's. The demo writes into a fixed
// directory under TMPDIR (nixboard-demo-UID-PLATFORM, the same for every
// run so the screen is the same), and on the shared default server and
// /tmp, a demo run elsewhere on the machine (another test process, a
// person recording the tape) emptied that directory under this one, and a
// tmux server started by someone else gave the demo its environment.
// Every key waits for the screen it belongs to, not for a fixed time.
func TestWizardDemoInTmux(t *testing.T) {
	t.Parallel()
	bin := buildNixboard(t)
	tmp := t.TempDir()
	status := statusFifo(t)
	script := "env -i HOME=" + shq(tmp) + " TMPDIR=" + shq(tmp) + " PATH=/usr/bin:/bin TERM=xterm-256color " +
		shq(bin) + " --demo --demo-platform darwin-arm64\necho $? > " + shq(status) + "\nsleep 60\n"
	s := newTmux(t, 80, 24, script)
	s.waitFor("answer a few questions", 15*time.Second)
	s.keys("Enter")
	s.acceptPage("Who you are", "Git name", "Git e-mail")
	s.acceptPage("Configuration directory", "Release", "Base layer")
	s.acceptPage("Shell and editor", "Editor")
	screen := s.waitFor("Not offered on this machine", 15*time.Second)
	if !strings.Contains(screen, "OneDrive") {
		t.Errorf("the macOS modules page does not explain OneDrive:\n%s", screen)
	}
	s.keys("Enter")
	s.acceptPage("Shell aliases", "Environment variables", "Additional packages")
	s.waitFor("write files", 15*time.Second)
	s.keys("Enter")
	s.waitFor("(recorded)", 15*time.Second)
	screen = s.waitFor("environment is set up", 60*time.Second)
	for _, want := range []string{"[Done]", "home-manager switch --flake", "Re-run nixboard"} {
		if !strings.Contains(screen, want) {
			t.Errorf("Done screen lacks %q:\n%s", want, screen)
		}
	}
	checkScreenWidth(t, screen, 80)
	s.keys("q")
	if code := waitStatus(t, s, status, 10*time.Second); code != "0" {
		t.Errorf("exit status %s", code)
	}
	if _, err := os.Stat(filepath.Join(tmp, fmt.Sprintf("nixboard-demo-%d-darwin-arm64", os.Getuid()))); !os.IsNotExist(err) {
		t.Errorf("the demo left its directory behind: %v", err)
	}
}

// BenchmarkFirstFrame measures the time from starting nixboard in an 80x24
// pseudo-terminal to its first frame: with the demo machine, and with real
// detection of this machine, which runs behind the first frame.
func BenchmarkFirstFrame(b *testing.B) {
	bin := buildNixboard(b)
	for _, mode := range []struct {
		name string
		args []string
	}{{"demo", []string{"--demo"}}, {"host", []string{"--dir", filepath.Join(b.TempDir(), "hm")}}} {
		b.Run(mode.name, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				total += firstFrame(b, bin, mode.args...)
			}
			b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/first-frame")
		})
	}
}

// firstFrame starts nixboard in a pseudo-terminal and returns how long its
// first frame took to arrive.
func firstFrame(b *testing.B, bin string, args ...string) time.Duration {
	c := exec.Command(bin, args...)
	// The demo's directory goes under the benchmark's TMPDIR: a killed run
	// cannot clean up after itself.
	c.Env = append(os.Environ(), "TERM=xterm-256color", "TMPDIR="+b.TempDir())
	start := time.Now()
	f, err := pty.StartWithSize(c, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		c.Process.Kill()
		c.Wait()
		f.Close()
	}()
	var buf bytes.Buffer
	chunk := make([]byte, 4096)
	for {
		n, err := f.Read(chunk)
		buf.Write(chunk[:n])
		if bytes.Contains(buf.Bytes(), []byte("nixboard")) {
			return time.Since(start)
		}
		if err != nil {
			b.Fatalf("no first frame: %v; got %q", err, buf.String())
		}
	}
}

// TestWizardTeamBaseInTmux onboards onto baseopts' FIXTURE team flake in
// the demo, with the real evaluation: the pages after the shell page are
// the team's options, with the module's descriptions, and the macOS
// default the team sets (zsh) is the one offered.
func TestWizardTeamBaseInTmux(t *testing.T) {
	t.Parallel()
	bin := buildNixboard(t)
	env := optionsEnv(t)
	base, nixArgs := fixtureBase(t, "team-full")
	tmp := t.TempDir()
	status := statusFifo(t)
	args := []string{"--demo", "--demo-platform", "darwin-arm64", "--base", base, "--"}
	args = append(args, nixArgs...)
	var quoted []string
	for _, a := range args {
		quoted = append(quoted, shq(a))
	}
	nix, err := exec.LookPath("nix")
	if err != nil {
		t.Fatal(err)
	}
	script := "env -i HOME=" + shq(tmp) + " TMPDIR=" + shq(tmp) + " XDG_CACHE_HOME=" + shq(env["XDG_CACHE_HOME"]) +
		" NIX_CONFIG=" + shq(env["NIX_CONFIG"]) + " PATH=" + shq(filepath.Dir(nix)+":/usr/bin:/bin") + " TERM=xterm-256color " +
		shq(bin) + " " + strings.Join(quoted, " ") + "\necho $? > " + shq(status) + "\nsleep 60\n"
	s := newTmux(t, 100, 40, script)
	s.waitFor("answer a few questions", 30*time.Second)
	s.keys("Enter")
	s.acceptPage("Who you are", "Git name", "Git e-mail")
	s.waitFor("✓ Base layer "+base, 60*time.Second)
	s.acceptPage("Configuration directory", "Release", "Base layer")
	s.acceptPage("Shell and editor")
	screen := s.waitFor("Team modules", 30*time.Second)
	for _, want := range []string{"enableTmux", "enableRust", "tmux with the team's key bindings."} {
		if !strings.Contains(screen, want) {
			t.Errorf("the team's toggles lack %q:\n%s", want, screen)
		}
	}
	s.keys("Enter")
	screen = s.waitFor("Team options", 30*time.Second)
	for _, want := range []string{"Your login shell.", "Parallel build jobs. (a whole number from 1 to 64)"} {
		if !strings.Contains(strings.Join(strings.Fields(screen), " "), want) {
			t.Errorf("the team's options lack %q:\n%s", want, screen)
		}
	}
	if !strings.Contains(screen, "> zsh") {
		t.Errorf("the shell is not the team's macOS default, zsh:\n%s", screen)
	}
	checkScreenWidth(t, screen, 100)
	s.keys("C-c")
	s.waitFor("Quit nixboard?", 10*time.Second)
	s.keys("y")
	if code := waitStatus(t, s, status, 10*time.Second); code != "130" {
		t.Errorf("exit status %s, want 130", code)
	}
}
