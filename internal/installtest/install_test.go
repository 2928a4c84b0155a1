package installtest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// repoRoot is the checkout this package sits in.
var repoRoot = filepath.Join("..", "..")

// release is a set of release files as a download server holds them, by
// name: checksums.txt and what it lists.
type release struct {
	files map[string][]byte
	// archive is the name of the archive for this machine's OS and
	// architecture; its binary's --version prints version, or starts with
	// versionPrefix.
	archive, version, versionPrefix string
	// source says where the files come from, for the test log.
	source string
}

var (
	hostOnce    sync.Once
	hostRelease *release
	hostErr     error
)

// hostFiles returns the release files for this machine: the snapshot
// build's dist/ (NIXBOARD_DIST, else the checkout's dist/) when it holds
// checksums.txt, else an archive built here with go build, laid out as
// .goreleaser.yaml lays out its archives (the binary, README.md and LICENSE
// at the top).
func hostFiles(t *testing.T) *release {
	t.Helper()
	hostOnce.Do(func() {
		dist := os.Getenv("NIXBOARD_DIST")
		if dist == "" {
			dist = filepath.Join(repoRoot, "dist")
		}
		if _, err := os.Stat(filepath.Join(dist, "checksums.txt")); err == nil {
			hostRelease, hostErr = loadDist(dist)
		} else {
			hostRelease, hostErr = buildRelease(t.TempDir())
		}
	})
	if hostErr != nil {
		t.Fatal(hostErr)
	}
	t.Logf("release files: %s", hostRelease.source)
	return hostRelease
}

func goosGoarch() (string, string) { return runtime.GOOS, runtime.GOARCH }

func loadDist(dist string) (*release, error) {
	sums, err := os.ReadFile(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		return nil, err
	}
	r := &release{files: map[string][]byte{"checksums.txt": sums}, source: "snapshot build in " + dist}
	// GoReleaser's metadata.json names the version it stamped.
	var meta struct{ Version string }
	if b, err := os.ReadFile(filepath.Join(dist, "metadata.json")); err != nil {
		return nil, err
	} else if err := json.Unmarshal(b, &meta); err != nil || meta.Version == "" {
		return nil, fmt.Errorf("%s/metadata.json: no version (%v)", dist, err)
	}
	r.versionPrefix = "nixboard " + meta.Version + " "
	goos, goarch := goosGoarch()
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s/checksums.txt: odd line %q", dist, sc.Text())
		}
		name := fields[1]
		if !strings.HasSuffix(name, ".tar.gz") {
			continue // the .deb and .rpm packages: the script never reads them.
		}
		b, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			return nil, err
		}
		r.files[name] = b
		if strings.HasSuffix(name, "_"+goos+"_"+goarch+".tar.gz") {
			r.archive = name
		}
	}
	if r.archive == "" {
		return nil, fmt.Errorf("%s/checksums.txt lists no archive for %s/%s", dist, goos, goarch)
	}
	return r, nil
}

// buildRelease builds nixboard for this machine, stamped as a release
// build is, and packs it into an archive named as the release names it.
func buildRelease(dir string) (*release, error) {
	goos, goarch := goosGoarch()
	const version = "0.0.0-installtest"
	bin := filepath.Join(dir, "nixboard")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin,
		"-ldflags", "-X main.version="+version+" -X main.commit=installtest",
		"./cmd/nixboard")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	var entries []tarEntry
	for _, f := range []struct {
		path, name string
		mode       int64
	}{{bin, "nixboard", 0o755}, {filepath.Join(repoRoot, "README.md"), "README.md", 0o644}, {filepath.Join(repoRoot, "LICENSE"), "LICENSE", 0o644}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, err
		}
		entries = append(entries, tarEntry{f.name, f.mode, b})
	}
	archive := fmt.Sprintf("nixboard_%s_%s_%s.tar.gz", version, goos, goarch)
	r := &release{files: map[string][]byte{}, archive: archive, source: "archive built by the test (no dist/)"}
	r.add(archive, targz(entries))
	r.version = "nixboard " + version + " (commit installtest)"
	return r, nil
}

