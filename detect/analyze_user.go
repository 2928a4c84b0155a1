package detect

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/shell"
)

func (a *analysis) tilde(p string) string {
	home := a.f.user.home
	if home != "" && home != "/" {
		if rest, ok := strings.CutPrefix(p, home+"/"); ok {
			return "~/" + rest
		}
	}
	return p
}

// shellPath is a machine path as a shell word to paste: ~/... under the
// home directory (the rest quoted where it needs it), else quoted.
func (a *analysis) shellPath(p string) string {
	home := a.f.user.home
	if home != "" && home != "/" {
		if rest, ok := strings.CutPrefix(p, home+"/"); ok && rest != "" {
			return "~/" + shell.Quote(rest)
		}
	}
	return shell.Quote(p)
}

func (a *analysis) homeManager() {
	h, r := &a.f.hm, &a.r.HomeManager
	r.Installed = h.path != ""
	if h.version.ok() {
		if v := firstLine(h.version.stdout); v != "" {
			r.Version = ptr(v)
		}
	}
	if h.configDir != "" {
		r.ConfigDir = ptr(h.configDir)
		r.Flake = h.flake
		r.ManagedByNixboard = h.answers != nil
	}
	if h.profileDir != "" {
		r.ProfileDir = ptr(h.profileDir)
	}

	switch {
	case !r.Installed:
		a.check("homeManager.installed", StatusOK,
			"home-manager is not installed yet: the first switch runs the home-manager your flake pins", "")
	case r.Version == nil:
		a.check("homeManager.installed", StatusWarn,
			"home-manager is installed at "+h.path+" but its version is unknown: "+h.version.problem(), "")
	default:
		a.check("homeManager.installed", StatusOK, "home-manager "+*r.Version+" is installed", "")
	}

	switch {
	case r.ConfigDir == nil:
		a.check("homeManager.config", StatusOK, "no home-manager configuration yet", "")
	case r.ManagedByNixboard && !h.answersReadable():
		// homeManager.answers says why and how to fix it; this check must
		// not claim the opposite.
		a.check("homeManager.config", StatusOK,
			fmt.Sprintf("%s was written by nixboard, but its nixboard.json cannot be read (see homeManager.answers): detected values are the defaults", a.tilde(h.configDir)), "")
	case r.ManagedByNixboard:
		a.check("homeManager.config", StatusOK,
			fmt.Sprintf("%s was written by nixboard: its answers are the defaults", a.tilde(h.configDir)), "")
	default:
		kind := "home.nix"
		if h.flake {
			kind = "flake"
		}
		a.check("homeManager.config", StatusWarn,
			fmt.Sprintf("%s holds a home-manager configuration (%s) that nixboard did not write: files nixboard replaces are backed up first; the fix keeps a whole copy of your own", a.tilde(h.configDir), kind),
			"cp -a "+a.shellPath(h.configDir)+" "+a.shellPath(h.configDir+".before-nixboard"))
	}

	if a.r.Nix.Installed && r.ProfileDir == nil {
		a.check("homeManager.profile", StatusWarn,
			"no profile directory for home-manager: neither ~/.local/state/nix/profiles nor /nix/var/nix/profiles/per-user/"+a.f.user.name+" exists",
			`mkdir -p "${XDG_STATE_HOME:-$HOME/.local/state}/nix/profiles"`)
	}
}

func (a *analysis) git() {
	g, r := &a.f.git, &a.r.Git
	r.Installed = g.path != ""
	if !r.Installed {
		a.checkFix("git.installed", StatusWarn, "git is not installed: flakes in a git repository and the wizard's git setup need it", a.packageFix("git"))
		return
	}
	r.Name, r.Email = firstLine(g.name.stdout), firstLine(g.email.stdout)
	a.check("git.installed", StatusOK, "git is installed at "+g.path, "")
	var missing []string
	var fix []string
	for _, x := range []struct {
		key, value string
		res        result
		example    string
	}{
		{"user.name", r.Name, g.name, `"Your Name"`},
		{"user.email", r.Email, g.email, "you@example.org"},
	} {
		if x.value != "" {
			continue
		}
		what := x.key
		// git config --get exits with 1 when the key is unset; anything
		// else is a probe that failed.
		if x.res.timedOut || (x.res.err != nil && !isExit(x.res.err, 1)) {
			what += " (" + x.res.problem() + ")"
		}
		missing = append(missing, what)
		fix = append(fix, "git config --global "+x.key+" "+x.example)
	}
	if len(missing) > 0 {
		a.check("git.identity", StatusWarn,
			"git has no "+strings.Join(missing, " and ")+": the wizard asks for it", strings.Join(fix, "\n"))
		return
	}
	a.check("git.identity", StatusOK, fmt.Sprintf("git identity: %s <%s>", r.Name, r.Email), "")
}

