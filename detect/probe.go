package detect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout is how long one probe (one command, one socket connection)
// may take before its check becomes a warning.
const DefaultTimeout = 2 * time.Second

// Options tune a detection run.
type Options struct {
	// Timeout bounds each probe; zero means DefaultTimeout.
	Timeout time.Duration
}

// prober runs the probes of one detection against one machine.
type prober struct {
	ctx     context.Context
	m       Machine
	timeout time.Duration
}

// result is what one command probe gave: its trimmed output, or why not.
type result struct {
	cmd      string
	stdout   string
	stderr   string
	err      error
	timedOut bool
	ran      bool // false when the command was not found
}

func (r result) ok() bool { return r.ran && r.err == nil }

// problem says in a few words why a probe gave nothing, for a check message.
func (r result) problem() string {
	switch {
	case r.timedOut:
		return fmt.Sprintf("`%s` did not answer in time", r.cmd)
	case !r.ran:
		return fmt.Sprintf("`%s` could not run", r.cmd)
	case errors.Is(r.err, ErrOutputLimit):
		return fmt.Sprintf("`%s` printed more than %d KiB and was stopped (a probe reads a few lines)", r.cmd, MaxOutput>>10)
	case r.err != nil:
		msg := firstLine(r.stderr)
		if msg == "" {
			msg = r.err.Error()
		}
		return fmt.Sprintf("`%s` failed: %s", r.cmd, msg)
	}
	return ""
}

// run runs one command with the probe timeout.
func (p *prober) run(name string, args ...string) result {
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	r := result{cmd: strings.Join(append([]string{path.Base(name)}, args...), " ")}
	out, err := p.m.Run(ctx, name, args...)
	r.stdout = strings.TrimSpace(string(out.Stdout))
	r.stderr = strings.TrimSpace(string(out.Stderr))
	r.err = err
	r.ran = !errors.Is(err, ErrNotFound)
	r.timedOut = errors.Is(err, context.DeadlineExceeded) && p.ctx.Err() == nil
	return r
}

// dial tests a unix socket with the probe timeout.
func (p *prober) dial(name string) error {
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	return p.m.DialUnix(ctx, name)
}

func (p *prober) read(name string) (string, bool) {
	b, err := p.m.ReadFile(name)
	if err != nil {
		return "", false
	}
	return string(b), true
}

func (p *prober) exists(name string) bool {
	_, err := p.m.Stat(name)
	return err == nil
}

func (p *prober) isDir(name string) bool {
	fi, err := p.m.Stat(name)
	return err == nil && fi.IsDir()
}

// lexists reports whether a path exists without following a final link, so
// a dangling profile link still counts.
func (p *prober) lexists(name string) bool {
	_, err := p.m.Lstat(name)
	return err == nil
}

// facts are the raw observations, gathered concurrently; analysis turns them
// into a Report. Each group is written by exactly one goroutine.
type facts struct {
	goos, goarch string
	plat         platformFacts
	nix          nixFacts
	hm           hmFacts
	git          gitFacts
	user         userFacts
	disk         diskFacts
}

type platformFacts struct {
	osrelease    string // /proc/sys/kernel/osrelease
	procVersion  string // /proc/version
	osRelease    map[string]string
	nixosMarker  bool
	wslConf      string
	wslConfOK    bool
	systemdDir   bool // /run/systemd/system
	dockerenv    bool
	containerenv bool
	cgroup       string
	uname        result
	swVers       result
	cpuBrand     result
	arm64        result
	translated   result
}

func gather(ctx context.Context, m Machine, opts Options) *facts {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	p := &prober{ctx: ctx, m: m, timeout: timeout}
	f := &facts{goos: m.GOOS(), goarch: m.GOARCH()}
	var wg sync.WaitGroup
	wg.Go(func() { p.platformFiles(&f.plat) })
	if f.goos == "darwin" {
		wg.Go(func() { f.plat.swVers = p.run("sw_vers") })
		wg.Go(func() { f.plat.cpuBrand = p.run("sysctl", "-n", "machdep.cpu.brand_string") })
		wg.Go(func() { f.plat.arm64 = p.run("sysctl", "-n", "hw.optional.arm64") })
		wg.Go(func() { f.plat.translated = p.run("sysctl", "-n", "sysctl.proc_translated") })
	} else {
		wg.Go(func() { f.plat.uname = p.run("uname", "-m") })
	}
	wg.Go(func() { p.user(&f.user) })
	wg.Go(func() { p.nixProbe(&f.nix, &wg) })
	wg.Go(func() { p.homeManager(&f.hm, &wg) })
	wg.Go(func() { p.gitProbe(&f.git, &wg) })
	wg.Go(func() { p.diskProbe(&f.disk) })
	wg.Wait()
	return f
}