type tarEntry struct {
	name string
	mode int64
	data []byte
}

func targz(entries []tarEntry) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), Typeflag: tar.TypeReg}); err != nil {
			panic(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			panic(err)
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
	if err := gz.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// add puts a file into the release and its line into checksums.txt.
func (r *release) add(name string, data []byte) {
	sum := sha256.Sum256(data)
	r.files[name] = data
	r.files["checksums.txt"] = append(r.files["checksums.txt"], hex.EncodeToString(sum[:])+"  "+name+"\n"...)
}

// clone copies the release, so a test can spoil one file.
func (r *release) clone() *release {
	c := *r
	c.files = map[string][]byte{}
	for k, v := range r.files {
		c.files[k] = bytes.Clone(v)
	}
	return &c
}

// server serves a release on 127.0.0.1 and records what was asked for.
type server struct {
	*httptest.Server
	mu        sync.Mutex
	requested []string
}

// serve serves r; a file named in truncate is sent with its full
// Content-Length but only its first half, as a connection that drops does.
func serve(t *testing.T, r *release, truncate string) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		name := strings.TrimPrefix(req.URL.Path, "/")
		s.mu.Lock()
		s.requested = append(s.requested, name)
		s.mu.Unlock()
		b, ok := r.files[name]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		if name == truncate {
			b = b[:len(b)/2]
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requested...)
}

// requireTool returns the path of a tool the script needs, skipping the
// test without it, or failing it under CI=true (.ci/run installs curl; the
// others are in every Debian).
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI but not on PATH: %v", name, err)
		}
		t.Skipf("%s not installed: install it to run this test", name)
	}
	return path
}

// machine is a temporary HOME and TMPDIR for one run of the script, with
// fake uname and sysctl on PATH when a test stands for another machine.
type machine struct {
	home, tmp, fakeBin string
	path               string
}

func newMachine(t *testing.T) *machine {
	t.Helper()
	for _, tool := range []string{"sh", "curl", "tar", "sha256sum", "awk", "mktemp"} {
		requireTool(t, tool)
	}
	m := &machine{home: t.TempDir(), tmp: t.TempDir(), fakeBin: t.TempDir()}
	m.path = m.fakeBin + ":" + os.Getenv("PATH")
	return m
}

func (m *machine) binDir() string { return filepath.Join(m.home, ".local", "bin") }

