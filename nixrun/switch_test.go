package nixrun_test

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
)

// startSwitch plans, prepares and starts a switch of the fixture, as
// nixboard switch does; cancelling ctx interrupts it.
func startSwitch(t *testing.T, ctx context.Context, f *switchtest.Fixture) (*nixrun.Run, nixrun.Plan) {
	t.Helper()
	p, err := nixrun.NewPlan(nixrun.SwitchOptions{Dir: f.Dir, ExtraArgs: f.ExtraArgs, Env: f.Env})
	if err != nil {
		t.Fatal(err)
	}
	if err := nixrun.Prepare(ctx, p); err != nil {
		t.Fatal(err)
	}
	r, err := nixrun.Start(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	return r, p
}

// runSwitch runs a switch of the fixture to its end, feeding a State, and
// returns the state, the exit error, the run and its plan.
func runSwitch(t *testing.T, f *switchtest.Fixture) (*nixlog.State, error, *nixrun.Run, nixrun.Plan) {
	t.Helper()
	r, p := startSwitch(t, context.Background(), f)
	s := nixlog.NewState(nixlog.Options{})
	for {
		batch, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		s.FeedLines(batch)
	}
	exitErr := r.Wait()
	f.CheckMode(t)
	return s, exitErr, r, p
}

func TestSwitchFixtureThroughNixRun(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testSwitchFixtureThroughNixRun)
}

func testSwitchFixtureThroughNixRun(t *testing.T, mode nixtest.Mode) {
	f := switchtest.New(t, switchtest.Config{Cache: true, Mode: mode})
	// A ~/.bashrc of the person's own: the switch moves it aside and says so.
	if err := os.WriteFile(filepath.Join(f.Home, ".bashrc"), []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, exitErr, r, p := runSwitch(t, f)
	if p.Installed {
		t.Fatalf("plan uses an installed home-manager, want nix run: %v", p.Argv)
	}
	if want := []string{"/usr/bin/nix", "run", f.Dir + "#home-manager", "--", "switch", "--flake", f.Dir + "#" + f.Name, "-b", nixrun.DefaultBackupExt, "--log-format", "internal-json", "-v"}; strings.Join(p.Argv[:len(want)], " ") != strings.Join(want, " ") {
		t.Errorf("argv = %q, want prefix %q", p.Argv, want)
	}
	log, _ := os.ReadFile(r.LogPath())
	if exitErr != nil {
		t.Fatalf("switch failed: %v\n%s", exitErr, log)
	}
	checkActivated(t, f)
	checkTracked(t, f.Dir, "flake.nix", "flake.lock", "home.nix", "nixboard.json")
	if !strings.HasSuffix(string(log), string(nixlog.ExitMarker(0))) {
		t.Errorf("saved log does not end with the exit marker:\n%s", tail(string(log), 5))
	}
	if !strings.Contains(string(log), "Starting Home Manager activation") || !strings.Contains(string(log), `"action":"start"`) {
		t.Errorf("saved log lacks the activation or the nix events")
	}
	checkToolPhase(t, log)
	sum := s.Summary()
	if sum.Downloaded != 3 || sum.Built < 4 || sum.Bytes < 300<<10 {
		t.Errorf("summary = %+v, want 3 downloads (>= 300 KiB) and at least 4 builds\n%s", sum, log)
	}
	d := nixlog.Diagnose(s, exitErr)
	if !d.OK || len(d.Hints) == 0 || d.Hints[0].Title != "1 existing file was moved aside" ||
		!strings.HasPrefix(d.Hints[0].Detail, "~/.bashrc → ~/.bashrc."+nixrun.DefaultBackupExt+"\n") {
		t.Errorf("diagnosis = %+v, want OK, naming ~/.bashrc moved aside", d)
	}
	if mine, err := os.ReadFile(filepath.Join(f.Home, ".bashrc."+nixrun.DefaultBackupExt)); err != nil || string(mine) != "# mine\n" {
		t.Errorf("the backup holds %q, %v", mine, err)
	}
}

func TestSwitchFixtureInstalledClobber(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testSwitchFixtureInstalledClobber)
}

