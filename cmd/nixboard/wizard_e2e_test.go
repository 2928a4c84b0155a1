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

// buildWizardBinary builds the binary once for the end-to-end tests.
func buildWizardBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nixboard")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type wizardTmux struct {
	t    *testing.T
	name string
}

func (s wizardTmux) send(keys ...string) {
	for _, k := range keys {
		if err := exec.Command("tmux", "send-keys", "-t", s.name, k).Run(); err != nil {
			s.t.Fatalf("send-keys %s: %v", k, err)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

func (s wizardTmux) capture() string {
	out, _ := exec.Command("tmux", "capture-pane", "-p", "-t", s.name).Output()
	return string(out)
}

func (s wizardTmux) waitFor(text string, d time.Duration) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		screen := s.capture()
		if strings.Contains(screen, text) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q; last screen:\n%s", text, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWizardDemoInTmux drives the built binary through the demo from the
// first screen to Done in an 80x24 tmux pane.
func TestWizardDemoInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required in CI")
		}
		t.Skip("tmux not installed")
	}
	bin := buildWizardBinary(t)
	name := fmt.Sprintf("nixboard-wizard-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())
	status := filepath.Join(t.TempDir(), "status")
	cmd := bin + " --demo --demo-platform darwin-arm64; echo $? > " + status + "; sleep 5"
	if out, err := exec.Command("tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", cmd).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", name).Run() })
	s := wizardTmux{t: t, name: name}
	s.waitFor("answer a few questions", 10*time.Second)
	s.send("Enter")
	s.waitFor("Who you are", 5*time.Second)
	s.send("Enter", "Enter", "Enter")
	s.waitFor("Configuration directory", 5*time.Second)
	s.send("Enter", "Enter")
	s.waitFor("Shell and editor", 5*time.Second)
	s.send("Enter", "Enter")
	screen := s.waitFor("Not offered on this machine", 5*time.Second)
	if !strings.Contains(screen, "OneDrive") {
		t.Errorf("the macOS modules page does not explain OneDrive:\n%s", screen)
	}
	s.send("Enter")
	s.waitFor("Shell aliases", 5*time.Second)
	s.send("Enter", "Enter", "Enter")
	s.waitFor("write files", 5*time.Second)
	s.send("Enter")
	s.waitFor("(recorded)", 10*time.Second)
	screen = s.waitFor("environment is set up", 60*time.Second)
	for _, want := range []string{"[Done]", "home-manager switch --flake", "Re-run nixboard"} {
		if !strings.Contains(screen, want) {
			t.Errorf("Done screen lacks %q:\n%s", want, screen)
		}
	}
	for _, line := range strings.Split(screen, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("line wider than 80: %q", line)
		}
	}
	s.send("q")
	deadline := time.Now().Add(5 * time.Second)
	for {
		data, err := os.ReadFile(status)
		if err == nil && strings.TrimSpace(string(data)) != "" {
			if got := strings.TrimSpace(string(data)); got != "0" {
				t.Errorf("exit status %s", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nixboard did not exit; screen:\n%s", s.capture())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWizardFirstFrame measures the time from start to the first frame in
// a pseudo-terminal: detection runs behind it.
func TestWizardFirstFrame(t *testing.T) {
	bin := buildWizardBinary(t)
	var best time.Duration
	for i := 0; i < 5; i++ {
		c := exec.Command(bin, "--demo")
		c.Env = append(os.Environ(), "TERM=xterm-256color")
		start := time.Now()
		f, err := pty.StartWithSize(c, &pty.Winsize{Rows: 24, Cols: 80})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		b := make([]byte, 4096)
		var took time.Duration
		for {
			n, err := f.Read(b)
			buf.Write(b[:n])
			if bytes.Contains(buf.Bytes(), []byte("nixboard")) {
				took = time.Since(start)
				break
			}
			if err != nil {
				t.Fatalf("no first frame: %v; got %q", err, buf.String())
			}
		}
		c.Process.Kill()
		c.Wait()
		f.Close()
		if best == 0 || took < best {
			best = took
		}
	}
	t.Logf("time to first frame (best of 5, 80x24 pty): %v", best)
	if best > time.Second {
		t.Errorf("first frame took %v", best)
	}
}
