package detect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Host returns the real machine nixboard runs on: its files, its process
// environment, its PATH, and the operating system and architecture the
// binary was built for. Use FromEnv to honour the NIXBOARD_* overrides.
func Host() Machine {
	return &rooted{getenv: os.Getenv, names: envNames(os.Environ()), goos: runtime.GOOS, goarch: runtime.GOARCH}
}

// envNames is the variable names of an environment (KEY=VALUE pairs), for
// FromEnv.
func envNames(environ []string) []string {
	names := make([]string, 0, len(environ))
	for _, kv := range environ {
		if k, _, ok := strings.Cut(kv, "="); ok && k != "" {
			names = append(names, k)
		}
	}
	return names
}

// Environment variables that point detection at another machine.
const (
	// EnvRoot names a directory that stands for the machine's "/".
	EnvRoot = "NIXBOARD_ROOT"
	// EnvGOOS and EnvGOARCH pretend to be another OS and architecture,
	// spelled as Go spells them (linux, darwin; amd64, arm64).
	EnvGOOS   = "NIXBOARD_GOOS"
	EnvGOARCH = "NIXBOARD_GOARCH"
)

var (
	knownGOOS   = []string{"linux", "darwin", "freebsd", "windows"}
	knownGOARCH = []string{"amd64", "arm64", "386", "arm", "riscv64", "ppc64le", "s390x", "loong64"}
)

// FromEnv returns the machine that the environment describes. Without
// NIXBOARD_ROOT it is the host, read through getenv. With NIXBOARD_ROOT set to
// a directory, every machine path is read under that directory, and symbolic
// links (absolute ones too) resolve inside it.
//
// PATH keeps its meaning as the machine sees it: each PATH entry is a machine
// directory, so with NIXBOARD_ROOT=/fx and PATH=/usr/bin:/bin the command
// "nix" is /fx/usr/bin/nix, reported as /usr/bin/nix. Commands found that way
// (a fixture's stub scripts) run on the host with the environment that getenv
// describes, NIXBOARD_ROOT included, and their arguments as the machine
// would see them.
//
// The commands detection runs get the variables a probe may need (PATH,
// HOME, the NIX_* and XDG_* ones and a few more) and those environ names
// (KEY=VALUE pairs, as os.Environ gives them), each with the value getenv
// gives it: Main passes the process environment, a test only getenv.
//
// NIXBOARD_GOOS and NIXBOARD_GOARCH override the operating system and
// architecture. An unknown value, or a root that is not a directory, is an
// error naming the variable.
func FromEnv(getenv func(string) string, environ ...string) (Machine, error) {
	m := &rooted{getenv: getenv, names: envNames(environ), goos: runtime.GOOS, goarch: runtime.GOARCH}
	if v := getenv(EnvGOOS); v != "" {
		if !slices.Contains(knownGOOS, v) {
			return nil, fmt.Errorf("%s=%q: want one of %s", EnvGOOS, v, strings.Join(knownGOOS, ", "))
		}
		m.goos = v
	}
	if v := getenv(EnvGOARCH); v != "" {
		if !slices.Contains(knownGOARCH, v) {
			return nil, fmt.Errorf("%s=%q: want one of %s", EnvGOARCH, v, strings.Join(knownGOARCH, ", "))
		}
		m.goarch = v
	}
	if root := getenv(EnvRoot); root != "" {
		abs, err := filepath.Abs(root)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", EnvRoot, root, err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %w", EnvRoot, root, err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("%s=%q: not a directory", EnvRoot, root)
		}
		if abs != "/" {
			m.root = abs
		}
	}
	return m, nil
}

// rooted is a machine whose files live under a host directory (root), or
// the host itself when root is empty.
type rooted struct {
	root   string
	getenv func(string) string
	goos   string
	goarch string

	// names are the variables, besides passEnv, that commands run with.
	names   []string
	envOnce sync.Once
	env     []string
}

func (m *rooted) GOOS() string             { return m.goos }
func (m *rooted) GOARCH() string           { return m.goarch }
func (m *rooted) Getenv(key string) string { return m.getenv(key) }

// maxLinks bounds symbolic link resolution, as the kernel's ELOOP does.
const maxLinks = 40

