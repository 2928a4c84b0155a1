package main

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
)

// TestWizardRealSwitchInTmux drives the built binary through the real
// wizard (real detection of this host, real nix) in an 80x24 tmux pane:
// welcome, the questions pre-filled from --answers with two answers typed
// over, the review, the write, the live switch of the rendered flake and
// the Done screen.
//
// The switch must not reach the network, so the configuration directory
// holds, before the wizard starts, a flake.lock that locks the rendered
// flake's inputs to the fixture nixpkgs and home-manager (switchtest locks
// them with --override-input, as a first run would lock them to the real
// inputs). flakegen never writes flake.lock and the switch git-adds it, so
// the wizard runs exactly as it does for a person; nothing in the binary
// knows about the fixtures.
func TestWizardRealSwitchInTmux(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testWizardRealSwitchInTmux)
}

func testWizardRealSwitchInTmux(t *testing.T, mode nixtest.Mode) {
	started := time.Now()
	bin := buildNixboard(t)
	f, answersFile, dir := wizardSwitchFixture(t, mode)

	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	status := statusFifo(t)
	var script strings.Builder
	// Only the variables the wizard needs: the fixture's HOME, PATH,
	// offline NIX_CONFIG (and daemon), and the real user, whom detection
	// checks.
	script.WriteString("env -i" + fixtureEnvWords(f))
	script.WriteString(" " + shq("USER="+me.Username) + " TERM=xterm-256color " + shq(bin) +
		" --dir " + shq(dir) + " --answers " + shq(answersFile) + "\n")
	script.WriteString("echo $? > " + shq(status) + "\nsleep 60\n")
	s := newTmux(t, 80, 24, script.String())
	// Welcome: real detection of this host. Warnings (a container) do not
	// block; failures (a Nix older than nixpkgs allows, as Debian
	// bookworm's 2.8) are listed, and enter still goes on.
	scr := s.waitFor("answer a few questions", 30*time.Second)
	blocked := strings.Contains(scr, "Before the switch can work")
	if blocked {
		t.Logf("detection reports blocking problems on this host:\n%s", scr)
	}
	s.keys("Enter")

	// Page 1: the pre-filled identity; the e-mail is typed over.
	s.waitFor("Who you are", 15*time.Second)
	s.keys("Tab")
	s.waitForFocus("Git name", 15*time.Second)
	s.keys("Tab")
	s.waitForFocus("Git e-mail", 15*time.Second)
	s.keys("C-u")
	s.typed("typed@example.invalid")
	s.acceptPage("typed@example.invalid")

	// Pages 2 to 4 as pre-filled.
	s.acceptPage("Configuration directory", "Release", "Base layer")
	s.acceptPage("Shell and editor", "Editor")
	s.acceptPage("space toggles")

	// Page 5: an alias is typed into the first field.
	s.waitFor("Shell aliases", 15*time.Second)
	s.typed("gs=git status")
	s.acceptPage("gs=git status", "Environment variables", "Additional packages")

	// The footer offers enter once the plan is there.
	scr = s.waitFor("enter write files", 15*time.Second)
	for _, want := range []string{"[Review]", "Fixture Person <typed@example.invalid>", "Aliases        gs"} {
		if !strings.Contains(scr, want) {
			t.Errorf("review lacks %q:\n%s", want, scr)
		}
	}
	// The file list follows; with long temporary paths (a subtest's name
	// is in them) it starts below the first page.
	if !strings.Contains(scr, "create     flake.nix") {
		s.keys("NPage")
		s.waitFor("create     flake.nix", 15*time.Second)
	}
	if _, err := os.Stat(filepath.Join(dir, "flake.nix")); err == nil {
		t.Fatal("flake.nix was written before the review was confirmed")
	}
	s.keys("Enter")
	if blocked {
		// The switch does not start by itself when detection knows it
		// cannot succeed; the fixture nixpkgs has no minimum Nix, so
		// trying anyway succeeds here.
		s.waitFor("try anyway", 30*time.Second)
		s.keys("t")
	}

	// The switch step builds first and shows what the switch will do,
	// before anything on the machine changed; y activates it.
	scr = s.waitFor("Activate this generation?", 60*time.Second)
	for _, want := range []string{"nothing on this machine has changed yet", "Files in the way:", "Packages: a first switch, everything is new", "y activate"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the preview lacks %q:\n%s", want, scr)
		}
	}
	if _, err := os.Lstat(filepath.Join(f.Home, ".local/state/nix/profiles/home-manager")); err == nil {
		t.Error("a home-manager generation was made before the preview's answer")
	}
	s.keys("y")

	scr = s.waitFor("environment is set up", 60*time.Second)
	for _, want := range []string{"[Done]", "fixture@fixturebox", "Log: ~/.local/state/nixboard/logs/switch-", "home-manager switch --flake", "Re-run nixboard"} {
		if !strings.Contains(scr, want) {
			t.Errorf("Done screen lacks %q:\n%s", want, scr)
		}
	}
	checkScreenWidth(t, scr, 80)
	t.Logf("Done screen:\n%s", scr)
	// The command for later changes, pasted from the screen into a shell,
	// is the command.
	if got, want := pastedArgs(t, scr, "home-manager switch"), []string{"switch", "--flake", dir + "#fixture@fixturebox"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("the Done screen's command pastes as %q, want %q", got, want)
	}
	s.keys("q")
	code := waitStatus(t, s, status, 10*time.Second)
	if code != "0" {
		t.Errorf("exit status %s, want 0; screen:\n%s", code, s.screen())
	}
	if scr := s.screen(); !strings.Contains(scr, "environment is set up") {
		t.Errorf("the summary did not stay on the terminal:\n%s", scr)
	}

	// The files: the rendered flake, tracked by git next to the lock.
	for _, name := range []string{"flake.nix", "home.nix", "nixboard.json", "nixboard/base.nix", "flake.lock"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	got, err := flakegen.Load(filepath.Join(dir, "nixboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Git.Email != "typed@example.invalid" || got.HomeBase.ShellAliases["gs"] != "git status" || got.ConfigName() != "fixture@fixturebox" {
		t.Errorf("written answers: e-mail %q, aliases %v, name %s", got.Git.Email, got.HomeBase.ShellAliases, got.ConfigName())
	}
	tracked := gitLsFiles(t, dir)
	for _, name := range []string{"flake.nix", "flake.lock", "home.nix", "nixboard.json"} {
		if !strings.Contains(tracked, name+"\n") {
			t.Errorf("%s is not tracked by git:\n%s", name, tracked)
		}
	}

	// The activation: the fixture home-manager linked ~/.bashrc into the
	// store and made the profile, and the log was saved.
	if target, err := os.Readlink(filepath.Join(f.Home, ".bashrc")); err != nil || !strings.HasPrefix(target, "/nix/store/") {
		t.Errorf("~/.bashrc = %q, %v; want a link into the store", target, err)
	}
	if _, err := os.Lstat(filepath.Join(f.Home, ".local/state/nix/profiles/home-manager")); err != nil {
		t.Errorf("no home-manager profile: %v", err)
	}
	// The build, the dry-run activation and the switch.
	if logs := savedLogs(t, f.Home); len(logs) != 3 {
		t.Errorf("saved logs: %v", logs)
	}
	// The run is one commit, and the generation it produced is noted on it.
	if subject := gitIn(t, dir, "log", "--format=%s"); !strings.HasPrefix(subject, "nixboard: first configuration (fixture@fixturebox, ") {
		t.Errorf("commits after the wizard: %q", subject)
	}
	if note := gitIn(t, dir, "notes", "--ref=nixboard", "show", "HEAD"); !strings.Contains(note, "Nixboard-Generation: 1\n") {
		t.Errorf("the wizard's switch did not record its generation: %q", note)
	}
	f.CheckMode(t)
	t.Logf("wizard to Done with a real switch: %v (build, fixture and run)", time.Since(started).Round(time.Millisecond))
}

// wizardSwitchFixture renders the answers of a fixture person with
// flakegen, locks the rendered flake to the fixtures with switchtest, and
// returns the fixture, the answers file and a configuration directory that
// holds only that lock.
func wizardSwitchFixture(t *testing.T, mode nixtest.Mode) (*switchtest.Fixture, string, string) {
	t.Helper()
	return wizardSwitchFixtureWith(t, switchtest.Config{Mode: mode})
}

// wizardSwitchFixtureWith is wizardSwitchFixture with the fixture's other
// options.
func wizardSwitchFixtureWith(t *testing.T, c switchtest.Config) (*switchtest.Fixture, string, string) {
	t.Helper()
	tmp := t.TempDir()
	a := switchtest.Answers()
	// The lock of the rendered flake fits the wizard's flake too: the home
	// directory (the fixture's, known only now) does not change the inputs.
	f := switchtest.NewRenderedWith(t, c)
	lock, err := os.ReadFile(filepath.Join(f.Dir, "flake.lock"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "home-manager")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "flake.lock"), lock, 0o644); err != nil {
		t.Fatal(err)
	}
	a.HomeBase.HomeDirectory = f.Home
	answers := filepath.Join(tmp, "answers.json")
	if err := os.WriteFile(answers, flakegen.MarshalAnswers(a), 0o644); err != nil {
		t.Fatal(err)
	}
	return f, answers, dir
}

// gitLsFiles lists the files git tracks in dir, one a line.
func gitLsFiles(t *testing.T, dir string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "ls-files").Output()
	if err != nil {
		t.Fatalf("git ls-files in %s: %v", dir, err)
	}
	return string(out)
}

// pastedArgs finds the command that starts with prefix on a screen, with
// the lines its trailing backslashes continue it on, and returns the
// arguments a shell reads from those lines when they are pasted.
func pastedArgs(t *testing.T, screen, prefix string) []string {
	t.Helper()
	lines := strings.Split(screen, "\n")
	var cmd []string
	for i, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), prefix) {
			continue
		}
		for j := i; j < len(lines); j++ {
			l := strings.TrimRight(lines[j], " ")
			cmd = append(cmd, l)
			if !strings.HasSuffix(l, "\\") {
				break
			}
		}
		break
	}
	if cmd == nil {
		t.Fatalf("no %q on the screen:\n%s", prefix, screen)
	}
	script := strings.Replace(strings.Join(cmd, "\n"), prefix[:strings.Index(prefix, " ")], `printf '%s\n'`, 1)
	out, err := exec.Command("/bin/sh", "-c", script).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", script, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}
