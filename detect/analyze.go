package detect

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Run detects everything about the machine and returns the report. Probes
// run concurrently, each bounded by opts.Timeout; a probe that does not
// answer in time turns its check into a warning, so Run returns within
// about twice the timeout even when a command hangs.
func Run(ctx context.Context, m Machine, opts Options) Report {
	f := gather(ctx, m, opts)
	r := Report{Checks: []Check{}}
	a := analysis{f: f, r: &r, m: m}
	a.platform()
	a.nix()
	a.homeManager()
	a.git()
	a.user()
	a.disk()
	a.defaults()
	if !r.Nix.Installed {
		// The install advice depends on the whole report (the user, the
		// WSL checks), so its fix is filled in last.
		adv := InstallAdvice(r)
		a.setFix("nix.installed", fix{adv.Fix(), adv.FixNote()})
	}
	if cmd := a.replaceDistroNixFix(); cmd != "" {
		a.setFix("nix.version", fix{cmd: cmd})
	}
	return r
}

// analysis turns facts into the report and its checks.
type analysis struct {
	f *facts
	r *Report
	m Machine
}

func (a *analysis) check(id string, st Status, msg, cmd string) {
	a.r.Checks = append(a.r.Checks, Check{ID: id, Status: st, Message: msg, Fix: cmd})
}

// fix is what a check proposes: cmd is a command that runs as pasted in the
// shell nixboard runs in ("" when no command fixes it), and note, added to
// the check's message, is the explanation around it (what to do first or
// after, where else to run it). Doctor and the wizard draw a check's Fix as
// a command to copy, so prose never goes into cmd.
type fix struct{ cmd, note string }

// checkFix adds a check whose fix may carry a note for its message.
func (a *analysis) checkFix(id string, st Status, msg string, f fix) {
	a.check(id, st, withNote(msg, f.note), f.cmd)
}

// withNote appends a fix's note to a check's message.
func withNote(msg, note string) string {
	if note == "" {
		return msg
	}
	return msg + "; " + note
}

// setFix replaces the fix of the check with the given id, adding its note
// to the message.
func (a *analysis) setFix(id string, f fix) {
	if c := a.checkByID(id); c != nil {
		c.Fix = f.cmd
		c.Message = withNote(c.Message, f.note)
	}
}