// hostPath maps a machine path to the host path to open. When followLast
// is false, a symbolic link in the last component is not followed.
func (m *rooted) hostPath(op, name string, followLast bool) (string, error) {
	if !path.IsAbs(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if m.root == "" {
		return filepath.FromSlash(path.Clean(name)), nil
	}
	cur, err := resolve(op, name, followLast, func(p string) (string, bool, bool) {
		fi, err := os.Lstat(m.root + p)
		if err != nil {
			return "", false, false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return "", false, true
		}
		target, err := os.Readlink(m.root + p)
		return target, err == nil, true
	})
	if err != nil {
		return "", err
	}
	return m.root + cur, nil
}

// resolve follows the symbolic links in a machine path, treating "/" as
// the root of the machine, so no link or ".." can lead outside it. link
// reports whether a machine path exists and, if it is a symbolic link, its
// target.
func resolve(op, name string, followLast bool, link func(p string) (target string, isLink, exists bool)) (string, error) {
	parts := splitPath(name)
	cur := "/"
	links := 0
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		switch p {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, p)
		if i == len(parts)-1 && !followLast {
			return next, nil
		}
		target, isLink, exists := link(next)
		if !exists {
			// The rest does not exist; the caller's operation reports it.
			return path.Join(append([]string{next}, parts[i+1:]...)...), nil
		}
		if !isLink {
			cur = next
			continue
		}
		links++
		if links > maxLinks {
			return "", &fs.PathError{Op: op, Path: name, Err: syscall.ELOOP}
		}
		if path.IsAbs(target) {
			cur = "/"
		}
		parts = append(splitPath(target), parts[i+1:]...)
		i = -1
	}
	return cur, nil
}

func splitPath(p string) []string {
	return strings.Split(strings.Trim(p, "/"), "/")
}

// machineErr puts the machine path back into a path error, so messages never
// show the fixture root.
func machineErr(err error, name string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}

// onHost calls the os function f on the host path of a machine path, and
// reports errors with the machine path.
func onHost[T any](m *rooted, op, name string, followLast bool, f func(string) (T, error)) (T, error) {
	p, err := m.hostPath(op, name, followLast)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := f(p)
	return v, machineErr(err, name)
}

func (m *rooted) ReadFile(name string) ([]byte, error) {
	return onHost(m, "open", name, true, os.ReadFile)
}

func (m *rooted) Stat(name string) (fs.FileInfo, error) {
	return m.ownerless(onHost(m, "stat", name, true, os.Stat))
}

func (m *rooted) Lstat(name string) (fs.FileInfo, error) {
	return m.ownerless(onHost(m, "lstat", name, false, os.Lstat))
}

// ownerless hides who owns a file under a root: the files of a copied
// machine belong to whoever copied them (the checkout of a fixture), not to
// that machine's users, so a rooted machine does not say. The host's own
// files keep their owner (Sys is the *syscall.Stat_t).
func (m *rooted) ownerless(fi fs.FileInfo, err error) (fs.FileInfo, error) {
	if err != nil || m.root == "" {
		return fi, err
	}
	return noOwner{fi}, nil
}

// noOwner is file info without the system's own data, so without an owner.
type noOwner struct{ fs.FileInfo }

func (noOwner) Sys() any { return nil }

func (m *rooted) ReadDir(name string) ([]fs.DirEntry, error) {
	return onHost(m, "open", name, true, os.ReadDir)
}

func (m *rooted) Readlink(name string) (string, error) {
	return onHost(m, "readlink", name, false, os.Readlink)
}

func (m *rooted) LookPath(file string) (string, error) {
	return lookPath(file, m.getenv("PATH"), m.isExecutable)
}

