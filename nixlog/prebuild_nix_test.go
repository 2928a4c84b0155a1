package nixlog

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
)

// inputsFlake is a flake with one input of each kind a configuration's
// flake has, all local: a path, a git repository and a tarball served on
// 127.0.0.1 (as github: inputs are tarballs).
const inputsFlake = `{
  inputs.dep.url = "path:@DIR@/dep";
  inputs.gitdep.url = "git+file://@DIR@/gitdep";
  inputs.tardep.url = "@URL@/tdep.tar.gz";
  outputs = { self, dep, gitdep, tardep }: {
    packages.@SYSTEM@.default = derivation {
      name = "inputs-${dep.value}-${gitdep.value}-${tardep.value}";
      nonce = "@NONCE@";
      system = "@SYSTEM@";
      builder = "/bin/sh";
      PATH = "/usr/bin:/bin";
      args = [ "-c" "echo built from three inputs; mkdir $out" ];
    };
  };
}
`

// tarball returns a .tar.gz holding dir/flake.nix.
func tarball(t *testing.T, dir, flake string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: dir + "/", Mode: 0o755, Typeflag: tar.TypeDir})
	tw.WriteHeader(&tar.Header{Name: dir + "/flake.nix", Mode: 0o644, Size: int64(len(flake))})
	tw.Write([]byte(flake))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestNixFetchesInputs: the first build of a flake with a path, a git and
// a tarball input, before its lock file exists, as a first switch is. The
// steps before the build name each input by its source, in order, with the
// tarball's bytes; the stream reports them. Recorded as inputs.log.
func TestNixFetchesInputs(t *testing.T) {
	nixtest.Require(t)
	git := nixtest.RequireGit(t)
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
		n := newSession(t, m)
		dir := t.TempDir()
		write := func(name, content string) {
			t.Helper()
			os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// Every input is new to nix's caches (its git and tarball caches
		// are shared by every test that runs as the same user): a cached
		// input is not fetched, and nix says nothing about it.
		nonce := fmt.Sprintf("%d-%d", time.Now().UnixNano(), fixtures.Add(1))
		write("dep/flake.nix", `{ outputs = { self }: { value = "path"; }; }`+"\n")
		write("gitdep/flake.nix", `{ outputs = { self }: { value = "git"; nonce = "`+nonce+`"; }; }`+"\n")
		for _, args := range [][]string{{"init", "-q"}, {"add", "flake.nix"}, {"-c", "user.name=fixture", "-c", "user.email=fixture@nixboard.invalid", "commit", "-qm", "fixture input"}} {
			cmd := exec.Command(git, args...)
			cmd.Dir = filepath.Join(dir, "gitdep")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		tgz := tarball(t, "tdep", `{ outputs = { self }: { value = "tarball"; nonce = "`+nonce+`"; }; }`+"\n")
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/"+nonce+"/tdep.tar.gz" {
				http.NotFound(w, r)
				return
			}
			w.Write(tgz)
		}))
		defer srv.Close()
		write("top/flake.nix", strings.NewReplacer("@DIR@", dir, "@URL@", srv.URL+"/"+nonce, "@SYSTEM@", switchtest.System(), "@NONCE@", nonce).Replace(inputsFlake))
		log, err := n.build("path:" + filepath.Join(dir, "top"))
		if err != nil {
			t.Fatalf("nix build: %v\n%s", err, log)
		}
		log = bytes.ReplaceAll(log, []byte(srv.URL+"/"+nonce), []byte("http://127.0.0.1:PORT"))
		n.record("inputs.log", log, 0)
		checkInputSteps(t, fold(t, log), "http://127.0.0.1:PORT/tdep.tar.gz", int64(len(tgz)))
	})
}

// checkInputSteps checks the steps of inputs.log: the flake itself, then
// its three inputs by source, each finished; the tarball with its bytes
// (size, or any when size is negative).
func checkInputSteps(t *testing.T, s *State, url string, size int64) {
	t.Helper()
	var fetched []string
	for _, st := range s.Steps() {
		if !st.Done {
			t.Errorf("step %+v never finished", st)
		}
		if st.Kind != StepFetch {
			continue
		}
		fetched = append(fetched, st.What)
		if st.What == url && (size >= 0 && st.Bytes != size || st.Bytes <= 0) {
			t.Errorf("the tarball's step has %d bytes, want %d", st.Bytes, size)
		}
	}
	want := []string{"/top", "/dep", "/gitdep", url}
	if len(fetched) != len(want) {
		t.Fatalf("fetched %q, want the flake and its 3 inputs", fetched)
	}
	for i, w := range want {
		if !strings.HasSuffix(fetched[i], w) {
			t.Errorf("fetch %d is %q, want …%s", i, fetched[i], w)
		}
	}
}

// TestRecordedInputSteps replays inputs.log of every Nix and mode.
func TestRecordedInputSteps(t *testing.T) {
	t.Parallel()
	logs, _ := filepath.Glob(filepath.Join("testdata", "logs", "nix-*", "inputs.log"))
	if len(logs) != 4 {
		t.Fatalf("found %v, want inputs.log from Nix 2.8 and 2.26, direct and through the daemon (go test ./nixlog -run TestNixFetchesInputs -update-logs)", logs)
	}
	for _, l := range logs {
		t.Run(filepath.Base(filepath.Dir(l)), func(t *testing.T) {
			data, err := os.ReadFile(l)
			if err != nil {
				t.Fatal(err)
			}
			s := fold(t, data)
			checkInputSteps(t, s, "http://127.0.0.1:PORT/tdep.tar.gz", -1)
		})
	}
}
