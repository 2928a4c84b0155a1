package nixlog

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
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
)

// updateLogs rewrites the recorded logs of the nix that runs the tests, in
// both modes, under testdata/logs/nix-<version>[-daemon] (as root, for the
// daemon):
//
//	go test ./nixlog -run 'TestNix|TestRecordedLogs' -update-logs
//
// and inside the Nix 2.26 root (see the README) for nix-2.26.
var updateLogs = flag.Bool("update-logs", false, "rewrite testdata/logs/nix-<version>[-daemon] from real nix runs")

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

// nixVersion is the running nix's major.minor, e.g. "2.26".
var nixVersion = sync.OnceValue(func() string {
	out, err := exec.Command("nix", "--version").Output()
	if err != nil {
		return "unknown"
	}
	m := regexp.MustCompile(`(\d+)\.(\d+)`).FindString(string(out))
	if m == "" {
		return "unknown"
	}
	return m
})

// logDir is where a mode's recordings of the running nix are kept.
func logDir(m nixtest.Mode) string {
	dir := "nix-" + nixVersion()
	if m == nixtest.ThroughDaemon {
		dir += "-daemon"
	}
	return filepath.Join("testdata", "logs", dir)
}

// session runs nix the way one mode does: single-user, or as a client of a
// nix-daemon the test started.
type session struct {
	t    *testing.T
	mode nixtest.Mode
	env  []string
}

func newSession(t *testing.T, m nixtest.Mode) *session {
	t.Helper()
	return &session{t: t, mode: m, env: append(nixtest.Env(), m.Env(t)...)}
}

// run runs nix with args, both output streams into one pipe as `2>&1 | tee`
// would capture them, and returns the output and exit error.
func (n *session) run(args ...string) ([]byte, error) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nix", args...)
	cmd.Env = n.env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.Bytes(), err
}

// must runs nix with args and returns its stdout, failing the test on error.
func (n *session) must(args ...string) []byte {
	n.t.Helper()
	cmd := exec.Command("nix", args...)
	cmd.Env = n.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		n.t.Fatalf("nix %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// buildArgs make nix build print the log a switch's builds print.
var buildArgs = []string{"build", "--log-format", "internal-json", "-v", "--no-link"}

// build runs nix with buildArgs and args, as run does.
func (n *session) build(args ...string) ([]byte, error) {
	n.t.Helper()
	return n.run(slices.Concat(buildArgs, args)...)
}

// record saves a real log, with its exit marker, under the mode's logDir
// when -update-logs is given.
func (n *session) record(name string, log []byte, status int) {
	n.t.Helper()
	n.write(name, log, ExitMarker(status))
}

func (n *session) write(name string, parts ...[]byte) {
	n.t.Helper()
	if !*updateLogs {
		return
	}
	dir := logDir(n.mode)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		n.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), bytes.Join(parts, nil), 0o644); err != nil {
		n.t.Fatal(err)
	}
}

// cache is a binary cache the test serves on 127.0.0.1, holding a fixture's
// closure, which is deleted from the store so nix must substitute it.
type cache struct {
	url, key string
	served   *atomic.Int64
	paths    []string
}

// cacheOpts say how the cache is made: signed as real caches are (a daemon
// takes no require-sigs = false from its client), and with its NARs or with
// only the .narinfo files left.
type cacheOpts struct {
	unsigned, noNars bool
	// serve, when set, makes the cache's handler from the one that
	// serves its files and the counter of bytes served.
	serve func(files http.Handler, served *atomic.Int64) http.Handler
	// keyName names the signing key (nixboard-test-1 when empty): nix
	// keeps one trusted key of each name, so two caches of one run need
	// two names.
	keyName string
}

