package nixrun

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/nixrun/switchtest"
)

// updateLogs rewrites the recorded logs under testdata/logs from real nix runs:
//
//	go test ./nixrun -run TestNix -update-logs
var updateLogs = flag.Bool("update-logs", false, "rewrite testdata/logs from real nix runs")

// fixtureFlake is a flake of /bin/sh derivations that build offline. Every
// test run gets its own nonce, so the outputs are never already in the
// store (or in a fresh store's substituter) from an earlier run.
const fixtureFlake = `{
  outputs = { self }: let
    nonce = "@NONCE@";
    mk = name: deps: script: derivation {
      inherit name nonce deps;
      system = "@SYSTEM@";
      builder = "/bin/sh";
      PATH = "/usr/bin:/bin";
      args = [ "-c" script ];
    };
    phase = p: "echo '@nix {\"action\":\"setPhase\",\"phase\":\"" + p + "\"}' >&2; ";
    base = mk "fixture-base-1.0" [] ((phase "configurePhase") + "for i in $(seq 1 400); do echo \"base line $i\"; done; " + (phase "installPhase") + "mkdir -p $out; echo $nonce > $out/base");
    lib = mk "fixture-lib-2.0" [ base ] ((phase "buildPhase") + "for i in $(seq 1 300); do echo \"lib line $i\"; done; mkdir -p $out; echo ${base} > $out/lib");
    app = mk "fixture-app-3.0" [ lib ] ((phase "buildPhase") + "printf '\\033[32mcoloured\\033[0m \\033]0;title\\007done\\n'; for i in $(seq 1 150); do echo \"app line $i\"; done; mkdir -p $out; echo ${lib} > $out/app");
    prep = mk "fixture-prep-1.0" [] "echo preparing; mkdir -p $out";
    bad = mk "fixture-bad-1.0" [ prep ] ((phase "checkPhase") + "for i in $(seq 1 30); do echo \"bad line $i\"; done; echo 'the fixture fails on purpose' >&2; exit 3");
    payload = mk "fixture-payload-1.0" [] "mkdir -p $out; echo $nonce > $out/id; head -c 300000 /dev/urandom > $out/blob";
    dl = mk "fixture-dl-1.0" [ payload ] "mkdir -p $out; echo ${payload} > $out/ref";
  in {
    packages.@SYSTEM@ = { inherit base lib app bad dl; };
    broken = ((import ./broken.nix) { x = 1; }).y;
  };
}
`

const brokenNix = `{ x }:
{
  y = x + "foo";
}
`

// fixtures counts the fixture flakes written by this test binary.
var fixtures atomic.Int64

// fixture writes the fixture flake for one test. Its nonce differs for
// every call, so its derivations are new to the store and really build,
// even when the test runs again in the same process (-count).
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	nonce := fmt.Sprintf("%d-%d-%d", time.Now().UnixNano(), os.Getpid(), fixtures.Add(1))
	flake := strings.NewReplacer("@NONCE@", nonce, "@SYSTEM@", switchtest.System()).Replace(fixtureFlake)
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(flake), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.nix"), []byte(brokenNix), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runNix runs nix with args, both output streams into one pipe as
// `2>&1 | tee` would capture them, and returns the output and exit error.
func runNix(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nix", args...)
	cmd.Env = nixtest.Env()
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.Bytes(), err
}

// buildArgs make nix build print the log a switch's builds print.
var buildArgs = []string{"build", "--log-format", "internal-json", "-v", "--no-link"}

// nixBuild runs nix with buildArgs and args, as runNix does.
func nixBuild(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	return runNix(t, slices.Concat(buildArgs, args)...)
}

// fold reads a captured log into a fresh State.
func fold(t *testing.T, log []byte) *State {
	t.Helper()
	s := NewState(Options{})
	if err := ReadLog(bytes.NewReader(log), s); err != nil {
		t.Fatal(err)
	}
	return s
}

