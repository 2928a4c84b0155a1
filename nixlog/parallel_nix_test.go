package nixlog

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
)

// parallelFlake is a flake whose top derivation needs two store paths
// substituted from two binary caches and two local builds that run while
// those downloads do. The builds and the caches meet at a rendezvous in
// @MEET@ (a directory of the test): a build writes build-NAME once it runs
// and waits for download (a NAR request reached a cache) before it prints
// its lines; a cache holds a NAR back until some build-* exists, then
// serves it slowly (parallelRate). So a build and a download always run
// at one moment, whatever the machine's speed, and the log shows it; as
// nix starts both builds and both downloads together and a download then
// takes two seconds, all four run at one moment too (checkParallel wants
// it; every recording has it). The waits end after a minute in any case,
// so a Nix that does not run them side by side fails the test instead of
// hanging it.
//
// bad is top with one of the builds replaced by one that fails, with
// lines of its own, while the downloads and the other build still run.
const parallelFlake = `{
  outputs = { self }: let
    nonce = "@NONCE@";
    meet = "@MEET@";
    mk = name: deps: script: derivation {
      inherit name nonce deps meet;
      system = "@SYSTEM@";
      builder = "/bin/sh";
      PATH = "/usr/bin:/bin";
      args = [ "-c" script ];
    };
    phase = p: "echo '@nix {\"action\":\"setPhase\",\"phase\":\"" + p + "\"}' >&2; ";
    wait = tag: "touch $meet/build-" + tag + "; i=0; while [ ! -e $meet/download ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; ";
    lines = tag: n: "for i in $(seq 1 " + toString n + "); do echo \"" + tag + " line $i\"; sleep 0.1; done; ";
    payload = tag: mk ("fixture-pay-" + tag + "-1.0") [] "mkdir -p $out; echo $nonce > $out/id; head -c 600000 /dev/urandom > $out/blob";
    payA = payload "a";
    payB = payload "b";
    one = mk "fixture-par-one-1.0" [] ((wait "one") + (phase "configurePhase") + (lines "one" 10) + (phase "buildPhase") + (lines "one" 20) + "mkdir -p $out; echo one > $out/one");
    two = mk "fixture-par-two-1.0" [] ((wait "two") + (phase "buildPhase") + (lines "two" 25) + "mkdir -p $out; echo two > $out/two");
    worse = mk "fixture-par-bad-1.0" [] ((wait "bad") + (phase "checkPhase") + (lines "bad" 8) + "echo 'the parallel fixture fails on purpose' >&2; exit 4");
    top = deps: mk "fixture-top-1.0" deps ((phase "installPhase") + "mkdir -p $out; for d in $deps; do echo $d; done > $out/deps");
  in {
    packages.@SYSTEM@ = {
      inherit payA payB;
      top = top [ payA payB one two ];
      bad = top [ payA payB one worse ];
    };
  };
}
`

// parallelRate is the pace, in bytes a second, at which the caches serve a
// NAR once a build runs: a payload of 600 kB takes about two seconds.
const parallelRate = 300 << 10

// parallelFixture writes the parallel flake for one test, with the
// rendezvous directory its builds and caches share.
func parallelFixture(t *testing.T) (dir, meet string) {
	t.Helper()
	dir, meet = t.TempDir(), t.TempDir()
	nonce := fmt.Sprintf("par-%d-%d-%d", time.Now().UnixNano(), os.Getpid(), fixtures.Add(1))
	flake := strings.NewReplacer("@NONCE@", nonce, "@MEET@", meet, "@SYSTEM@", switchtest.System()).Replace(parallelFlake)
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(flake), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, meet
}