func isExit(err error, code int) bool {
	ee, ok := err.(*ExitError)
	return ok && ee.Code == code
}

// packageFix installs a package with the platform's package manager.
func (a *analysis) packageFix(pkg string) fix {
	p := &a.r.Platform
	switch {
	case p.Kind == KindDarwin:
		if pkg == "git" {
			return fix{cmd: "xcode-select --install"}
		}
		return fix{cmd: "nix profile install nixpkgs#" + pkg}
	case a.isNixOS():
		return fix{"sudo nixos-rebuild switch", fmt.Sprintf("add %s to environment.systemPackages in /etc/nixos/configuration.nix, then rebuild", pkg)}
	}
	if pm := a.packageManager(); pm.install != "" {
		return fix{cmd: pm.install + pkg}
	}
	return fix{note: "install " + pkg + " with your distribution's package manager"}
}

// packageManager is how this Linux distribution installs and removes
// packages, as command prefixes ("" when nixboard does not know it), and
// the name it packages Nix under.
type packageManager struct {
	install, remove, nixPackage string
}

func (a *analysis) packageManager() packageManager {
	id := a.r.Platform.Distro.ID
	like := id
	if a.f.plat.osRelease != nil {
		like += " " + a.f.plat.osRelease["ID_LIKE"]
	}
	has := func(s string) bool { return slices.Contains(strings.Fields(like), s) }
	sudo := a.sudo()
	switch {
	case has("debian") || has("ubuntu"):
		return packageManager{sudo + "apt-get install -y ", sudo + "apt-get purge -y ", debianNixPackage}
	case has("alpine"):
		return packageManager{sudo + "apk add ", sudo + "apk del ", "nix"}
	case has("fedora") || has("rhel") || has("centos"):
		return packageManager{sudo + "dnf install -y ", sudo + "dnf remove -y ", "nix"}
	case has("suse") || has("opensuse") || strings.HasPrefix(id, "opensuse"):
		return packageManager{sudo + "zypper install -y ", sudo + "zypper remove -y ", "nix"}
	case has("arch"):
		return packageManager{sudo + "pacman -S ", sudo + "pacman -R ", "nix"}
	}
	return packageManager{}
}