// fake puts a command on the front of PATH that prints out.
func (m *machine) fake(t *testing.T, name, script string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(m.fakeBin, name), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// fakeUname makes uname say the given kernel name (-s) and machine (-m).
func (m *machine) fakeUname(t *testing.T, kernel, arch string) {
	m.fake(t, "uname", fmt.Sprintf("case $1 in -s) echo %s ;; -m) echo %s ;; *) exit 1 ;; esac\n", kernel, arch))
}

// run runs scripts/install.sh with sh in its own session (no controlling
// terminal, as under CI), returning its exit status and output.
func (m *machine) run(t *testing.T, url string, extraEnv []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command("sh", append([]string{filepath.Join(repoRoot, "scripts", "install.sh")}, args...)...)
	cmd.Env = append([]string{
		"HOME=" + m.home, "TMPDIR=" + m.tmp, "PATH=" + m.path, "SHELL=/bin/bash",
		"NIXBOARD_DOWNLOAD_URL=" + url,
	}, extraEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run install.sh: %v", err)
	}
	t.Logf("install.sh %v: exit %d\nstdout:\n%sstderr:\n%s", args, code, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

// assertClean checks that the script left nothing in TMPDIR and no
// half-installed file in the bin directory.
func (m *machine) assertClean(t *testing.T) {
	t.Helper()
	if left, _ := os.ReadDir(m.tmp); len(left) > 0 {
		t.Errorf("TMPDIR not cleaned up: %v", left)
	}
	staged, _ := filepath.Glob(filepath.Join(m.binDir(), ".nixboard*"))
	if len(staged) > 0 {
		t.Errorf("staged files left in %s: %v", m.binDir(), staged)
	}
}

// assertNotInstalled checks that ~/.local/bin/nixboard is what it was
// before: absent when before is nil.
func (m *machine) assertNotInstalled(t *testing.T, before []byte) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join(m.binDir(), "nixboard"))
	switch {
	case before == nil && err == nil:
		t.Errorf("%s/nixboard was installed", m.binDir())
	case before == nil && !os.IsNotExist(err):
		t.Errorf("stat %s/nixboard: %v", m.binDir(), err)
	case before != nil && !bytes.Equal(got, before):
		t.Errorf("%s/nixboard changed (err %v)", m.binDir(), err)
	}
	m.assertClean(t)
}

func hostVersion(t *testing.T, r *release, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	got := strings.TrimSuffix(string(out), "\n")
	if r.version != "" && got != r.version {
		t.Errorf("installed nixboard says %q, want %q", got, r.version)
	}
	if r.versionPrefix != "" && !strings.HasPrefix(got, r.versionPrefix) {
		t.Errorf("installed nixboard says %q, want %q...", got, r.versionPrefix)
	}
	if !strings.HasPrefix(got, "nixboard ") {
		t.Errorf("installed nixboard says %q", got)
	}
	return got
}

func TestInstallsWorkingBinary(t *testing.T) {
	r := hostFiles(t)
	srv := serve(t, r, "")
	m := newMachine(t)
	code, out, _ := m.run(t, srv.URL, nil)
	if code != 0 {
		t.Fatalf("install.sh exited %d", code)
	}
	bin := filepath.Join(m.binDir(), "nixboard")
	version := hostVersion(t, r, bin)
	if !strings.Contains(out, "installed "+version+" as "+bin) {
		t.Errorf("output does not say what was installed where")
	}
	if !strings.Contains(out, "export PATH=\""+m.binDir()+":$PATH\"' >> ~/.bashrc") {
		t.Errorf("output does not say how to put %s on PATH", m.binDir())
	}
	if !strings.Contains(out, "start it with: "+bin) {
		t.Errorf("output does not say how to start nixboard")
	}
	if got := srv.paths(); len(got) != 2 || got[0] != "checksums.txt" || got[1] != r.archive {
		t.Errorf("requested %v, want checksums.txt then %s", got, r.archive)
	}
	m.assertClean(t)

	// A second run, with the directory on PATH now, replaces the binary
	// and says nothing about PATH.
	m.path = m.binDir() + ":" + m.path
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho old\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, _ = m.run(t, srv.URL, nil)
	if code != 0 {
		t.Fatalf("second install.sh exited %d", code)
	}
	hostVersion(t, r, bin)
	if strings.Contains(out, "not on your PATH") || !strings.Contains(out, "start it with: nixboard\n") {
		t.Errorf("with %s on PATH the output should say to run nixboard", m.binDir())
	}
	m.assertClean(t)
}

// TestRunStartsNixboard: --run (or NIXBOARD_RUN=1) starts the installed
// nixboard with the arguments after --.
func TestRunStartsNixboard(t *testing.T) {
	r := hostFiles(t)
	srv := serve(t, r, "")
	for _, c := range []struct {
		name string
		env  []string
		args []string
	}{
		{"flag", nil, []string{"--run", "--", "--version"}},
		{"env", []string{"NIXBOARD_RUN=1"}, []string{"--", "--version"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t)
			code, out, _ := m.run(t, srv.URL, c.env, c.args...)
			if code != 0 {
				t.Fatalf("install.sh exited %d", code)
			}
			version := hostVersion(t, r, filepath.Join(m.binDir(), "nixboard"))
			if !strings.HasSuffix(out, "\n"+version+"\n") {
				t.Errorf("output does not end with the started nixboard's %q", version)
			}
			m.assertClean(t)
		})
	}
}