// meetingCache serves a cache's NARs the parallel fixture's way: it says
// a download started (meet/download), holds the NAR back until a build
// runs (some meet/build-*) or a minute passed, then sends it at
// parallelRate. Metadata (nix-cache-info, .narinfo) is served at once.
func meetingCache(meet string) func(http.Handler, *atomic.Int64) http.Handler {
	return func(files http.Handler, served *atomic.Int64) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/nar/") {
				files.ServeHTTP(countingWriter{w, served}, r)
				return
			}
			os.WriteFile(filepath.Join(meet, "download"), nil, 0o644)
			// A poll with a deadline: the builds run in nix's
			// processes, which only leave files behind.
			deadline := time.Now().Add(time.Minute)
			for time.Now().Before(deadline) {
				if m, _ := filepath.Glob(filepath.Join(meet, "build-*")); len(m) > 0 {
					break
				}
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
				}
			}
			switchtest.Throttled(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				files.ServeHTTP(countingWriter{w, served}, r)
			}), parallelRate).ServeHTTP(w, r)
		})
	}
}

// timedBuild runs nix build as build does, and returns the log with the
// time markers nixboard's saved logs carry (nixrun: one at most every
// 50ms), so a replay paces it as it ran.
func (n *session) timedBuild(args ...string) ([]byte, error) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nix", slices.Concat(buildArgs, args)...)
	cmd.Env = n.env
	r, w, err := os.Pipe()
	if err != nil {
		n.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	if err := cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	w.Close()
	var out bytes.Buffer
	last := -time.Hour
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		if at := time.Since(start); at-last >= 50*time.Millisecond {
			out.Write(TimeMarker(at))
			last = at
		}
		out.Write(sc.Bytes())
		out.WriteByte('\n')
	}
	r.Close()
	err = cmd.Wait()
	out.Write(TimeMarker(time.Since(start)))
	return out.Bytes(), err
}

// parallelArgs run the parallel fixture with both caches, and enough jobs
// for the two builds beside the two downloads. Nix 2.8 runs substitutions
// in the slots of max-jobs (measured: with 2 it runs the two downloads,
// then the two builds, never together; with 3 three of the four at once);
// Nix 2.26 runs them beside max-jobs builds (max-substitution-jobs, 16 by
// default: with max-jobs 1 both downloads run beside one build).
func parallelArgs(a, b cache) []string {
	return []string{
		"--option", "substituters", a.url + " " + b.url,
		"--option", "trusted-public-keys", a.key + " " + b.key,
		"--max-jobs", "4",
	}
}

// scrubBoth replaces the two caches' ports, keeping them apart.
func scrubBoth(log []byte, a, b cache) []byte {
	log = bytes.ReplaceAll(log, []byte(a.url), []byte("http://127.0.0.1:PORT-A"))
	return bytes.ReplaceAll(log, []byte(b.url), []byte("http://127.0.0.1:PORT-B"))
}

// TestNixParallel downloads two store paths from two caches while two
// local builds run, then builds what needs them all (parallel-ok.log); and
// the same with one of the builds failing while the downloads and the
// other build still run (parallel-fail.log). The live logs pass the same
// step-by-step checks as the recordings (checkParallel).
func TestNixParallel(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	for _, fail := range []bool{false, true} {
		name := map[bool]string{false: "ok", true: "fail"}[fail]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
				n := newSession(t, m)
				dir, meet := parallelFixture(t)
				a := n.newCache(dir, "payA", cacheOpts{serve: meetingCache(meet), keyName: "nixboard-test-a"})
				b := n.newCache(dir, "payB", cacheOpts{serve: meetingCache(meet), keyName: "nixboard-test-b"})
				attr := map[bool]string{false: "top", true: "bad"}[fail]
				log, err := n.timedBuild(append(parallelArgs(a, b), "path:"+dir+"#"+attr)...)
				if fail != (err != nil) {
					t.Fatalf("nix build #%s: %v\n%s", attr, err, log)
				}
				status := 0
				if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
					status = ee.ExitCode()
				}
				log = append(scrubBoth(log, a, b), ExitMarker(status)...)
				n.write("parallel-"+name+".log", log)
				checkParallel(t, log, nixVersion(), fail)
			})
		})
	}
}
