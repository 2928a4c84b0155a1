package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
)

// gitIn runs real git in dir and returns its trimmed output.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// answersFileOf writes a as an answers file and returns its path.
func answersFileOf(t *testing.T, a flakegen.Answers) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "answers.json")
	if err := os.WriteFile(p, flakegen.MarshalAnswers(a), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func subjects(t *testing.T, dir string) []string {
	t.Helper()
	return strings.Split(gitIn(t, dir, "log", "--format=%s"), "\n")
}

// TestRenderCommitsEachRun: each render that changes files is one commit
// with a message that says what changed; the same answers make none; an
// edit of the person's own is never committed over.
func TestRenderCommitsEachRun(t *testing.T) {
	t.Parallel()
	nixtest.RequireGit(t)
	home := t.TempDir()
	dir := filepath.Join(home, "config")
	env := map[string]string{"HOME": home}
	a1 := flakegen.DefaultFor("linux", "x86_64-linux")
	a1.HomeBase.Username, a1.HomeBase.HomeDirectory, a1.Hostname = "alice", "/home/alice", "box"
	a1.Git = flakegen.GitAnswer{Name: "Alice Example", Email: "alice@example.invalid"}
	a1.HomeBase.EnableTmux = false
	render := func(a flakegen.Answers, extra ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, env, append([]string{"render", "--answers", answersFileOf(t, a), "--dir", dir}, extra...)...)
		if code != 0 {
			t.Fatalf("render exited %d\n%s%s", code, out, errOut)
		}
		return out
	}

	out := render(a1)
	first := "nixboard: first configuration (alice@box, x86_64-linux, release " + a1.Release + ")"
	if !strings.Contains(out, ": "+first+"\n") {
		t.Errorf("first render does not report its commit:\n%s", out)
	}
	if got := subjects(t, dir); len(got) != 1 || got[0] != first {
		t.Fatalf("commits after the first render: %q", got)
	}
	if got := gitIn(t, dir, "log", "-1", "--format=%an <%ae>|%(trailers:key=Nixboard-Run,valueonly)"); got != "Alice Example <alice@example.invalid>|render" {
		t.Errorf("author and trailer = %q", got)
	}
	if st := gitIn(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("work tree not clean after the commit:\n%s", st)
	}
	if _, err := os.Stat(filepath.Join(home, ".gitconfig")); err == nil {
		t.Errorf("render wrote a global git configuration")
	}

	// The same answers: no file changes, no commit.
	head := gitIn(t, dir, "rev-parse", "HEAD")
	if out := render(a1); strings.Contains(out, "committed") {
		t.Errorf("render with the same answers committed:\n%s", out)
	}
	if got := gitIn(t, dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("HEAD moved from %s to %s with the same answers", head, got)
	}

	// --no-commit writes and stages, and commits nothing.
	a2 := a1
	a2.HomeBase.EnableTmux = true
	a2.HomeBase.EnableContainerSupport = false
	render(a2, "--no-commit")
	if got := gitIn(t, dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("--no-commit made a commit")
	}
	// The next run commits it, with the change since the last render.
	gitIn(t, dir, "reset", "-q", "--hard")
	render(a2)
	if got := subjects(t, dir); len(got) != 2 || got[0] != "nixboard: disable containers, enable tmux" {
		t.Fatalf("commits after the second render: %q", got)
	}
	if body := gitIn(t, dir, "log", "-1", "--format=%b"); !strings.Contains(body, "homeBase.enableTmux: false → true") {
		t.Errorf("body does not list the change:\n%s", body)
	}

	// An edit of the person's own is not committed over, nor lost.
	homeNix := filepath.Join(dir, "home.nix")
	data, err := os.ReadFile(homeNix)
	if err != nil {
		t.Fatal(err)
	}
	mine := string(data) + "# my own edit\n"
	if err := os.WriteFile(homeNix, []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	a3 := a2
	a3.HomeBase.EnableNeovim = !a2.HomeBase.EnableNeovim
	head = gitIn(t, dir, "rev-parse", "HEAD")
	out = render(a3)
	if !strings.Contains(out, "not committed: the repository has uncommitted changes of your own (home.nix)") {
		t.Errorf("render does not say why it made no commit:\n%s", out)
	}
	if got := gitIn(t, dir, "rev-parse", "HEAD"); got != head {
		t.Errorf("render committed over the person's edit")
	}
	if got, _ := os.ReadFile(homeNix); string(got) != mine {
		t.Errorf("home.nix changed:\n%s", got)
	}

	code, hist, errOut := runCLI(t, env, "history", "--dir", dir)
	if code != 0 {
		t.Fatalf("history exited %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(hist, "\n"), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "generation ?    nixboard: disable containers, enable tmux") || !strings.HasSuffix(lines[1], first) {
		t.Errorf("history:\n%s", hist)
	}
	noEscapes(t, hist)
}

func TestUndoAfterTwoRuns(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, testUndoAfterTwoRuns)
}

func testUndoAfterTwoRuns(t *testing.T, mode nixtest.Mode) {
	nixtest.RequireGit(t)
	f := switchtest.NewRendered(t, mode)
	env := envMap(f.Env)
	cli := func(wantCode int, args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, env, args...)
		if code != wantCode {
			t.Fatalf("%v exited %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, wantCode, out, errOut)
		}
		return out + errOut
	}
	profile := filepath.Join(f.Home, ".local/state/nix/profiles/home-manager")
	link := func(p string) string { return readLink(t, p) }
	tree1, bashrc1 := twoAppliedRuns(t, f)
	second := "nixboard: disable containers, enable tmux"

	hist := cli(0, "history", "--dir", f.Dir)
	lines := strings.Split(strings.TrimRight(hist, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "generation 2    "+second) || !strings.Contains(lines[1], "generation 1    nixboard: first configuration (") {
		t.Errorf("history:\n%s", hist)
	}

	// A dirty repository: undo refuses and changes nothing.
	homeNix := filepath.Join(f.Dir, "home.nix")
	orig, err := os.ReadFile(homeNix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(homeNix, append(append([]byte(nil), orig...), "# mine\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	head := gitIn(t, f.Dir, "rev-parse", "HEAD")
	if out := cli(1, "undo", "--plain", "--dir", f.Dir); !strings.Contains(out, "uncommitted changes (home.nix)") || !strings.Contains(out, "nothing was changed") {
		t.Errorf("undo over an edit:\n%s", out)
	}
	if gitIn(t, f.Dir, "rev-parse", "HEAD") != head || link(profile) != "home-manager-2-link" {
		t.Errorf("a refused undo changed the commit or the profile")
	}
	if got, _ := os.ReadFile(homeNix); string(got) != string(orig)+"# mine\n" {
		t.Errorf("a refused undo changed home.nix")
	}
	if err := os.WriteFile(homeNix, orig, 0o644); err != nil {
		t.Fatal(err)
	}

	if out := cli(0, "undo", "--dry-run", "--dir", f.Dir); !strings.Contains(out, "at generation 1 and run ") || gitIn(t, f.Dir, "rev-parse", "HEAD") != head {
		t.Errorf("undo --dry-run:\n%s", out)
	}

	out := cli(0, "undo", "--plain", "--dir", f.Dir)
	t.Logf("undo:\n%s", out)
	f.CheckMode(t)
	noEscapes(t, out)
	if !strings.Contains(out, "switch ok") {
		t.Errorf("undo's activation did not end ok:\n%s", out)
	}
	checkUndone(t, f, tree1, bashrc1)
}

// readLink is the target of the symbolic link p.
func readLink(t *testing.T, p string) string {
	t.Helper()
	target, err := os.Readlink(p)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

// twoAppliedRuns renders and switches f twice (tmux off, then tmux on and
// containers off), checks that each run recorded its generation and that
// the second linked another ~/.bashrc, and returns the first run's tree
// and ~/.bashrc link target: what an undo must bring back.
func twoAppliedRuns(t *testing.T, f *switchtest.Fixture) (tree1, bashrc1 string) {
	t.Helper()
	env := envMap(f.Env)
	cli := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, env, args...)
		if code != 0 {
			t.Fatalf("%v exited %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errOut)
		}
		return out + errOut
	}
	switchArgs := append([]string{"switch", "--plain", "--dir", f.Dir, "--"}, f.ExtraArgs...)
	profile := filepath.Join(f.Home, ".local/state/nix/profiles/home-manager")

	a1 := switchtest.Answers()
	a1.HomeBase.EnableTmux = false
	cli("render", "--answers", answersFileOf(t, a1), "--dir", f.Dir)
	if out := cli(switchArgs...); !strings.Contains(out, "history: generation 1 recorded for ") {
		t.Fatalf("first switch did not record its generation:\n%s", out)
	}
	tree1 = gitIn(t, f.Dir, "rev-parse", "HEAD^{tree}")
	bashrc1 = readLink(t, filepath.Join(f.Home, ".bashrc"))

	a2 := a1
	a2.HomeBase.EnableTmux = true
	a2.HomeBase.EnableContainerSupport = false
	cli("render", "--answers", answersFileOf(t, a2), "--dir", f.Dir)
	if out := cli(switchArgs...); !strings.Contains(out, "history: generation 2 recorded for ") {
		t.Fatalf("second switch did not record its generation:\n%s", out)
	}
	if got := subjects(t, f.Dir); len(got) != 2 || got[0] != "nixboard: disable containers, enable tmux" || !strings.HasPrefix(got[1], "nixboard: first configuration (") {
		t.Fatalf("commits: %q", got)
	}
	if bashrc2 := readLink(t, filepath.Join(f.Home, ".bashrc")); bashrc2 == bashrc1 {
		t.Fatalf("the second generation links the same ~/.bashrc (%s): the fixture did not see the change", bashrc2)
	}
	if got := readLink(t, profile); got != "home-manager-2-link" {
		t.Fatalf("profile points at %s after two switches", got)
	}
	return tree1, bashrc1
}

// checkUndone checks that an undo after twoAppliedRuns brought the first
// run back: its files as a new undo commit, the profile at generation 1
// (no generation built or added), its ~/.bashrc, and history saying so.
func checkUndone(t *testing.T, f *switchtest.Fixture, tree1, bashrc1 string) {
	t.Helper()
	second := "nixboard: disable containers, enable tmux"
	profile := filepath.Join(f.Home, ".local/state/nix/profiles/home-manager")
	if got := gitIn(t, f.Dir, "rev-parse", "HEAD^{tree}"); got != tree1 {
		t.Errorf("files after undo are tree %s, want the first run's %s", got, tree1)
	}
	if got := subjects(t, f.Dir); len(got) != 3 || got[0] != `nixboard: undo "`+second+`"` {
		t.Errorf("commits after undo: %q", got)
	}
	if got := readLink(t, profile); got != "home-manager-1-link" {
		t.Errorf("profile points at %s after undo, want home-manager-1-link", got)
	}
	if got := readLink(t, filepath.Join(f.Home, ".bashrc")); got != bashrc1 {
		t.Errorf("~/.bashrc links %s after undo, want the first run's %s", got, bashrc1)
	}
	if gens, _ := filepath.Glob(profile + "-*-link"); len(gens) != 2 {
		t.Errorf("undo built or added a generation: %v", gens)
	}
	code, hist, errOut := runCLI(t, envMap(f.Env), "history", "--dir", f.Dir)
	if code != 0 {
		t.Fatalf("history exited %d: %s", code, errOut)
	}
	if first := strings.SplitN(hist, "\n", 2)[0]; !strings.Contains(first, `generation 1    nixboard: undo "`+second+`"`) {
		t.Errorf("history after undo:\n%s", hist)
	}
}