// newCache builds attr of the fixture flake in dir and puts its closure in
// a cache served on 127.0.0.1.
func (n *session) newCache(dir, attr string, o cacheOpts) cache {
	n.t.Helper()
	ref := "path:" + dir + "#" + attr
	n.must("build", "--no-link", ref)
	// Only stdout: with tests in parallel, nix may warn on stderr that its
	// evaluation cache is busy.
	out := strings.TrimSpace(string(n.must("eval", "--raw", ref+".outPath")))
	closure := strings.Fields(string(n.must("path-info", "--recursive", out)))
	root := n.t.TempDir()
	store := "file://" + filepath.Join(root, "cache")
	c := cache{served: new(atomic.Int64), paths: closure}
	if !o.unsigned {
		secret, public := filepath.Join(root, "secret"), filepath.Join(root, "public")
		keyName := o.keyName
		if keyName == "" {
			keyName = "nixboard-test-1"
		}
		cmd := exec.Command("nix-store", "--generate-binary-cache-key", keyName, secret, public)
		cmd.Env = n.env
		if b, err := cmd.CombinedOutput(); err != nil {
			n.t.Fatalf("nix-store --generate-binary-cache-key: %v\n%s", err, b)
		}
		key, err := os.ReadFile(public)
		if err != nil {
			n.t.Fatal(err)
		}
		c.key = strings.TrimSpace(string(key))
		store += "?secret-key=" + secret
	}
	n.must(append([]string{"copy", "--to", store}, closure...)...)
	n.must(append([]string{"store", "delete"}, closure...)...)
	if o.noNars {
		if err := os.RemoveAll(filepath.Join(root, "cache", "nar")); err != nil {
			n.t.Fatal(err)
		}
	}
	files := http.FileServer(http.Dir(filepath.Join(root, "cache")))
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		files.ServeHTTP(countingWriter{w, c.served}, r)
	})
	if o.serve != nil {
		h = o.serve(files, c.served)
	}
	srv := httptest.NewServer(h)
	n.t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}

// from are the options that make nix substitute from c (and trust its key).
func (c cache) from() []string {
	args := []string{"--option", "substituters", c.url}
	if c.key != "" {
		args = append(args, "--option", "trusted-public-keys", c.key)
	}
	return args
}

// scrub replaces what differs between runs that the replay does not need:
// the cache's port.
func (c cache) scrub(log []byte) []byte {
	return bytes.ReplaceAll(log, []byte(c.url), []byte("http://127.0.0.1:PORT"))
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

func TestNixBuildSucceeds(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
		n := newSession(t, m)
		dir := fixture(t)
		log, err := n.build("path:" + dir + "#app")
		if err != nil {
			t.Fatalf("nix build: %v\n%s", err, log)
		}
		n.record("build-ok.log", log, 0)
		n.recordSwitches("switch", log)
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

		// Everything is built now: the same build offline, with a cache
		// that does not answer, has nothing to do and succeeds.
		off, err := n.build("--option", "substituters", "http://127.0.0.1:1", "--option", "connect-timeout", "1", "path:"+dir+"#app")
		if err != nil {
			t.Fatalf("offline build of built paths: %v\n%s", err, off)
		}
		n.record("offline-built.log", off, 0)
		n.recordSwitches("switch-offline", off)
		if d := Diagnose(fold(t, off), nil); !d.OK {
			t.Errorf("offline diagnosis %+v", d)
		}
	})
}

func TestNixBuildFails(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
		n := newSession(t, m)
		dir := fixture(t)
		log, err := n.build("path:" + dir + "#bad")
		if err == nil {
			t.Fatalf("the bad fixture built:\n%s", log)
		}
		n.record("build-fail.log", log, 1)
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
	})
}

func TestNixEvalError(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
		n := newSession(t, m)
		dir := fixture(t)
		log, err := n.build("path:" + dir + "#broken")
		if err == nil {
			t.Fatalf("the broken fixture evaluated:\n%s", log)
		}
		n.record("eval-error.log", log, 1)
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
	})
}

