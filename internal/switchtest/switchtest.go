// Package switchtest sets up a whole home-manager switch that runs for
// real, offline, for tests: a rendered configuration whose inputs are
// replaced by FIXTURE flakes standing in for nixpkgs and home-manager
// (internal/switchtest/testdata/fixture-*), a temporary HOME, and optionally a local
// binary cache served on 127.0.0.1 so the switch really downloads. Nothing
// here is home-manager; the fixtures only imitate what nixboard relies on.
package switchtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// Config chooses the variant of the fixture.
type Config struct {
	// InstallHomeManager puts the fixture home-manager first on PATH, so
	// the switch runs it directly instead of through `nix run`.
	InstallHomeManager bool
	// Cache builds the fixture packages (git, tmux, neovim) into a local
	// binary cache served on 127.0.0.1 and removes them from the store, so
	// the switch downloads them.
	Cache bool
	// ConfigDir, when set, is a rendered configuration to copy instead of
	// testdata/fixture-config (e.g. one flakegen rendered).
	ConfigDir string
	// SleepSeconds makes the home-manager-path build sleep; Marker is put
	// into that builder's environment so a test can find it in /proc.
	SleepSeconds int
	Marker       string
	// Pace (seconds, e.g. "0.2") slows the fixture builds and activation
	// down line by line, and Throttle (bytes a second) the cache, so a
	// recording has a believable pace.
	Pace     string
	Throttle int
	// Mode is how nix runs: single-user (the zero value), or through a
	// nix-daemon the test starts (nixtest.ThroughDaemon); the fixture's
	// own builds and the switch both run that way.
	Mode nixtest.Mode
	// Wait makes the home-manager-path build wait on a fifo the test
	// controls (Fixture.WaitFifo): the build writes its pid into it, then
	// waits until something writes to the fifo, which nothing does, so it
	// runs until the switch is stopped. Unlike SleepSeconds it works for
	// a configuration flakegen rendered too (it goes through the fixture
	// nixpkgs).
	Wait bool
	// Gate holds a download and a build running at the same time until
	// the test calls Fixture.Release, for a test of what the screen shows
	// meanwhile. It implies Cache. The cache answers git's NAR request
	// with its headers and the first half of its body, then holds the
	// rest (Fixture.AwaitGatedDownload says when it does); the other
	// packages download at once. The hm_.bashrc build, which depends on
	// no download, writes its pid into a fifo (Fixture.AwaitGatedBuild)
	// and waits until Release writes into another. Nix 2.8 counts a
	// substitution against max-jobs as it does a build (its default, 1,
	// would run them one after the other, and a held download would hold
	// the build back for ever), so the fixture adds --option max-jobs 4
	// to ExtraArgs; Nix 2.26 runs substitutions beside max-jobs builds.
	Gate bool
}

// Fixture is a configuration ready to switch.
type Fixture struct {
	// Dir is the configuration directory (not yet a git repository).
	Dir string
	// Nixpkgs and HomeManager are the fixture flakes' directories.
	Nixpkgs, HomeManager string
	// Home is the temporary HOME the activation writes into.
	Home string
	// Env is the environment of the switch: offline NIX_CONFIG, HOME,
	// PATH with nix (and the fixture home-manager when installed), and in
	// daemon mode NIX_REMOTE and the daemon's socket.
	Env []string
	// ExtraArgs override the inputs with the fixtures (and add the local
	// cache when there is one).
	ExtraArgs []string
	// Name is the configuration name, user@host.
	Name string
	// Mode is how nix runs; clients counts the daemon's clients once the
	// fixture is set up.
	Mode    nixtest.Mode
	clients int
	// WaitFifo is the fifo of Config.Wait ("" without it).
	WaitFifo string
	// gate is Config.Gate's (nil without it).
	gate *gate
}

// CheckMode fails the test when the fixture runs through a daemon but
// nothing connected to it since the fixture was set up: the switch ran on
// the store directly, so the daemon-mode test would prove nothing.
func (f *Fixture) CheckMode(t testing.TB) {
	t.Helper()
	if f.Mode == nixtest.ThroughDaemon && nixtest.DaemonClients(f.Env) <= f.clients {
		t.Errorf("daemon mode, but nothing connected to the test's nix-daemon during the switch: the environment lost NIX_REMOTE")
	}
}