func TestChecksumMismatchInstallsNothing(t *testing.T) {
	r := hostFiles(t).clone()
	spoilt := r.files[r.archive]
	spoilt[len(spoilt)/2] ^= 0xff
	srv := serve(t, r, "")
	m := newMachine(t)
	code, _, errOut := m.run(t, srv.URL, nil)
	if code == 0 {
		t.Fatal("install.sh succeeded with a spoilt archive")
	}
	if !strings.Contains(errOut, "checksum mismatch for "+r.archive) || !strings.Contains(errOut, "nothing was installed") {
		t.Errorf("stderr does not name the mismatch: %q", errOut)
	}
	m.assertNotInstalled(t, nil)
}

// TestTruncatedDownloadInstallsNothing: the connection drops halfway
// through the archive; the nixboard already installed stays as it was.
func TestTruncatedDownloadInstallsNothing(t *testing.T) {
	r := hostFiles(t)
	srv := serve(t, r, r.archive)
	m := newMachine(t)
	old := []byte("#!/bin/sh\necho old\n")
	if err := os.MkdirAll(m.binDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(m.binDir(), "nixboard"), old, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := m.run(t, srv.URL, nil)
	if code == 0 {
		t.Fatal("install.sh succeeded with a truncated download")
	}
	if !strings.Contains(errOut, "download of "+r.archive+" failed; nothing was installed") {
		t.Errorf("stderr does not say the download failed: %q", errOut)
	}
	m.assertNotInstalled(t, old)
}

func TestUnknownArchitectureRefused(t *testing.T) {
	r := hostFiles(t)
	srv := serve(t, r, "")
	m := newMachine(t)
	m.fakeUname(t, "Linux", "riscv64")
	code, _, errOut := m.run(t, srv.URL, nil)
	if code == 0 {
		t.Fatal("install.sh succeeded on riscv64")
	}
	if !strings.Contains(errOut, "unsupported architecture: riscv64 (nixboard is built for amd64 and arm64)") {
		t.Errorf("stderr does not refuse the architecture clearly: %q", errOut)
	}
	if got := srv.paths(); len(got) != 0 {
		t.Errorf("downloaded %v before refusing", got)
	}
	m.assertNotInstalled(t, nil)
}

// TestPicksArchiveForMachine: uname and sysctl stand for other machines;
// the release holds fixture archives (a shell script named nixboard that
// says which archive it came from, not nixboard) for each, so what is
// checked is which archive the script chooses and installs.
func TestPicksArchiveForMachine(t *testing.T) {
	fixture := &release{files: map[string][]byte{}}
	for _, target := range []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64"} {
		script := "#!/bin/sh\necho fixture " + target + "\n"
		fixture.add("nixboard_0.0.0-fixture_"+target+".tar.gz", targz([]tarEntry{{"nixboard", 0o755, []byte(script)}}))
	}
	srv := serve(t, fixture, "")
	for _, c := range []struct {
		kernel, arch, translated, want string
	}{
		{"Linux", "x86_64", "", "linux_amd64"},
		{"Linux", "aarch64", "", "linux_arm64"},
		{"Darwin", "arm64", "0", "darwin_arm64"},
		{"Darwin", "x86_64", "0", "darwin_amd64"},
		{"Darwin", "x86_64", "1", "darwin_arm64"}, // Rosetta 2
	} {
		t.Run(c.kernel+"-"+c.arch+"-"+c.translated, func(t *testing.T) {
			m := newMachine(t)
			m.fakeUname(t, c.kernel, c.arch)
			if c.translated != "" {
				m.fake(t, "sysctl", "[ \"$*\" = '-n sysctl.proc_translated' ] && echo "+c.translated+"\n")
			}
			code, out, _ := m.run(t, srv.URL, nil)
			if code != 0 {
				t.Fatalf("install.sh exited %d", code)
			}
			got, err := exec.Command(filepath.Join(m.binDir(), "nixboard")).Output()
			if err != nil || string(got) != "fixture "+c.want+"\n" {
				t.Errorf("installed %q (%v), want the %s archive", got, err, c.want)
			}
			if rosetta := strings.Contains(out, "Rosetta 2"); rosetta != (c.translated == "1") {
				t.Errorf("Rosetta 2 mentioned: %v, want %v", rosetta, c.translated == "1")
			}
			m.assertClean(t)
		})
	}
}
