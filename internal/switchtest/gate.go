package switchtest

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// gateMaxJobs is the max-jobs a gated fixture runs nix with. Nix 2.8
// gives a substitution one of the max-jobs slots, as it does a build
// (measured, single-user and through a daemon: with max-jobs 1 the held
// hm_.bashrc build did not start in 20 s while git's download was held);
// Nix 2.26 runs substitutions in slots of their own
// (max-substitution-jobs) and passed the same check with max-jobs 1.
// Four leaves room for the held download, the held build, and the other
// downloads and builds to finish beside them, so the screen settles on
// the two held ones.
const gateMaxJobs = 4

// GatedPackage is the fixture package whose download Config.Gate holds.
const GatedPackage = "git-2.51.0"

// GatedBuild is the fixture derivation whose build Config.Gate holds.
const GatedBuild = "hm_.bashrc"

// gate is Config.Gate: a held download on the cache's side, a held build
// on two fifos in dir (started, which the build writes its pid into, and
// release, which it reads a line from), and the release of both.
type gate struct {
	dir string
	// released is closed by Release; reached once the held download has
	// sent its first half.
	released    chan struct{}
	reached     chan struct{}
	releaseOnce sync.Once
	reachOnce   sync.Once
	// fds are the fifos Release opened (read-write, so neither open
	// blocks), kept open until the fixture's last cleanup: a pipe's
	// contents go once no one has it open, and the build may read the
	// line after Release returned.
	mu  sync.Mutex
	fds []*os.File
}

// newGate makes the gate's fifos in dir. It closes the fifos Release
// opens in a cleanup registered now, before anything else of the
// fixture's, so it runs last: after the daemon (whose build may still be
// about to read its line) is stopped.
func newGate(t testing.TB, dir string) *gate {
	t.Helper()
	must(t, os.MkdirAll(dir, 0o755))
	for _, name := range []string{"started", "release"} {
		must(t, syscall.Mkfifo(filepath.Join(dir, name), 0o666))
	}
	g := &gate{dir: dir, released: make(chan struct{}), reached: make(chan struct{})}
	t.Cleanup(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, f := range g.fds {
			f.Close()
		}
	})
	return g
}

// release ends the hold of both the download and the build; calling it
// again does nothing.
func (g *gate) release() error {
	var err error
	g.releaseOnce.Do(func() {
		close(g.released)
		g.mu.Lock()
		defer g.mu.Unlock()
		// Opening a fifo read-write never blocks (Linux): the build's
		// `read < release` then finds a writer and the line, whether it
		// waits already or gets there later, and a build that has not yet
		// written its pid into started finds a reader.
		for _, name := range []string{"started", "release"} {
			f, e := os.OpenFile(filepath.Join(g.dir, name), os.O_RDWR, 0)
			if e != nil {
				err = errors.Join(err, e)
				continue
			}
			g.fds = append(g.fds, f)
			if name == "release" {
				if _, e := f.WriteString("go\n"); e != nil {
					err = errors.Join(err, e)
				}
			}
		}
	})
	return err
}

// hold serves h, holding the response to a request for path (the held
// NAR) after its headers and the first half of its body until the gate
// is released or the client goes away. Half, not nothing: nix then shows
// bytes moving ("48.3 KiB of 96.6 KiB"), as a real slow download does,
// and a test can tell a download in progress from one not yet begun.
// Nix gives up on a download that sends nothing for stalled-download-
// timeout (300 s by default), far longer than a test holds it.
func (g *gate) hold(h http.Handler, path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(&holdWriter{ResponseWriter: w, g: g, r: r}, r)
	})
}

// holdWriter is the held response: it lets half the body through, then
// waits.
type holdWriter struct {
	http.ResponseWriter
	g       *gate
	r       *http.Request
	sent    int64
	limit   int64
	started bool
	held    bool
}

func (w *holdWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		// http.FileServer sets Content-Length before the body.
		n, _ := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64)
		w.limit = n / 2
	}
	written := 0
	if !w.held && w.sent+int64(len(p)) > w.limit {
		k := int(w.limit - w.sent)
		m, err := w.ResponseWriter.Write(p[:k])
		w.sent += int64(m)
		written += m
		if err != nil {
			return written, err
		}
		w.Flush()
		w.held = true
		w.g.reachOnce.Do(func() { close(w.g.reached) })
		select {
		case <-w.g.released:
		case <-w.r.Context().Done():
			return written, w.r.Context().Err()
		}
		p = p[k:]
	}
	m, err := w.ResponseWriter.Write(p)
	w.sent += int64(m)
	return written + m, err
}

// Flush lets the throttle (and the hold itself) push what was written to
// the client.
func (w *holdWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// gatedPath is the store path of GatedPackage among paths.
func gatedPath(t testing.TB, paths []string) string {
	t.Helper()
	for _, p := range paths {
		if strings.HasSuffix(p, "-"+GatedPackage) {
			return p
		}
	}
	t.Fatalf("switchtest: no %s among the cached paths %v", GatedPackage, paths)
	return ""
}

// narURL reads the URL of storePath's NAR (relative to the cache) from its
// narinfo in the binary cache dir.
func narURL(t testing.TB, dir, storePath string) string {
	t.Helper()
	hash, _, _ := strings.Cut(filepath.Base(storePath), "-")
	f, err := os.Open(filepath.Join(dir, hash+".narinfo"))
	must(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "URL: "); ok {
			return u
		}
	}
	t.Fatalf("switchtest: no URL in the narinfo of %s", storePath)
	return ""
}

// Release ends Config.Gate's holds: the held download sends the rest of
// its body and the held build goes on. It is called in a cleanup too,
// before the cache's server closes, so a test that failed early cannot
// hang; calling it again does nothing.
func (f *Fixture) Release() {
	if f.gate == nil {
		return
	}
	if err := f.gate.release(); err != nil {
		// Nothing a caller could do: the build then waits until the
		// switch is stopped, which the test's end does.
		fmt.Fprintf(os.Stderr, "switchtest: release the gate: %v\n", err)
	}
}

// AwaitGatedDownload waits until the cache has sent the first half of the
// held download (GatedPackage) and holds the rest, at most timeout.
func (f *Fixture) AwaitGatedDownload(timeout time.Duration) error {
	if f.gate == nil {
		return errors.New("switchtest: the fixture has no gate (Config.Gate)")
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-f.gate.reached:
		return nil
	case <-timer.C:
		return fmt.Errorf("switchtest: nix did not download %s within %v", GatedPackage, timeout)
	}
}

// AwaitGatedBuild waits until the held build (GatedBuild) started and
// returns its pid, or an error when stop is closed first (nil waits on)
// or the build did not start within timeout.
func (f *Fixture) AwaitGatedBuild(stop <-chan struct{}, timeout time.Duration) (int, error) {
	if f.gate == nil {
		return 0, errors.New("switchtest: the fixture has no gate (Config.Gate)")
	}
	return readPid(filepath.Join(f.gate.dir, "started"), "held", stop, timeout)
}