func (a *analysis) user() {
	u, r := &a.f.user, &a.r.User
	r.Name, r.Home, r.Hostname, r.Shell, r.Editor = u.name, u.home, u.hostname, u.shell, u.editor
	r.UID = a.person().UID

	if u.name == "" && u.nameProbe.timedOut {
		// Nothing is known to be wrong: the probe was not given the time
		// to answer, and the next run may well find the name.
		a.check("user.name", StatusWarn, "cannot tell who you are yet: USER and LOGNAME are not set and "+u.nameProbe.problem()+" (a longer --timeout may let it answer)", "export USER=\"$(id -un)\"")
	} else if u.name == "" {
		a.check("user.name", StatusFail, "cannot tell who you are: USER and LOGNAME are not set and `id -un` gave nothing", "export USER=\"$(id -un)\"")
	} else if a.isRoot() && a.r.Platform.Container == nil {
		a.check("user.name", StatusWarn, "running as root: the configuration will be root's own; set up your own account instead and run nixboard as yourself, without sudo", "")
	} else {
		a.check("user.name", StatusOK, "user "+u.name, "")
	}

	// home-manager's activation compares HOME with home.homeDirectory
	// (`[[ $HOME -ef $expected ]]`), not with the user database: a HOME that
	// differs from /etc/passwd is what it expects, as long as the
	// configuration says the same. homeDirectoryCheck compares it with the
	// configuration once the defaults are known.
	switch {
	case u.home == "":
		a.check("user.home", StatusFail, "no home directory: HOME is not set and the user database has none", `export HOME="$(getent passwd "$(id -un)" | cut -d: -f6)"`)
	case !u.homeExists:
		q := shell.Quote(u.home)
		a.check("user.home", StatusFail, "home directory "+u.home+" does not exist", a.sudo()+"mkdir -p "+q+" && "+a.sudo()+"chown \"$(id -un)\" "+q)
	default:
		msg := "home directory " + u.home
		if u.passwd != nil && u.passwd.home != "" && path.Clean(u.passwd.home) != path.Clean(u.home) {
			msg += " (HOME; the user database says " + u.passwd.home + ", which home-manager does not check)"
		}
		a.check("user.home", StatusOK, msg, "")
	}

	shell := path.Base(u.shell)
	switch {
	case u.shell == "":
		a.check("user.shell", StatusWarn, "no login shell found (SHELL is not set): bash will be configured", "")
	case slices.Contains(flakegen.KnownShells, shell):
		a.check("user.shell", StatusOK, "login shell "+u.shell, "")
	default:
		a.check("user.shell", StatusWarn,
			fmt.Sprintf("login shell %s is not one home-manager sets up here (bash, zsh, fish): bash will be configured", u.shell),
			"")
	}

	if u.hostname == "" {
		fix := "sudo hostnamectl set-hostname NAME"
		if a.r.Platform.Kind == KindDarwin {
			fix = "sudo scutil --set LocalHostName NAME"
		}
		a.check("user.hostname", StatusWarn, "no host name found in /etc/hostname or from `hostname`", fix)
	} else {
		a.check("user.hostname", StatusOK, "host name "+u.hostname, "")
	}
}

// Free space thresholds: a first switch downloads a few GiB.
const (
	gib          = int64(1) << 30
	diskFailSize = 2 * gib
	diskWarnSize = 10 * gib
)

func (a *analysis) disk() {
	d, r := &a.f.disk, &a.r.Disk
	r.Path = d.path
	if d.df.ok() {
		if free, ok := parseDF(d.df.stdout); ok {
			r.FreeBytes = ptr(free)
		}
	}
	where := "/nix"
	if d.path != "/nix" {
		where = d.path + " (where /nix would be created)"
	}
	switch {
	case r.FreeBytes == nil:
		problem := d.df.problem()
		if problem == "" {
			problem = "unexpected output from `df -Pk`"
		}
		a.check("disk.free", StatusWarn, "free space unknown: "+problem, "")
	case *r.FreeBytes < diskFailSize:
		a.check("disk.free", StatusFail, fmt.Sprintf("only %s free on %s: a first switch needs a few GiB; free some space (the fix removes old Nix generations)", humanBytes(*r.FreeBytes), where), "nix-collect-garbage -d")
	case *r.FreeBytes < diskWarnSize:
		a.check("disk.free", StatusWarn, fmt.Sprintf("%s free on %s: enough to start, tight for updates", humanBytes(*r.FreeBytes), where), "")
	default:
		a.check("disk.free", StatusOK, fmt.Sprintf("%s free on %s", humanBytes(*r.FreeBytes), where), "")
	}
}

// parseDF reads the available kilobytes from POSIX `df -Pk` output. The
// file system name may hold spaces, so the columns are found from the
// capacity column ("42%").
func parseDF(out string) (int64, bool) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 {
		return 0, false
	}
	fs := strings.Fields(lines[len(lines)-1])
	for i := len(fs) - 1; i >= 1; i-- {
		if strings.HasSuffix(fs[i], "%") {
			kb, ok := atoi64(fs[i-1])
			return kb * 1024, ok
		}
	}
	return 0, false
}

func humanBytes(n int64) string {
	switch {
	case n >= gib:
		return fmt.Sprintf("%.1f GiB", float64(n)/float64(gib))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/float64(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