// checkByID returns the check with that id, or nil.
func (a *analysis) checkByID(id string) *Check {
	for i := range a.r.Checks {
		if a.r.Checks[i].ID == id {
			return &a.r.Checks[i]
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// Platform kinds.
const (
	KindNixOSWSL = "nixos-wsl"
	KindWSL      = "wsl"
	KindDarwin   = "darwin"
	KindNixOS    = "nixos"
	KindLinux    = "linux"
)

func (a *analysis) platform() {
	f, pf := a.f, &a.f.plat
	p := &a.r.Platform
	switch f.goos {
	case "darwin":
		p.Kind = KindDarwin
		a.darwin()
	case "linux":
		nixos := pf.nixosMarker || pf.osRelease["ID"] == "nixos"
		p.WSL = a.wsl()
		switch {
		case nixos && p.WSL != nil:
			p.Kind = KindNixOSWSL
		case p.WSL != nil:
			p.Kind = KindWSL
		case nixos:
			p.Kind = KindNixOS
		default:
			p.Kind = KindLinux
		}
		p.Arch = linuxArch(pf.uname, f.goarch)
		os := pf.osRelease
		p.Distro = Distro{ID: os["ID"], Version: os["VERSION_ID"], Name: os["PRETTY_NAME"]}
		if p.Distro.Name == "" {
			p.Distro.Name = strings.TrimSpace(os["NAME"] + " " + os["VERSION"])
		}
		if p.Distro.ID == "" {
			p.Distro.ID = "linux"
		}
		p.Container = container(pf, a.env("container"))
		p.Systemd = pf.systemdDir
		p.GenericLinux = p.Kind == KindWSL || p.Kind == KindLinux
	default:
		p.Kind = f.goos
		p.Arch = goArch(f.goarch)
	}
	osName := map[string]string{"linux": "linux", "darwin": "darwin"}[f.goos]
	p.System = p.Arch + "-" + osName
	if osName == "" {
		p.System = p.Arch + "-" + f.goos
	}

	supported := slices.Contains([]string{"x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"}, p.System)
	where := p.Distro.Name
	if where == "" {
		where = p.Kind
	}
	switch {
	case !supported:
		a.check("platform.supported", StatusFail,
			fmt.Sprintf("%s (%s) is not a system Nix and home-manager support: use an x86_64 or aarch64 Linux (WSL 2 on Windows) or a Mac", where, p.System),
			"")
	default:
		a.check("platform.supported", StatusOK, fmt.Sprintf("%s, %s (%s)", where, kindTitle(p), p.System), "")
	}
	if p.Container != nil {
		a.check("platform.container", StatusWarn,
			fmt.Sprintf("running inside a %s container: Nix and home-manager will live in the container and vanish with it; run nixboard on the host, or keep /nix and your home directory on volumes", containerTitle(*p.Container)),
			"")
	}
	if p.Kind == KindDarwin {
		if p.Rosetta {
			a.check("darwin.rosetta", StatusWarn,
				"nixboard runs under Rosetta (an x86_64 build on Apple Silicon); this Mac is set up as aarch64-darwin: install the arm64 (aarch64-darwin) build of nixboard",
				"")
		}
		if p.Arch == "x86_64" {
			a.check("darwin.intel", StatusWarn,
				"Intel Mac: home-manager master no longer builds x86_64-darwin, so nixboard stays on release-26.05; nixpkgs will drop Intel Macs within the 26.11-27.11 window",
				"")
		}
	}
	if p.WSL != nil {
		a.wslChecks()
	}
}

func kindTitle(p *Platform) string {
	switch p.Kind {
	case KindNixOSWSL:
		return fmt.Sprintf("NixOS on WSL %d", p.WSL.Version)
	case KindWSL:
		return fmt.Sprintf("WSL %d", p.WSL.Version)
	case KindDarwin:
		if p.Arch == "aarch64" {
			return "Apple Silicon"
		}
		return "Intel"
	case KindNixOS:
		return "NixOS"
	case KindLinux:
		return "Linux"
	}
	return p.Kind
}

func containerTitle(c string) string {
	switch c {
	case "docker":
		return "Docker"
	case "podman":
		return "Podman"
	case "lxc":
		return "LXC"
	}
	return "container (" + c + ")"
}

// goArch turns Go's architecture names into Nix's.
func goArch(goarch string) string {
	switch goarch {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i686"
	}
	return goarch
}

// linuxArch prefers the kernel's word (uname -m) over the binary's, so an
// x86_64 nixboard running under emulation on aarch64 still reports aarch64.
func linuxArch(uname result, goarch string) string {
	if uname.ok() {
		switch m := firstLine(uname.stdout); m {
		case "x86_64", "amd64":
			return "x86_64"
		case "aarch64", "arm64":
			return "aarch64"
		case "":
		default:
			return m
		}
	}
	return goArch(goarch)
}

func (a *analysis) darwin() {
	pf, p := &a.f.plat, &a.r.Platform
	arm64 := a.f.goarch == "arm64" || (pf.arm64.ok() && pf.arm64.stdout == "1")
	p.Rosetta = pf.translated.ok() && pf.translated.stdout == "1"
	if p.Rosetta {
		arm64 = true
	}
	p.Arch = "x86_64"
	if arm64 {
		p.Arch = "aarch64"
	}
	p.Distro = Distro{ID: "macos"}
	if pf.swVers.ok() {
		sw := map[string]string{}
		for _, line := range strings.Split(pf.swVers.stdout, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				sw[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		p.Distro.Version = sw["ProductVersion"]
		name := sw["ProductName"]
		if name == "" || name == "Mac OS X" {
			name = "macOS"
		}
		p.Distro.Name = strings.TrimSpace(name + " " + p.Distro.Version + " " + macOSName(p.Distro.Version))
	}
	if p.Distro.Name == "" {
		p.Distro.Name = "macOS"
	}
	p.CPU = firstLine(pf.cpuBrand.stdout)
}

// macOSName is the marketing name of a macOS major version.
func macOSName(version string) string {
	major, _, _ := strings.Cut(version, ".")
	return map[string]string{
		"11": "Big Sur", "12": "Monterey", "13": "Ventura", "14": "Sonoma",
		"15": "Sequoia", "26": "Tahoe",
	}[major]
}

// wsl recognises WSL from the kernel release (WSL 2 kernels are
// "...-microsoft-standard-WSL2", WSL 1 reports "...-Microsoft") or, failing
// that, from the variables WSL sets.
func (a *analysis) wsl() *WSL {
	pf := &a.f.plat
	kernel := strings.TrimSpace(pf.osrelease)
	if kernel == "" {
		kernel = pf.procVersion
	}
	lower := strings.ToLower(kernel)
	distro := a.env("WSL_DISTRO_NAME")
	interop := a.env("WSL_INTEROP")
	if !strings.Contains(lower, "microsoft") && !strings.Contains(lower, "wsl") && distro == "" && interop == "" {
		return nil
	}
	w := &WSL{Version: 1, Distro: distro}
	switch {
	case strings.Contains(lower, "wsl2") || strings.Contains(lower, "microsoft-standard"):
		w.Version = 2
	case strings.Contains(kernel, "Microsoft"):
		w.Version = 1
	case interop != "":
		w.Version = 2
	}
	w.Systemd = pf.systemdDir
	if pf.wslConfOK {
		w.SystemdConfigured = iniBool(pf.wslConf, "boot", "systemd")
	}
	return w
}

func (a *analysis) env(k string) string { return a.m.Getenv(k) }

// iniBool reads a boolean from an INI file such as /etc/wsl.conf.
func iniBool(text, section, key string) bool {
	v, _ := iniValue(text, section, key)
	v = strings.ToLower(strings.Trim(v, `"' `))
	return v == "true" || v == "1" || v == "yes"
}

func iniValue(text, section, key string) (string, bool) {
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			cur = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok && cur == section && strings.EqualFold(strings.TrimSpace(k), key) {
			if i := strings.IndexAny(v, "#;"); i >= 0 {
				v = v[:i]
			}
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// iniHasSection reports whether an INI text has the section.
func iniHasSection(text, section string) bool {
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.EqualFold(strings.Trim(line, "[] "), section) {
			return true
		}
	}
	return false
}

func (a *analysis) wslChecks() {
	w := a.r.Platform.WSL
	distro := wslDistroWord(w.Distro)
	if w.Version == 1 {
		a.check("wsl.version", StatusWarn,
			"WSL 1: Nix works poorly there (no systemd, no daemon, slow file system); WSL 2 is recommended: run the fix in Windows PowerShell, then re-run nixboard inside WSL 2",
			fmt.Sprintf("wsl.exe --set-version %s 2", distro))
		return
	}
	a.check("wsl.version", StatusOK, "WSL 2", "")
	switch {
	case w.Systemd:
		a.check("wsl.systemd", StatusOK, "systemd is running", "")
	case w.SystemdConfigured:
		a.checkFix("wsl.systemd", StatusWarn,
			"/etc/wsl.conf asks for systemd but it is not running: WSL has not been restarted since",
			wslRestartFix)
	default:
		a.checkFix("wsl.systemd", StatusWarn,
			"systemd is not running, so the Nix daemon cannot start by itself",
			a.systemdFix())
	}
}

// wslShutdownNote is what the person must know about wsl.exe --shutdown:
// it runs from inside WSL too (Windows interop puts wsl.exe on PATH) and
// ends every WSL session, this terminal included.
const wslShutdownNote = "wsl.exe --shutdown restarts WSL, closing this terminal (run it in Windows PowerShell if interop is off here); then open the distribution again"

// wslRestartFix restarts WSL so that /etc/wsl.conf takes effect.
var wslRestartFix = fix{wslShutdown, wslShutdownNote}

// systemdFix is the command that switches systemd on in /etc/wsl.conf,
// changing an existing setting or [boot] section rather than adding a
// second, then restarts WSL.
func (a *analysis) systemdFix() fix {
	pf := &a.f.plat
	var edit string
	switch {
	case pf.wslConfOK && hasINIKey(pf.wslConf, "boot", "systemd"):
		edit = `sudo sed -i 's/^\s*systemd\s*=.*/systemd=true/' /etc/wsl.conf`
	case pf.wslConfOK && iniHasSection(pf.wslConf, "boot"):
		edit = `sudo sed -i '/^\s*\[boot\]/a systemd=true' /etc/wsl.conf`
	default:
		edit = `printf '[boot]\nsystemd=true\n' | sudo tee -a /etc/wsl.conf`
	}
	return fix{edit + "\n" + wslShutdown, "the last line: " + wslShutdownNote}
}

func hasINIKey(text, section, key string) bool {
	_, ok := iniValue(text, section, key)
	return ok
}

// container recognises Docker, Podman and LXC from the files they leave and
// the container variable they set.
func container(pf *platformFacts, envContainer string) *string {
	switch {
	case pf.dockerenv:
		return ptr("docker")
	case pf.containerenv:
		return ptr("podman")
	}
	cg := pf.cgroup
	switch {
	case strings.Contains(cg, "/docker") || strings.Contains(cg, "docker-"):
		return ptr("docker")
	case strings.Contains(cg, "libpod"):
		return ptr("podman")
	case strings.Contains(cg, "/lxc"):
		return ptr("lxc")
	case strings.Contains(cg, "kubepods"):
		return ptr("other")
	}
	return containerFromEnv(envContainer)
}

// containerFromEnv refines the container from the container variable, which
// systemd-nspawn, LXC and Podman set.
func containerFromEnv(v string) *string {
	switch v {
	case "":
		return nil
	case "docker":
		return ptr("docker")
	case "podman":
		return ptr("podman")
	case "lxc", "lxc-libvirt":
		return ptr("lxc")
	}
	return ptr("other")
}

func atoi64(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