// lookPath finds file in the machine directories of pathList, or checks it
// as it is when it holds a slash, the way every Machine's LookPath does.
func lookPath(file, pathList string, executable func(name string) bool) (string, error) {
	if strings.Contains(file, "/") {
		if executable(file) {
			return file, nil
		}
		return "", fmt.Errorf("%s: %w", file, ErrNotFound)
	}
	for _, dir := range strings.Split(pathList, ":") {
		if !path.IsAbs(dir) {
			continue // Relative PATH entries are ignored, as exec.LookPath does for ".".
		}
		if p := path.Join(dir, file); executable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w", file, ErrNotFound)
}

func (m *rooted) isExecutable(name string) bool {
	fi, err := m.Stat(name)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// passEnv lists variables a command may need that the process environment
// might lack when getenv is injected (tests, fixtures).
var passEnv = []string{
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TMPDIR", "LANG", "LC_ALL",
	"NIX_CONFIG", "NIX_REMOTE", "NIX_PATH", "NIX_USER_CONF_FILES", "NIX_CONF_DIR",
	"XDG_CONFIG_HOME", "XDG_CONFIG_DIRS", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME",
	"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM",
	EnvRoot, EnvGOOS, EnvGOARCH,
}

// environ is the environment commands run with: every variable of names
// and of passEnv, with the value getenv gives it.
func (m *rooted) environ() []string {
	m.envOnce.Do(func() {
		keys := append(slices.Clone(passEnv), m.names...)
		slices.Sort(keys)
		keys = slices.Compact(keys)
		for _, k := range keys {
			if v := m.getenv(k); v != "" {
				m.env = append(m.env, k+"="+v)
			}
		}
	})
	return m.env
}

// waitDelay bounds how long Run waits for a killed command's output pipes,
// which a grandchild (a stub's sleep) may hold open.
const waitDelay = 250 * time.Millisecond

func (m *rooted) Run(ctx context.Context, name string, args ...string) (Output, error) {
	p, err := m.LookPath(name)
	if err != nil {
		return Output{}, err
	}
	host, err := m.hostPath("exec", p, true)
	if err != nil {
		return Output{}, err
	}
	// A command that prints more than MaxOutput is stopped at once: its
	// whole process group is killed through the context (killGroup), and
	// the pipe is no longer read, so a command that ignores SIGPIPE stops too.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var over atomic.Bool
	stdout := &cappedBuffer{over: func() { over.Store(true); stop() }}
	stderr := &cappedBuffer{over: stdout.over}
	for attempt := 0; ; attempt++ {
		stdout.buf.Reset()
		stderr.buf.Reset()
		cmd := exec.CommandContext(runCtx, host, args...)
		cmd.Args[0] = name
		cmd.Env = m.environ()
		cmd.Dir = "/"
		if m.root != "" {
			cmd.Dir = m.root
		}
		cmd.Stdout = stdout
		cmd.Stderr = stderr
		cmd.WaitDelay = waitDelay
		killGroup(cmd)
		err = cmd.Run()
		// A file another goroutine has just written (a fixture being
		// copied) can be briefly busy for exec: try again (golang.org/issue/22315).
		if errors.Is(err, syscall.ETXTBSY) && attempt < 5 && ctx.Err() == nil {
			time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
			continue
		}
		break
	}
	// A command that exited successfully may still have its output pipes
	// held open for a moment by a process forked at the same time; what it
	// printed has been read, so that is success.
	if errors.Is(err, exec.ErrWaitDelay) && ctx.Err() == nil {
		err = nil
	}
	out := Output{Stdout: stdout.buf.Bytes(), Stderr: stderr.buf.Bytes()}
	if ctx.Err() != nil {
		return out, fmt.Errorf("%s: %w", name, ctx.Err())
	}
	if over.Load() {
		return out, fmt.Errorf("%s: %w", name, ErrOutputLimit)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out, &ExitError{Name: name, Code: ee.ExitCode()}
	}
	if err != nil {
		return out, fmt.Errorf("%s: %w", name, machineErr(err, p))
	}
	return out, nil
}

// cappedBuffer keeps the first MaxOutput bytes written to it. The write
// that passes the limit calls over and fails, which ends the copy from the
// command's pipe.
type cappedBuffer struct {
	buf  bytes.Buffer
	over func()
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := MaxOutput - c.buf.Len()
	if len(p) <= room {
		return c.buf.Write(p)
	}
	c.buf.Write(p[:room])
	c.over()
	return room, ErrOutputLimit
}

func (m *rooted) DialUnix(ctx context.Context, name string) error {
	p, err := m.hostPath("dial", name, true)
	if err != nil {
		return err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", p)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", name, errors.Unwrap(err))
	}
	return c.Close()
}