// Testdata is the absolute path of internal/switchtest/testdata.
func Testdata() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata")
}

// New sets up a fixture; it calls nixtest.Require.
func New(t testing.TB, c Config) *Fixture {
	t.Helper()
	nixtest.Require(t)
	root := t.TempDir()
	td := Testdata()
	f := &Fixture{
		Dir:         filepath.Join(root, "config"),
		Nixpkgs:     filepath.Join(root, "nixpkgs"),
		HomeManager: filepath.Join(root, "home-manager"),
		Home:        filepath.Join(root, "home"),
		Name:        "fixture@fixturebox",
	}
	src := c.ConfigDir
	if src == "" {
		src = filepath.Join(td, "fixture-config")
	}
	CopyDir(t, src, f.Dir)
	CopyDir(t, filepath.Join(td, "fixture-nixpkgs"), f.Nixpkgs)
	CopyDir(t, filepath.Join(td, "fixture-home-manager"), f.HomeManager)
	salt := make([]byte, 8)
	rand.Read(salt)
	must(t, os.WriteFile(filepath.Join(f.Nixpkgs, "salt"), []byte(hex.EncodeToString(salt)), 0o644))
	if c.Wait {
		// The fifo itself stays outside the flake: nix cannot copy one
		// into the store.
		f.WaitFifo = filepath.Join(root, "build.fifo")
		must(t, syscall.Mkfifo(f.WaitFifo, 0o666))
		must(t, os.WriteFile(filepath.Join(f.Nixpkgs, "wait-fifo"), []byte(f.WaitFifo), 0o644))
	}
	if c.Gate {
		c.Cache = true
		f.gate = newGate(t, filepath.Join(root, "gate"))
		// The gate's fifos stay outside the flake too.
		must(t, os.WriteFile(filepath.Join(f.Nixpkgs, "gate-dir"), []byte(f.gate.dir), 0o644))
	}
	must(t, os.MkdirAll(f.Home, 0o755))
	if c.SleepSeconds > 0 || c.Pace != "" {
		flake := filepath.Join(f.Dir, "flake.nix")
		data, err := os.ReadFile(flake)
		must(t, err)
		s := strings.Replace(string(data), "modules = [ ./home.nix ];",
			"modules = [ ./home.nix ]; fixtureSleep = "+strconv.Itoa(c.SleepSeconds)+"; fixtureMarker = \""+c.Marker+"\"; fixturePace = \""+c.Pace+"\";", 1)
		if s == string(data) {
			t.Fatalf("switchtest: cannot add the sleep to %s", flake)
		}
		must(t, os.WriteFile(flake, []byte(s), 0o644))
	}
	registry := filepath.Join(root, "registry.json")
	must(t, os.WriteFile(registry, []byte(`{"flakes":[],"version":2}`), 0o644))
	nixConfig := nixtest.OfflineConfig + "flake-registry = " + registry + "\n"
	path := "/usr/bin:/bin"
	f.ExtraArgs = []string{
		"--override-input", "nixpkgs", "path:" + f.Nixpkgs,
		"--override-input", "home-manager", "path:" + f.HomeManager,
	}
	modeEnv := c.Mode.Env(t)
	env := func(extra ...string) []string {
		var out []string
		for _, kv := range os.Environ() {
			k, _, _ := strings.Cut(kv, "=")
			switch {
			case k == "NIX_CONFIG", k == "HOME", k == "PATH", k == "USER", strings.HasPrefix(k, "XDG_"), k == "NIX_REMOTE", k == "NIX_DAEMON_SOCKET_PATH":
				continue
			}
			out = append(out, kv)
		}
		out = append(out, "HOME="+f.Home, "USER=fixture", "NIX_CONFIG="+nixConfig)
		return append(append(out, modeEnv...), extra...)
	}
	base := env("PATH=" + path)
	// Lock the configuration to the fixtures, as a first run would lock
	// it to the real inputs: `nix run DIR#home-manager` and the switch
	// read the lock file.
	Nix(t, base, "flake", "lock", f.Dir, f.ExtraArgs[0], f.ExtraArgs[1], f.ExtraArgs[2], f.ExtraArgs[3], f.ExtraArgs[4], f.ExtraArgs[5])
	if c.InstallHomeManager {
		out := Nix(t, base, "build", "--no-link", "--json", "path:"+f.HomeManager+"#home-manager")
		paths := outPaths(t, out)
		path = filepath.Join(paths[0], "bin") + ":" + path
	}
	if c.Cache {
		url, key := serveCache(t, base, f.Nixpkgs, root, c.Throttle, f.gate)
		f.ExtraArgs = append(f.ExtraArgs, "--option", "substituters", url, "--option", "trusted-public-keys", key)
	}
	if f.gate != nil {
		f.ExtraArgs = append(f.ExtraArgs, "--option", "max-jobs", strconv.Itoa(gateMaxJobs))
		// Registered after the cache's server, so it runs before the
		// server's Close, which waits for every request it serves: a held
		// download would hold the cleanup for ever.
		t.Cleanup(f.Release)
	}
	f.Env = env("PATH=" + path)
	f.Mode, f.clients = c.Mode, nixtest.DaemonClients(f.Env)
	return f
}