func testSwitchFixtureInstalledClobber(t *testing.T, mode nixtest.Mode) {
	f := switchtest.New(t, switchtest.Config{InstallHomeManager: true, Mode: mode})
	// An older backup is in the way: -b cannot move .bashrc aside.
	bashrc := filepath.Join(f.Home, ".bashrc")
	os.WriteFile(bashrc, []byte("# skeleton\n"), 0o644)
	os.WriteFile(bashrc+"."+nixrun.DefaultBackupExt, []byte("# older backup\n"), 0o644)
	s, exitErr, r, p := runSwitch(t, f)
	if !p.Installed || filepath.Base(p.Argv[0]) != "home-manager" {
		t.Fatalf("plan does not use the installed home-manager: %v", p.Argv)
	}
	if exitErr == nil {
		t.Fatal("switch succeeded, want the clobber failure")
	}
	if r.ExitStatus() != 1 {
		t.Errorf("exit status = %d, want 1", r.ExitStatus())
	}
	if data, _ := os.ReadFile(bashrc); string(data) != "# skeleton\n" {
		t.Errorf(".bashrc changed: %q", data)
	}
	log, _ := os.ReadFile(r.LogPath())
	if !strings.Contains(string(log), "would be clobbered by backing up") {
		t.Errorf("log lacks the clobber message:\n%s", log)
	}
	d := nixlog.Diagnose(s, exitErr)
	if d.OK || !strings.Contains(strings.ToLower(d.Reason+hintText(d)), "clobber") {
		t.Errorf("diagnosis = %+v, want a clobber failure", d)
	}
}

func hintText(d nixlog.Diagnosis) string {
	var b strings.Builder
	for _, h := range d.Hints {
		b.WriteString(h.Title + "\n" + h.Detail + "\n" + h.Fix + "\n")
	}
	return b.String()
}

func checkActivated(t *testing.T, f *switchtest.Fixture) {
	t.Helper()
	target, err := os.Readlink(filepath.Join(f.Home, ".bashrc"))
	if err != nil || !strings.HasPrefix(target, "/nix/store/") {
		t.Errorf("~/.bashrc = %q, %v; want a link into the store", target, err)
	}
	if _, err := os.Lstat(filepath.Join(f.Home, ".local/state/nix/profiles/home-manager")); err != nil {
		t.Errorf("no home-manager profile: %v", err)
	}
}

func checkTracked(t *testing.T, dir string, files ...string) {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "ls-files").Output()
	if err != nil {
		t.Fatal(err)
	}
	tracked := strings.Fields(string(out))
	for _, f := range files {
		found := false
		for _, tf := range tracked {
			found = found || tf == f
		}
		if !found {
			t.Errorf("%s is not tracked by git (tracked: %v)", f, tracked)
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestSwitchFlakegenRendered switches a configuration flakegen rendered
// (its flake.nix, home.nix and base layer), with the inputs replaced by the
// fixtures.
func TestSwitchFlakegenRendered(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testSwitchFlakegenRendered)
}

func testSwitchFlakegenRendered(t *testing.T, mode nixtest.Mode) {
	f := switchtest.NewRendered(t, mode)
	s, exitErr, r, p := runSwitch(t, f)
	log, _ := os.ReadFile(r.LogPath())
	if exitErr != nil {
		t.Fatalf("switch of the rendered flake failed: %v\n%s", exitErr, tail(string(log), 30))
	}
	if p.ConfigName != "fixture@fixturebox" {
		t.Errorf("config name = %q", p.ConfigName)
	}
	checkActivated(t, f)
	checkTracked(t, f.Dir, "flake.nix", "flake.lock", "home.nix", "nixboard.json")
	if d := nixlog.Diagnose(s, exitErr); !d.OK {
		t.Errorf("diagnosis = %+v", d)
	}
}

// checkToolPhase replays a saved log of a switch through `nix run` line by
// line: the header first says the home-manager command is being built,
// then, before the activation, no longer (home-manager's own nix runs).
func checkToolPhase(t *testing.T, log []byte) {
	t.Helper()
	s := nixlog.NewState(nixlog.Options{})
	var tool, after bool
	for _, line := range strings.Split(string(log), "\n") {
		s.Feed([]byte(line))
		h := s.Header()
		switch {
		case h.Tool:
			tool = true
			if after {
				t.Fatalf("the tool phase came back at %q", line)
			}
			if !strings.HasPrefix(nixlog.ProgressWords(h), nixlog.ToolPhase) {
				t.Errorf("while building the command the header says %q", nixlog.ProgressWords(h))
			}
		case tool:
			after = true
		}
		if strings.Contains(line, "Starting Home Manager activation") && (!tool || !after || h.Tool) {
			t.Errorf("at the activation: tool phase seen %v, ended %v", tool, after)
		}
	}
}