// record saves a real log under testdata/logs when -update-logs is given.
func record(t *testing.T, name string, log []byte, status int) {
	t.Helper()
	if !*updateLogs {
		return
	}
	data := append(append([]byte(nil), log...), ExitMarker(status)...)
	if err := os.WriteFile(filepath.Join("testdata", "logs", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestNixBuildSucceeds(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := fixture(t)
	log, err := nixBuild(t, "path:"+dir+"#app")
	if err != nil {
		t.Fatalf("nix build: %v\n%s", err, log)
	}
	record(t, "build-ok.log", log, 0)
	recordSwitches(t, log)
	s := fold(t, log)
	sum := s.Summary()
	if sum.Built != 3 || sum.Failed != 0 || sum.Downloaded != 0 {
		t.Errorf("summary %+v, want 3 built", sum)
	}
	h := s.Header()
	if h.BuildsDone != 3 || h.BuildsExpected != 3 || h.BuildsRunning != 0 || h.Phase != PhaseBuilding {
		t.Errorf("header %+v", h)
	}
	builds := s.Builds()
	if len(builds) != 3 {
		t.Fatalf("builds %+v", builds)
	}
	wantNames := []string{"fixture-base-1.0", "fixture-lib-2.0", "fixture-app-3.0"}
	wantPhases := []string{"installPhase", "buildPhase", "buildPhase"}
	wantLines := []int{400, 300, 151}
	for i, b := range builds {
		if b.Name != wantNames[i] || b.Phase != wantPhases[i] || b.Lines != wantLines[i] || b.Status != BuildSucceeded {
			t.Errorf("build %d: %+v, want %s in %s with %d lines", i, b, wantNames[i], wantPhases[i], wantLines[i])
		}
	}
	baseLog := s.BuildLog(builds[0].ID, 0)
	if len(baseLog) != 200 || baseLog[199] != "base line 400" || baseLog[0] != "base line 201" {
		t.Errorf("base keeps %d lines: first %q last %q", len(baseLog), baseLog[0], baseLog[len(baseLog)-1])
	}
	appLog := s.BuildLog(builds[2].ID, 0)
	if got := Sanitize(appLog[0]); got != "\x1b[32mcoloured\x1b[0m done" {
		t.Errorf("app's first line sanitised: %q (raw %q)", got, appLog[0])
	}
	if d := Diagnose(s, nil); !d.OK {
		t.Errorf("diagnosis %+v", d)
	}
	if st := s.Stats(); st.Malformed != 0 || st.UnknownTypes != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestNixBuildFails(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := fixture(t)
	log, err := nixBuild(t, "path:"+dir+"#bad")
	if err == nil {
		t.Fatalf("the bad fixture built:\n%s", log)
	}
	record(t, "build-fail.log", log, 1)
	s := fold(t, log)
	sum := s.Summary()
	if sum.Failed != 1 || sum.Built != 1 {
		t.Errorf("summary %+v, want 1 built (prep), 1 failed", sum)
	}
	d := Diagnose(s, err)
	if d.OK || d.Reason != "building fixture-bad-1.0 failed" {
		t.Fatalf("diagnosis %+v", d)
	}
	h := d.Hints[0]
	for i := 21; i <= 30; i++ {
		if !strings.Contains(h.Detail, fmt.Sprintf("bad line %d\n", i)) && !strings.HasSuffix(h.Detail, fmt.Sprintf("bad line %d", i)) {
			t.Errorf("hint lacks the build's line %d:\n%s", i, h.Detail)
		}
	}
	if !strings.Contains(h.Detail, "the fixture fails on purpose") || !strings.Contains(h.Detail, "failed with exit code 3") || !strings.HasPrefix(h.Fix, "nix log /nix/store/") {
		t.Errorf("hint %+v", h)
	}
	if s.Header().BuildsFailed != 1 {
		t.Errorf("header %+v", s.Header())
	}
}

func TestNixEvalError(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := fixture(t)
	log, err := nixBuild(t, "path:"+dir+"#broken")
	if err == nil {
		t.Fatalf("the broken fixture evaluated:\n%s", log)
	}
	record(t, "eval-error.log", log, 1)
	s := fold(t, log)
	d := Diagnose(s, err)
	want := "evaluation error at broken.nix:3: cannot add a string to an integer"
	if d.OK || d.Reason != want {
		t.Fatalf("reason %q, want %q\n%s", d.Reason, want, log)
	}
	if !strings.Contains(d.Hints[0].Detail, "at broken.nix:3:") || strings.Contains(d.Hints[0].Detail, "/nix/store") {
		t.Errorf("hint %+v", d.Hints[0])
	}
	if s.Header().Phase != PhaseEvaluating {
		t.Errorf("phase %v", s.Header().Phase)
	}
	s.Finish(d.OK)
	if s.Header().Phase != PhaseFailed {
		t.Errorf("phase after Finish(false) %v", s.Header().Phase)
	}
}

// TestNixDownloads builds the fixture, copies its closure into a binary
// cache served on 127.0.0.1, and substitutes it into a fresh store.
func TestNixDownloads(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := fixture(t)
	if out, err := runNix(t, "build", "--no-link", "path:"+dir+"#dl"); err != nil {
		t.Fatalf("nix build: %v\n%s", err, out)
	}
	// Only stdout: with tests in parallel, nix may warn on stderr that its
	// evaluation cache is busy.
	eval := exec.Command("nix", "eval", "--raw", "path:"+dir+"#dl.outPath")
	eval.Env = nixtest.Env()
	outPath, err := eval.Output()
	if err != nil {
		t.Fatalf("nix eval: %v", err)
	}
	tmp := t.TempDir()
	cache := filepath.Join(tmp, "cache")
	if out, err := runNix(t, "copy", "--to", "file://"+cache, string(outPath)); err != nil {
		t.Fatalf("nix copy: %v\n%s", err, out)
	}
	var served atomic.Int64
	files := http.FileServer(http.Dir(cache))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		files.ServeHTTP(countingWriter{w, &served}, r)
	}))
	defer srv.Close()

	log, err := nixBuild(t,
		"--store", filepath.Join(tmp, "store"),
		"--option", "substituters", srv.URL, "--option", "require-sigs", "false",
		"path:"+dir+"#dl")
	if err != nil {
		t.Fatalf("nix build from the cache: %v\n%s", err, log)
	}
	record(t, "download.log", bytes.ReplaceAll(log, []byte(srv.URL), []byte("http://127.0.0.1:PORT")), 0)
	s := fold(t, log)
	sum := s.Summary()
	if sum.Downloaded != 2 || sum.Built != 0 {
		t.Errorf("summary %+v, want 2 downloaded, 0 built", sum)
	}
	if sum.Bytes != served.Load() || sum.Bytes < 300000 {
		t.Errorf("summary counts %d bytes, the cache served %d", sum.Bytes, served.Load())
	}
	h := s.Header()
	if h.DownloadsDone != 2 || h.DownloadsExpected != 2 || h.BytesDone != sum.Bytes || h.BytesExpected < 300000 {
		t.Errorf("header %+v", h)
	}
	var copies int
	for _, l := range s.LogTail(0) {
		if l.Kind == KindStart && strings.HasPrefix(l.Text, "copying path") {
			copies++
		}
	}
	if copies != 2 {
		t.Errorf("tail shows %d copies", copies)
	}
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// TestNixOfflineCache: a cache that is not there fails the download and
// the diagnosis says so.
func TestNixOfflineCache(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := fixture(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // Nothing listens there any more.
	tmp := t.TempDir()
	log, err := nixBuild(t,
		"--store", filepath.Join(tmp, "store"),
		"--option", "substituters", url, "--option", "require-sigs", "false",
		"--option", "connect-timeout", "1", "--option", "download-attempts", "1",
		"path:"+dir+"#base")
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("nix build: %v\n%s", err, log)
	}
	s := fold(t, log)
	d := Diagnose(s, err)
	found := false
	for _, h := range d.Hints {
		if h.Title == "A download failed" && strings.Contains(h.Fix, "127.0.0.1") {
			found = true
		}
	}
	if d.OK || !found {
		t.Errorf("diagnosis %+v\n%s", d, log)
	}
}

// activationOK is what a home-manager activation prints (plain text on
// stdout), as modules/lib-bash/activation-init.sh and
// modules/home-environment.nix word it.
const activationOK = `Starting Home Manager activation
Activating checkFilesChanged
Activating checkLinkTargets
Existing file '/home/alice/.bashrc' is in the way of '/nix/store/0fyqfl3sj6nyd0hz5nl0gd1r8gcg6d8s-home-manager-files/.bashrc', will be moved to '/home/alice/.bashrc.backup'
Activating writeBoundary
Activating installPackages
Activating linkGeneration
Cleaning up orphan links from /home/alice
Creating profile generation 1
Creating home file links in /home/alice
Activating onFilesChange
Activating reloadSystemd
`

// activationClobber is a failing activation: an older backup in the way and
// a foreign symlink (check-link-targets.sh's messages).
const activationClobber = `Starting Home Manager activation
Activating checkFilesChanged
Activating checkLinkTargets
Please do one of the following:
- In standalone mode, use 'home-manager switch -b backup' to back up files automatically.
- When used as a NixOS or nix-darwin module, set either
  - 'home-manager.backupFileExtension', or
  - 'home-manager.backupCommand',
  to move the file to a new location in the same directory, or run a custom command.
- Set 'force = true' on the related file options to forcefully overwrite the files below. eg. 'xdg.configFile."mimeapps.list".force = true'
Existing file '/home/alice/.bashrc.backup' would be clobbered by backing up '/home/alice/.bashrc'
Existing file '/home/alice/.profile' would be clobbered
`

// recordSwitches composes whole-switch logs from the real build log and
// home-manager's activation text, for the replay tests: a successful
// switch as nixboard saves it and as a plain capture, a clobber failure,
// and a log cut off during the activation.
func recordSwitches(t *testing.T, build []byte) {
	t.Helper()
	if !*updateLogs {
		return
	}
	write := func(name string, parts ...[]byte) {
		if err := os.WriteFile(filepath.Join("testdata", "logs", name), bytes.Join(parts, nil), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cut := activationOK[:strings.Index(activationOK, "Activating linkGeneration")]
	write("switch-ok.log", build, []byte(activationOK), ExitMarker(0))
	write("switch-ok-plain.log", build, []byte(activationOK))
	write("switch-clobber.log", build, []byte(activationClobber), ExitMarker(1))
	write("switch-cut.log", build, []byte(cut))
}

// TestRecordedLogs replays every log under testdata/logs and checks the
// verdict, so the recordings the replay tests use stay meaningful.
func TestRecordedLogs(t *testing.T) {
	t.Parallel()
	want := map[string]struct {
		ok     bool
		reason string
		built  int
	}{
		"build-ok.log":        {true, "", 3},
		"build-fail.log":      {false, "building fixture-bad-1.0 failed", -1},
		"eval-error.log":      {false, "evaluation error at broken.nix:3: cannot add a string to an integer", 0},
		"download.log":        {true, "", 0},
		"switch-ok.log":       {true, "", 3},
		"switch-ok-plain.log": {true, "", 3},
		"switch-clobber.log":  {false, "2 files would be clobbered: /home/alice/.bashrc, /home/alice/.profile", 3},
		"switch-cut.log":      {false, ReasonLogEnds, 3},
		"untracked.log":       {false, "home.nix is not tracked by git", 0},
		"flakes-disabled.log": {false, "flakes are not enabled", 0},
	}
	for name, w := range want {
		data, err := os.ReadFile(filepath.Join("testdata", "logs", name))
		if err != nil {
			t.Fatalf("%v (regenerate with: go test ./nixrun -run TestNix -update-logs)", err)
		}
		s := fold(t, data)
		d := DiagnoseReplay(s)
		if d.OK != w.ok || d.Reason != w.reason {
			t.Errorf("%s: %+v, want ok=%v reason %q", name, d, w.ok, w.reason)
		}
		if sum := s.Summary(); w.built >= 0 && sum.Built != w.built {
			t.Errorf("%s: built %d, want %d", name, sum.Built, w.built)
		}
	}
}

// TestNixUntrackedFile: a flake in a git repository that imports a file
// git does not track.
func TestNixUntrackedFile(t *testing.T) {
	nixtest.Require(t)
	nixtest.RequireGit(t)
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("flake.nix", "{ outputs = { self }: { x = import ./home.nix; }; }\n")
	write("home.nix", "{ }\n")
	for _, args := range [][]string{{"init", "-q"}, {"add", "flake.nix"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	log, err := nixBuild(t, dir+"#x")
	if err == nil {
		t.Fatalf("nix read an untracked file:\n%s", log)
	}
	record(t, "untracked.log", log, 1)
	d := Diagnose(fold(t, log), err)
	if d.Reason != "home.nix is not tracked by git" || d.Hints[0].Fix != "git add --intent-to-add -- home.nix" {
		t.Errorf("diagnosis %+v\n%s", d, log)
	}
}

// TestNixFlakesDisabled runs nix without the experimental features.
func TestNixFlakesDisabled(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := fixture(t)
	cmd := exec.Command("nix", slices.Concat(buildArgs, []string{"path:" + dir + "#base"})...)
	cmd.Env = append(nixtest.Env(), "NIX_CONFIG=sandbox = false\nsubstituters =\nexperimental-features =\n")
	log, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("nix ran without flakes:\n%s", log)
	}
	record(t, "flakes-disabled.log", log, 1)
	d := Diagnose(fold(t, log), err)
	if d.Reason != "flakes are not enabled" || !strings.Contains(d.Hints[0].Fix, "extra-experimental-features = nix-command flakes") {
		t.Errorf("diagnosis %+v\n%s", d, log)
	}
}