// serveCache builds the fixture packages into a binary cache under root,
// signed with a key made for it as real caches are, serves it on 127.0.0.1,
// deletes the packages from the store, and returns the cache's URL and its
// public key. A signed cache needs no require-sigs = false, which a
// nix-daemon would not take from its client anyway: the daemon's store reads
// require-sigs once, before the client's options arrive.
func serveCache(t testing.TB, env []string, nixpkgs, root string, throttle int, g *gate) (url, publicKey string) {
	t.Helper()
	dir := filepath.Join(root, "cache")
	secret, public := filepath.Join(root, "cache.secret"), filepath.Join(root, "cache.public")
	run(t, env, "nix-store", "--generate-binary-cache-key", "fixture-cache-1", secret, public)
	key, err := os.ReadFile(public)
	must(t, err)
	var attrs []string
	for _, p := range []string{"git", "tmux", "neovim"} {
		attrs = append(attrs, "path:"+nixpkgs+"#legacyPackages."+System()+"."+p)
	}
	paths := outPaths(t, Nix(t, env, append([]string{"build", "--no-link", "--json"}, attrs...)...))
	Nix(t, env, append([]string{"copy", "--to", "file://" + dir + "?compression=none&secret-key=" + secret}, paths...)...)
	Nix(t, env, append([]string{"store", "delete"}, paths...)...)
	var h http.Handler = http.FileServer(http.Dir(dir))
	if throttle > 0 {
		h = Throttled(h, throttle)
	}
	if g != nil {
		h = g.hold(h, "/"+narURL(t, dir, gatedPath(t, paths)))
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, strings.TrimSpace(string(key))
}

// Throttled serves h at about bps bytes a second: each response goes out in
// 16 KiB slices, flushed one by one, so nix sees a download's bytes move for
// a while. A request whose client went away stops at once.
func Throttled(h http.Handler, bps int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&slowWriter{ResponseWriter: w, bps: bps, done: r.Context().Done()}, r)
	})
}

type slowWriter struct {
	http.ResponseWriter
	bps  int
	done <-chan struct{}
}

func (w *slowWriter) Write(p []byte) (int, error) {
	const chunk = 16 << 10
	n := 0
	for len(p) > 0 {
		k := min(chunk, len(p))
		m, err := w.ResponseWriter.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		w.Flush()
		p = p[k:]
		// The pace of the fixture cache, not a wait for an event.
		select {
		case <-w.done:
			return n, http.ErrAbortHandler
		case <-time.After(time.Duration(k) * time.Second / time.Duration(w.bps)):
		}
	}
	return n, nil
}