func (p *prober) platformFiles(pf *platformFacts) {
	pf.osrelease, _ = p.read("/proc/sys/kernel/osrelease")
	pf.procVersion, _ = p.read("/proc/version")
	if s, ok := p.read("/etc/os-release"); ok {
		pf.osRelease = parseOSRelease(s)
	} else if s, ok := p.read("/usr/lib/os-release"); ok {
		pf.osRelease = parseOSRelease(s)
	}
	pf.nixosMarker = p.exists("/etc/NIXOS")
	pf.wslConf, pf.wslConfOK = p.read("/etc/wsl.conf")
	pf.systemdDir = p.isDir("/run/systemd/system")
	pf.dockerenv = p.exists("/.dockerenv")
	pf.containerenv = p.exists("/run/.containerenv")
	pf.cgroup, _ = p.read("/proc/1/cgroup")
}

// parseOSRelease reads os-release(5): KEY=value lines, values optionally
// quoted with shell quoting.
func parseOSRelease(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
			v = strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\$`, `$`, "\\`", "`").Replace(v)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out
}

// userFacts are the person's identity and environment.
type userFacts struct {
	name string
	// nameProbe is `id -un`, run when USER and LOGNAME are not set.
	nameProbe result
	passwd    *passwdEntry
	// id is `id -u`: the effective uid.
	id         result
	home       string
	shell      string
	editor     *string
	hostname   string
	homeExists bool
	// homeReal is HOME with its symbolic links resolved, as home-manager's
	// `[[ $HOME -ef ... ]]` sees it.
	homeReal string
	// buildUsers are the nixbld1, nixbld2, ... accounts in /etc/passwd.
	buildUsers []string
}

// uid is the effective uid: what `id -u` says, else the user database's
// uid for the user name.
func (u *userFacts) uid() (int, bool) {
	if u.id.ok() {
		if n, err := strconv.Atoi(firstLine(u.id.stdout)); err == nil && n >= 0 {
			return n, true
		}
	}
	if u.passwd != nil {
		if n, err := strconv.Atoi(u.passwd.uid); err == nil && n >= 0 {
			return n, true
		}
	}
	return 0, false
}

type passwdEntry struct {
	name, uid, home, shell string
}

func (p *prober) user(u *userFacts) {
	// Root is decided by the effective uid, which only id knows; it runs
	// beside the rest.
	var wg sync.WaitGroup
	wg.Go(func() { u.id = p.run("id", "-u") })
	defer wg.Wait()
	u.name = cmp.Or(p.m.Getenv("USER"), p.m.Getenv("LOGNAME"))
	if u.name == "" {
		u.nameProbe = p.run("id", "-un")
		if u.nameProbe.ok() {
			u.name = u.nameProbe.stdout
		}
	}
	if s, ok := p.read("/etc/passwd"); ok {
		for _, line := range strings.Split(s, "\n") {
			fs := strings.Split(line, ":")
			if len(fs) < 7 {
				continue
			}
			if fs[0] == u.name && u.name != "" && u.passwd == nil {
				u.passwd = &passwdEntry{name: fs[0], uid: fs[2], home: fs[5], shell: fs[6]}
			}
			if isBuildUser(fs[0]) {
				u.buildUsers = append(u.buildUsers, fs[0])
			}
		}
	}
	u.home = p.m.Getenv("HOME")
	if u.home == "" && u.passwd != nil {
		u.home = u.passwd.home
	}
	if u.home != "" {
		u.homeExists = p.isDir(u.home)
		u.homeReal = realPath(p.m, u.home)
	}
	u.shell = p.m.Getenv("SHELL")
	if u.shell == "" && u.passwd != nil {
		u.shell = u.passwd.shell
	}
	if e := p.m.Getenv("EDITOR"); e != "" {
		u.editor = &e
	}
	if s, ok := p.read("/etc/hostname"); ok && firstLine(s) != "" {
		u.hostname = firstLine(s)
	} else if h := p.run("hostname"); h.ok() {
		u.hostname = firstLine(h.stdout)
	}
	// The short host name: everything before the first dot, case kept.
	u.hostname, _, _ = strings.Cut(strings.TrimSpace(u.hostname), ".")
}

// home returns HOME, for probes that run before userFacts is complete.
func (p *prober) home() string {
	return p.m.Getenv("HOME")
}

func (p *prober) configHome() string {
	if x := p.m.Getenv("XDG_CONFIG_HOME"); path.IsAbs(x) {
		return x
	}
	if h := p.home(); h != "" {
		return path.Join(h, ".config")
	}
	return ""
}

// hmFacts describe home-manager and the configuration directory.
type hmFacts struct {
	path       string
	version    result
	configDir  string
	flake      bool
	homeNix    bool
	answers    []byte
	answersErr error
	profileDir string
}

func (p *prober) homeManager(h *hmFacts, wg *sync.WaitGroup) {
	if lp, err := p.m.LookPath("home-manager"); err == nil {
		h.path = lp
		wg.Go(func() { h.version = p.run("home-manager", "--version") })
	}
	var dirs []string
	if c := p.configHome(); c != "" {
		dirs = append(dirs, path.Join(c, "home-manager"), path.Join(c, "nixpkgs"))
	}
	for _, d := range dirs {
		flake := p.exists(path.Join(d, "flake.nix"))
		homeNix := p.exists(path.Join(d, "home.nix"))
		b, err := p.m.ReadFile(path.Join(d, "nixboard.json"))
		answers := err == nil || !errors.Is(err, fs.ErrNotExist)
		if !flake && !homeNix && !answers {
			continue
		}
		h.configDir, h.flake, h.homeNix = d, flake, homeNix
		if answers {
			h.answers, h.answersErr = b, err
			if b == nil {
				h.answers = []byte{}
			}
		}
		break
	}
	user := p.m.Getenv("USER")
	candidates := []string{}
	if s := p.m.Getenv("XDG_STATE_HOME"); path.IsAbs(s) {
		candidates = append(candidates, path.Join(s, "nix/profiles"))
	} else if hm := p.home(); hm != "" {
		candidates = append(candidates, path.Join(hm, ".local/state/nix/profiles"))
	}
	if user != "" {
		candidates = append(candidates, path.Join("/nix/var/nix/profiles/per-user", user))
	}
	for _, c := range candidates {
		if p.isDir(c) {
			h.profileDir = c
			break
		}
	}
}

// gitFacts are git's presence and the identity it is configured with.
type gitFacts struct {
	path  string
	name  result
	email result
}

func (p *prober) gitProbe(g *gitFacts, wg *sync.WaitGroup) {
	lp, err := p.m.LookPath("git")
	if err != nil {
		return
	}
	g.path = lp
	wg.Go(func() { g.name = p.run("git", "config", "--get", "user.name") })
	wg.Go(func() { g.email = p.run("git", "config", "--get", "user.email") })
}

// diskFacts are the free space where the Nix store lives or would live.
type diskFacts struct {
	path string
	df   result
}

func (p *prober) diskProbe(d *diskFacts) {
	// df needs a path that exists: /nix, or the directory it would be made in.
	d.path = "/nix"
	for d.path != "/" && !p.exists(d.path) {
		d.path = path.Dir(d.path)
	}
	d.df = p.run("df", "-Pk", d.path)
}

// isBuildUser reports whether an account is one of Nix's build users
// (nixbld1, nixbld2, ...), as Debian's nix-setup-systemd and the installers
// name them.
func isBuildUser(name string) bool {
	n, ok := strings.CutPrefix(name, "nixbld")
	if !ok || n == "" {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// realPath resolves the symbolic links in a machine path, so two paths can
// be compared the way `[[ a -ef b ]]` compares them. A path that cannot be
// resolved is returned cleaned.
func realPath(m Machine, name string) string {
	if !path.IsAbs(name) {
		return path.Clean(name)
	}
	real, err := resolve("stat", name, true, func(q string) (string, bool, bool) {
		fi, err := m.Lstat(q)
		if err != nil {
			return "", false, false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return "", false, true
		}
		target, err := m.Readlink(q)
		return target, err == nil, true
	})
	if err != nil {
		return path.Clean(name)
	}
	return path.Clean(real)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