// TestNixDownloads substitutes the fixture's closure from a signed binary
// cache served on 127.0.0.1.
func TestNixDownloads(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
		n := newSession(t, m)
		dir := fixture(t)
		c := n.newCache(dir, "dl", cacheOpts{})
		log, err := n.build(append(c.from(), "path:"+dir+"#dl")...)
		if err != nil {
			t.Fatalf("nix build from the cache: %v\n%s", err, log)
		}
		n.record("download.log", c.scrub(log), 0)
		s := fold(t, log)
		sum := s.Summary()
		if sum.Downloaded != 2 || sum.Built != 0 {
			t.Errorf("summary %+v, want 2 downloaded, 0 built", sum)
		}
		if sum.Bytes != c.served.Load() || sum.Bytes < 300000 {
			t.Errorf("summary counts %d bytes, the cache served %d", sum.Bytes, c.served.Load())
		}
		h := s.Header()
		// The header counts the store paths' bytes (the summary also the
		// caches' metadata): all that nix expected, once it is done.
		if h.DownloadsDone != 2 || h.DownloadsExpected != 2 || h.BytesDone < 300000 || h.BytesDone > sum.Bytes || h.BytesExpected != h.BytesDone {
			t.Errorf("header %+v, summary %+v", h, sum)
		}
		if caches := s.Caches(); len(caches) != 1 || caches[0].URL != c.url || caches[0].Downloads != 2 || caches[0].Bytes != h.BytesDone {
			t.Errorf("caches %+v, want 2 downloads from %s", caches, c.url)
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
		if d := Diagnose(s, nil); !d.OK || len(s.Messages(LvlError)) != 0 {
			t.Errorf("diagnosis %+v, errors %v", d, s.Messages(LvlError))
		}
	})
}

// TestNixSubstituteFallsBack: two caches nix cannot use, after which it
// builds the paths itself and the run succeeds, live and in a replay of its
// capture without an exit status:
//   - unsigned: its paths are not signed by a trusted key, ignored with a
//     warning. Through a daemon that warning reaches the client at level 0;
//     it is still a warning.
//   - missing-nar: it lists the paths but lost their NARs; nix reports the
//     missing file as an error message, then builds.
func TestNixSubstituteFallsBack(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	cases := []struct {
		name   string
		opts   cacheOpts
		says   string // in a warning, or in the log
		warned bool
	}{
		{"unsigned", cacheOpts{unsigned: true}, "not signed by any of the keys", true},
		{"missing-nar", cacheOpts{noNars: true}, "does not exist in binary cache", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
				n := newSession(t, m)
				dir := fixture(t)
				c := n.newCache(dir, "dl", tc.opts)
				log, err := n.build(append(c.from(), "--option", "fallback", "true", "path:"+dir+"#dl")...)
				if err != nil {
					t.Fatalf("nix build: %v\n%s", err, log)
				}
				log = c.scrub(log)
				n.record(tc.name+".log", log, 0)
				n.recordSwitches("switch-"+tc.name, log)
				s := fold(t, log)
				if sum := s.Summary(); sum.Built != 2 || sum.Downloaded != 0 {
					t.Errorf("summary %+v, want 2 built", sum)
				}
				if !strings.Contains(string(log), tc.says) {
					t.Errorf("the log does not say %q:\n%s", tc.says, log)
				}
				if tc.warned {
					warned := false
					for _, w := range s.Messages(LvlWarn) {
						warned = warned || strings.Contains(StripANSI(w.Text), tc.says)
					}
					if !warned || len(s.Messages(LvlError)) != 0 {
						t.Errorf("warnings %v, errors %v: want %q as a warning", s.Messages(LvlWarn), s.Messages(LvlError), tc.says)
					}
				}
				if d := Diagnose(s, nil); !d.OK {
					t.Errorf("diagnosis %+v", d)
				}
				plain := fold(t, append(append([]byte(nil), log...), activationOK...))
				if d := DiagnoseReplay(plain); !d.OK {
					t.Errorf("replay of the plain capture: %+v", d)
				}
			})
		})
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
	nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
		n := newSession(t, m)
		dir := fixture(t)
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close() // Nothing listens there any more.
		log, err := n.build(
			"--option", "substituters", url,
			"--option", "connect-timeout", "1", "--option", "download-attempts", "1",
			"--option", "fallback", "false",
			"path:"+dir+"#base")
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("nix build: %v\n%s", err, log)
		}
		s := fold(t, log)
		// nix says so for nix-cache-info (a warning), or, when it knows
		// that cache's info already (a port an earlier test's cache had),
		// for the first .narinfo (an error).
		found := false
		for _, m := range append(s.Messages(LvlWarn), s.Messages(LvlError)...) {
			found = found || strings.Contains(StripANSI(m.Text), "unable to download '"+url+"/")
		}
		if !found {
			t.Errorf("nothing about the unreachable cache:\n%s", log)
		}
		if err == nil {
			// nix built the path itself: the unreachable cache is only a
			// warning.
			if d := Diagnose(s, nil); !d.OK {
				t.Errorf("diagnosis %+v", d)
			}
			return
		}
		d := Diagnose(s, err)
		found = false
		for _, h := range d.Hints {
			if h.Title == "A download failed" && strings.Contains(h.Fix, "127.0.0.1") {
				found = true
			}
		}
		if d.OK || !found {
			t.Errorf("diagnosis %+v\n%s", d, log)
		}
	})
}