// Flush lets a handler that flushes (http.FileServer's callers) flush
// through the pacing.
func (w *slowWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Nix runs nix with env and returns its stdout, failing the test on error.
func Nix(t testing.TB, env []string, args ...string) []byte {
	t.Helper()
	return run(t, env, "nix", args...)
}

// run runs a command of the nix installation with env and returns its
// stdout, failing the test on error.
func run(t testing.TB, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func outPaths(t testing.TB, out []byte) []string {
	t.Helper()
	var res []struct {
		Outputs map[string]string `json:"outputs"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("nix build --json: %v: %s", err, out)
	}
	var paths []string
	for _, r := range res {
		paths = append(paths, r.Outputs["out"])
	}
	return paths
}

// System is the Nix system string of this machine, e.g. x86_64-linux.
func System() string {
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if arch == "" {
		arch = runtime.GOARCH
	}
	return arch + "-" + runtime.GOOS
}

// NewMarker returns a word no other process carries, with prefix: give it
// as Config.Marker and find the sleeping builder with Procs.
func NewMarker(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// Procs lists the live processes in process group pgid (-1 for none) or
// whose environment or command line holds marker, as "pid command line".
// An interrupted switch must leave none: the builder runs in a session of
// its own (nix calls setsid), so it is found by its marker.
func Procs(pgid int, marker string) []string {
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		stat, err := os.ReadFile(filepath.Join(dir, "stat"))
		if err != nil {
			continue
		}
		// Fields after the ")" that ends the command name: state ppid pgrp.
		i := bytes.LastIndexByte(stat, ')')
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) < 3 || fields[0] == "Z" {
			continue
		}
		env, _ := os.ReadFile(filepath.Join(dir, "environ"))
		cmdline, _ := os.ReadFile(filepath.Join(dir, "cmdline"))
		if fields[2] == strconv.Itoa(pgid) || bytes.Contains(env, []byte(marker)) || bytes.Contains(cmdline, []byte(marker)) {
			out = append(out, e.Name()+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return out
}

// CopyDir copies a directory tree of regular files.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	must(t, err)
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Answers are the answers of the fixture's person, for a configuration
// flakegen renders: the user, home and host the fixture home-manager
// expects, on this machine's system.
func Answers() flakegen.Answers {
	a := flakegen.DefaultFor("linux", System())
	a.HomeBase.Username = "fixture"
	a.HomeBase.HomeDirectory = "/home/fixture"
	a.Hostname = "fixturebox"
	a.Git = flakegen.GitAnswer{Name: "Fixture Person", Email: "fixture@example.invalid"}
	return a
}

// NewRendered is New for a configuration flakegen renders from Answers (its
// flake.nix, home.nix and base layer), with the inputs replaced by the
// fixtures, nix running in mode m.
func NewRendered(t testing.TB, m nixtest.Mode) *Fixture {
	t.Helper()
	return NewRenderedWith(t, Config{Mode: m})
}

// NewRenderedWith is NewRendered with the fixture's other options (c's
// ConfigDir is the rendered one).
func NewRenderedWith(t testing.TB, c Config) *Fixture {
	t.Helper()
	rendered := filepath.Join(t.TempDir(), "rendered")
	plan, err := flakegen.NewPlan(t.Context(), rendered, Answers(), os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	// New copies the directory into a repository of its own.
	os.RemoveAll(filepath.Join(rendered, ".git"))
	c.ConfigDir = rendered
	return New(t, c)
}

// Proc is one process, named by its pid and start time so that a pid the
// kernel reused is never taken for it.
type Proc struct {
	Pid     int
	Start   string
	Cmdline string
}

func (p Proc) String() string { return strconv.Itoa(p.Pid) + " " + p.Cmdline }

// procStat reads the parent pid and start time of a live process (false
// for one that is gone or a zombie).
func procStat(pid int) (ppid int, start string, ok bool) {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, "", false
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, "", false
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return 0, "", false
	}
	ppid, _ = strconv.Atoi(f[1])
	return ppid, f[19], true
}

// ProcOf returns the live process pid (false when there is none).
func ProcOf(pid int) (Proc, bool) {
	_, start, ok := procStat(pid)
	if !ok {
		return Proc{}, false
	}
	cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	return Proc{Pid: pid, Start: start, Cmdline: strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))}, true
}

// Alive reports whether p is still running (not exited, not another
// process with its pid).
func (p Proc) Alive() bool {
	_, start, ok := procStat(p.Pid)
	return ok && start == p.Start
}

// Tree lists every live process below pid, whatever its group or session.
func Tree(pid int) []Proc {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, _, ok := procStat(p); ok {
			children[ppid] = append(children[ppid], p)
		}
	}
	var out []Proc
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if pr, ok := ProcOf(c); ok {
				out = append(out, pr)
			}
			queue = append(queue, c)
		}
	}
	return out
}

// WaitGone waits until p has exited, at most timeout, and reports
// whether it did. It waits for the event, not by looking again and again:
// a pidfd becomes readable when its process exits, whether or not it is
// the caller's child (a daemon's build, a terminal's grandchild). The
// start time, checked once the pidfd is open, makes sure the pidfd is p's
// and not a later process's with its pid. The error is a pidfd that could
// not be had or watched (pidfds need Linux 5.3).
func (p Proc) WaitGone(timeout time.Duration) (bool, error) {
	fd, err := unix.PidfdOpen(p.Pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("switchtest: pidfd_open %d: %w", p.Pid, err)
	}
	defer unix.Close(fd)
	if !p.Alive() {
		return true, nil
	}
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return !p.Alive(), nil
		}
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, int(left.Milliseconds())+1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return false, fmt.Errorf("switchtest: poll on the pidfd of %d: %w", p.Pid, err)
		}
		if n > 0 {
			return true, nil
		}
	}
}

// ReadFifo reads what a writer writes into the fifo at path, until it
// closes it: opening it blocks until a writer comes, so this waits for an
// event. It returns an error when stop is closed first (nil waits on) or
// no writer came within timeout.
func ReadFifo(path string, stop <-chan struct{}, timeout time.Duration) ([]byte, error) {
	got := make(chan []byte, 1)
	go func() {
		data, _ := os.ReadFile(path)
		got <- data
	}()
	// A writer of its own unblocks the reader above when none came (it
	// then reads nothing).
	unblock := func() {
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case data := <-got:
		return data, nil
	case <-stop:
		unblock()
		return nil, errors.New("stopped before anything wrote into " + path)
	case <-timer.C:
		unblock()
		return nil, fmt.Errorf("nothing wrote into %s in %v", path, timeout)
	}
}

// ReadWaitFifo waits for the build of Config.Wait to start and returns its
// pid, or an error when stop is closed first (the switch ended without
// reaching the build) or the build did not start within timeout.
func (f *Fixture) ReadWaitFifo(stop <-chan struct{}, timeout time.Duration) (int, error) {
	if f.WaitFifo == "" {
		return 0, fmt.Errorf("switchtest: the fixture has no wait fifo (Config.Wait)")
	}
	return readPid(f.WaitFifo, "waiting", stop, timeout)
}

// readPid reads the pid a fixture build writes into its fifo when it
// starts (which says what build it is, for the errors), as ReadFifo waits.
func readPid(fifo, which string, stop <-chan struct{}, timeout time.Duration) (int, error) {
	data, err := ReadFifo(fifo, stop, timeout)
	if err != nil {
		return 0, fmt.Errorf("switchtest: the %s build did not start: %w", which, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, fmt.Errorf("switchtest: the %s build wrote %q into its fifo", which, data)
	}
	return pid, nil
}

// AwaitGone waits until every process Procs(-1, marker) lists now has
// exited, as an event (a pidfd becomes readable when its process exits),
// with timeout only as a guard against a hang; it returns what is still
// there at the end. Through a nix-daemon the builder is the daemon's, which
// stops it once its client is gone, on its own time.
func AwaitGone(marker string, timeout time.Duration) []string {
	deadline := time.Now().Add(timeout)
	var fds []unix.PollFd
	for _, p := range Procs(-1, marker) {
		pid, _ := strconv.Atoi(strings.Fields(p)[0])
		fd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			continue // gone already
		}
		defer unix.Close(fd)
		fds = append(fds, unix.PollFd{Fd: int32(fd), Events: unix.POLLIN})
	}
	for len(fds) > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		if _, err := unix.Poll(fds, int(left.Milliseconds())+1); err != nil && !errors.Is(err, unix.EINTR) {
			break
		}
		still := fds[:0]
		for _, fd := range fds {
			if fd.Revents == 0 {
				still = append(still, unix.PollFd{Fd: fd.Fd, Events: unix.POLLIN})
			}
		}
		fds = still
	}
	return Procs(-1, marker)
}