// activationOK is what a home-manager activation prints (plain text on
// stdout), as modules/lib-bash/activation-init.sh and
// modules/home-environment.nix word it, with -b nixboard-backup moving two
// existing files aside (modules/files/check-link-targets.sh).
const activationOK = `Starting Home Manager activation
Activating checkFilesChanged
Activating checkLinkTargets
Existing file '/home/alice/.bashrc' is in the way of '/nix/store/0fyqfl3sj6nyd0hz5nl0gd1r8gcg6d8s-home-manager-files/.bashrc', will be moved to '/home/alice/.bashrc.nixboard-backup'
Existing file '/home/alice/.config/git/config' is in the way of '/nix/store/0fyqfl3sj6nyd0hz5nl0gd1r8gcg6d8s-home-manager-files/.config/git/config', will be moved to '/home/alice/.config/git/config.nixboard-backup'
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

// recordSwitches composes whole-switch logs from a real build log and
// home-manager's activation text, for the replay tests: a successful switch
// as nixboard saves it (PREFIX-ok.log) and as a plain capture without an
// exit status (PREFIX-ok-plain.log); for the plain build, also a clobber
// failure and a log cut off during the activation.
func (n *session) recordSwitches(prefix string, build []byte) {
	n.t.Helper()
	n.write(prefix+"-ok.log", build, []byte(activationOK), ExitMarker(0))
	n.write(prefix+"-ok-plain.log", build, []byte(activationOK))
	if prefix == "switch" {
		cut := activationOK[:strings.Index(activationOK, "Activating linkGeneration")]
		n.write("switch-clobber.log", build, []byte(activationClobber), ExitMarker(1))
		n.write("switch-cut.log", build, []byte(cut))
	}
}

// recorded is what the replay of each recorded log must find, whichever
// Nix made it and in either mode.
var recorded = map[string]struct {
	ok     bool
	reason string
	built  int
}{
	"build-ok.log":                    {true, "", 3},
	"build-fail.log":                  {false, "building fixture-bad-1.0 failed", -1},
	"eval-error.log":                  {false, "evaluation error at broken.nix:3: cannot add a string to an integer", 0},
	"download.log":                    {true, "", 0},
	"offline-built.log":               {true, "", 0},
	"unsigned.log":                    {true, "", 2},
	"missing-nar.log":                 {true, "", 2},
	"switch-ok.log":                   {true, "", 3},
	"switch-ok-plain.log":             {true, "", 3},
	"switch-offline-ok.log":           {true, "", 0},
	"switch-offline-ok-plain.log":     {true, "", 0},
	"switch-unsigned-ok.log":          {true, "", 2},
	"switch-unsigned-ok-plain.log":    {true, "", 2},
	"switch-missing-nar-ok.log":       {true, "", 2},
	"switch-missing-nar-ok-plain.log": {true, "", 2},
	"switch-clobber.log":              {false, "2 files would be clobbered: /home/alice/.bashrc, /home/alice/.profile", 3},
	"switch-cut.log":                  {false, ReasonLogEnds, 3},
	"untracked.log":                   {false, "home.nix is not tracked by git", 0},
	"flakes-disabled.log":             {false, "flakes are not enabled", 0},
	"inputs.log":                      {true, "", 1},
	"parallel-ok.log":                 {true, "", 3},
	"parallel-fail.log":               {false, "building fixture-par-bad-1.0 failed", 0},
}

// TestRecordedLogs replays every recorded log of every Nix and mode under
// testdata/logs/nix-*: each directory holds the whole set, and the verdict,
// reason and counts are the same whichever Nix made them.
func TestRecordedLogs(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("testdata", "logs", "nix-*"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range dirs {
		names = append(names, filepath.Base(d))
	}
	for _, want := range []string{"nix-2.8", "nix-2.8-daemon", "nix-2.26", "nix-2.26-daemon"} {
		if !slices.Contains(names, want) {
			t.Errorf("no recordings from %s (regenerate with: go test ./nixlog -run 'TestNix' -update-logs, on that Nix, as root)", want)
		}
	}
	for _, dir := range dirs {
		for name, w := range recorded {
			t.Run(filepath.Base(dir)+"/"+name, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatalf("%v (regenerate with: go test ./nixlog -run TestNix -update-logs)", err)
				}
				s := fold(t, data)
				d := DiagnoseReplay(s)
				if d.OK != w.ok || d.Reason != w.reason {
					t.Errorf("%+v, want ok=%v reason %q", d, w.ok, w.reason)
				}
				if sum := s.Summary(); w.built >= 0 && sum.Built != w.built {
					t.Errorf("built %d, want %d", sum.Built, w.built)
				}
				if w.ok && strings.HasPrefix(name, "switch-") &&
					(len(d.Hints) == 0 || d.Hints[0].Title != "2 existing files were moved aside") {
					t.Errorf("a successful switch does not say what it moved aside: %+v", d.Hints)
				}
			})
		}
	}
}

// TestNixUntrackedFile: a flake in a git repository that imports a file
// git does not track.
func TestNixUntrackedFile(t *testing.T) {
	nixtest.Require(t)
	nixtest.RequireGit(t)
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
		n := newSession(t, m)
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
		log, err := n.build(dir + "#x")
		if err == nil {
			t.Fatalf("nix read an untracked file:\n%s", log)
		}
		n.record("untracked.log", bytes.ReplaceAll(log, []byte(dir), []byte("/home/alice/.config/home-manager")), 1)
		d := Diagnose(fold(t, log), err)
		if d.Reason != "home.nix is not tracked by git" || d.Hints[0].Fix != "git add --intent-to-add -- home.nix" {
			t.Errorf("diagnosis %+v\n%s", d, log)
		}
	})
}

// TestNixFlakesDisabled runs nix without the experimental features.
func TestNixFlakesDisabled(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
		n := newSession(t, m)
		dir := fixture(t)
		cmd := exec.Command("nix", slices.Concat(buildArgs, []string{"path:" + dir + "#base"})...)
		cmd.Env = append(n.env, "NIX_CONFIG=sandbox = false\nsubstituters =\nbuild-users-group =\nexperimental-features =\n")
		log, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("nix ran without flakes:\n%s", log)
		}
		n.record("flakes-disabled.log", log, 1)
		d := Diagnose(fold(t, log), err)
		if d.Reason != "flakes are not enabled" || !strings.Contains(d.Hints[0].Fix, "extra-experimental-features = nix-command flakes") {
			t.Errorf("diagnosis %+v\n%s", d, log)
		}
	})
}
