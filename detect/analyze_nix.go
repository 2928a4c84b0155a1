package detect

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/shell"
	"github.com/nixboard/nixboard/internal/textwrap"
)

// Nix install types.
const (
	InstallMultiUser   = "multi-user"
	InstallSingleUser  = "single-user"
	InstallDeterminate = "determinate"
	InstallNixOS       = "nixos"
)

// minNix is the oldest Nix the flake nixboard writes can be evaluated with:
// nixpkgs' lib/minver.nix says "2.18.0" (since nixpkgs #428076, August
// 2025) and nixpkgs' default.nix aborts below it. The flake imports
// nixpkgs, so an older Nix fails every switch.
const minNix = "2.18"

func (a *analysis) isNixOS() bool {
	k := a.r.Platform.Kind
	return k == KindNixOS || k == KindNixOSWSL
}

func (a *analysis) nix() {
	n, r := &a.f.nix, &a.r.Nix
	exe := n.onPath
	if exe == "" {
		exe = n.found
	}
	r.Installed = exe != ""
	r.OnPath = n.onPath != ""
	if !r.Installed {
		a.nixMissing()
		return
	}
	r.Path = ptr(exe)
	var determinate string
	if n.version.ok() {
		v, d := parseNixVersion(n.version.stdout)
		if v != "" {
			r.Version = ptr(v)
		}
		if d != "" {
			determinate = d
			r.Determinate = ptr(d)
		}
	}
	switch {
	case a.isNixOS() || a.f.plat.nixosMarker:
		r.Install = ptr(InstallNixOS)
	case n.receipt || determinate != "":
		r.Install = ptr(InstallDeterminate)
	case n.multiUser:
		r.Install = ptr(InstallMultiUser)
	default:
		r.Install = ptr(InstallSingleUser)
	}
	if *r.Install != InstallSingleUser {
		r.Daemon = ptr(n.dialed && n.dialErr == nil)
	}

	// Flakes: Determinate Nix has them on by default; otherwise ask nix,
	// and read the configuration files only when nix cannot be asked.
	flakesFrom := ""
	switch {
	case determinate != "":
		r.Flakes, r.NixCommand = ptr(true), ptr(true)
		flakesFrom = "Determinate Nix enables them by default"
	case n.features != nil && n.features.known:
		r.Flakes = ptr(slices.Contains(n.features.features, "flakes"))
		r.NixCommand = ptr(n.features.nixCommand || slices.Contains(n.features.features, "nix-command"))
		flakesFrom = "as nix reports"
	default:
		r.Flakes = ptr(slices.Contains(n.conf.features, "flakes"))
		r.NixCommand = ptr(slices.Contains(n.conf.features, "nix-command"))
		flakesFrom = "from " + orNone(strings.Join(n.conf.sources, ", "), "the default settings")
	}

	install := *r.Install
	a.check("nix.installed", StatusOK, fmt.Sprintf("Nix is installed (%s) at %s", install, exe), "")

	if r.OnPath {
		a.check("nix.path", StatusOK, "nix is on PATH", "")
	} else {
		a.checkFix("nix.path", StatusFail,
			fmt.Sprintf("Nix is installed at %s but not on PATH: this shell has not loaded the Nix profile (no need to reinstall)", exe),
			a.sourceProfileFix(install))
	}

	switch {
	case r.Version == nil:
		a.check("nix.version", StatusWarn, "Nix version unknown: "+n.version.problem()+"; check that `"+shell.Quote(exe)+" --version` works", "")
	case versionLess(*r.Version, minNix) && determinate == "":
		a.checkFix("nix.version", StatusFail,
			fmt.Sprintf("Nix %s is older than %s: nixpkgs %s refuses to evaluate on it (lib/minver.nix), so no switch can succeed", *r.Version, minNix, flakegen.DefaultRelease),
			a.upgradeFix(install, exe))
	default:
		msg := "Nix " + *r.Version
		if determinate != "" {
			msg += " (Determinate Nix " + determinate + ")"
		}
		a.check("nix.version", StatusOK, msg, "")
	}

	if r.Daemon != nil {
		a.daemonCheck(install, exe, *r.Daemon)
	}

	probeNote := ""
	if n.features != nil && !n.features.known && n.features.problem != "" {
		probeNote = "; " + n.features.problem
	}
	switch {
	case *r.Flakes && *r.NixCommand:
		st := StatusOK
		if probeNote != "" {
			st = StatusWarn
		}
		a.check("nix.flakes", st, "flakes and nix-command are enabled ("+flakesFrom+")"+probeNote, "")
	default:
		var off []string
		if !*r.NixCommand {
			off = append(off, "nix-command")
		}
		if !*r.Flakes {
			off = append(off, "flakes")
		}
		a.checkFix("nix.flakes", StatusWarn,
			fmt.Sprintf("%s %s not enabled (%s)%s: nixboard turns them on for its own run, but home-manager needs them afterwards",
				strings.Join(off, " and "), map[bool]string{true: "is", false: "are"}[len(off) == 1], flakesFrom, probeNote),
			a.flakesFix())
	}
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}

func (a *analysis) nixMissing() {
	msg := "Nix is not installed"
	if a.f.nix.storeDir {
		msg = "Nix is not installed: /nix/store exists, but no nix program was found on PATH or in the Nix profiles"
	}
	// Run fills in the fix once the whole report is known.
	a.check("nix.installed", StatusFail, msg, "")
}

func (a *analysis) sourceProfileFix(install string) fix {
	home := a.m.Getenv("HOME")
	var candidates []string
	switch install {
	case InstallSingleUser:
		candidates = []string{home + "/.nix-profile/etc/profile.d/nix.sh", home + "/.local/state/nix/profile/etc/profile.d/nix.sh"}
	case InstallNixOS:
		return fix{note: "open a new login shell (NixOS puts nix on PATH through /etc/profile)"}
	default:
		candidates = []string{"/nix/var/nix/profiles/default/etc/profile.d/nix-daemon.sh"}
	}
	script := candidates[0]
	for _, c := range candidates {
		if _, err := a.m.Stat(c); err == nil {
			script = c
			break
		}
	}
	return fix{". " + a.shellPath(script), "the fix loads it into this shell, as a new terminal would; if a new terminal still lacks nix, add that line to your shell's profile"}
}

func (a *analysis) upgradeFix(install, exe string) fix {
	switch {
	case install == InstallNixOS:
		return fix{"sudo nixos-rebuild switch", "set a newer Nix for NixOS (nix.package) in /etc/nixos/configuration.nix, then rebuild"}
	case install == InstallDeterminate:
		return fix{cmd: "sudo determinate-nixd upgrade"}
	case distroPackaged(exe):
		// replaceDistroNixFix turns this into commands once the whole
		// report is known, where it knows the package manager.
		return fix{note: "your distribution packages this Nix (" + exe + "): remove its package, then install upstream Nix"}
	case install == InstallSingleUser:
		return fix{cmd: "nix upgrade-nix"}
	}
	return fix{cmd: "sudo -i nix upgrade-nix"}
}

func (a *analysis) daemonCheck(install, exe string, up bool) {
	if up {
		a.check("nix.daemon", StatusOK, "the Nix daemon accepts connections", "")
		return
	}
	msg := "the Nix daemon does not accept connections at " + daemonSocket
	if !a.f.nix.socket {
		msg = "the Nix daemon is not running (no socket at " + daemonSocket + ")"
	}
	st := StatusFail
	_, uidKnown := a.f.user.uid()
	switch {
	case a.isRoot():
		st = StatusWarn
		msg += "; as root, nix can still use the store directly"
	case !uidKnown && a.f.user.id.timedOut:
		// Root could use the store without the daemon; whether this is
		// root is unknown, so the check cannot say the switch is stopped.
		st = StatusWarn
		msg += "; " + a.f.user.id.problem() + ", so whether you are root (who can use the store without it) is unknown"
	}
	var f fix
	p := &a.r.Platform
	switch {
	case p.Kind == KindDarwin && install == InstallDeterminate:
		f.cmd = "sudo launchctl kickstart -k system/systems.determinate.nix-daemon"
	case p.Kind == KindDarwin:
		f.cmd = "sudo launchctl kickstart -k system/org.nixos.nix-daemon"
	case p.WSL != nil && !p.WSL.Systemd && p.WSL.SystemdConfigured:
		f = wslRestartFix
	case p.WSL != nil && !p.WSL.Systemd:
		f = a.systemdFix()
	case a.isNixOS():
		// NixOS manages the units; they cannot be enabled by hand.
		f.cmd = "sudo systemctl restart nix-daemon.socket nix-daemon.service"
	case a.f.plat.systemdDir && distroPackaged(exe):
		// The distribution's package ships the units (Debian's nix-bin:
		// nix-daemon.socket and .service); the socket starts the daemon
		// on the first connection.
		f.cmd = a.sudo() + "systemctl enable --now nix-daemon.socket"
	case a.f.plat.systemdDir:
		f.cmd = a.sudo() + "systemctl enable --now nix-daemon.socket nix-daemon.service"
	default:
		f = fix{a.sudo() + "sh -c " + shell.Quote(shell.Quote(a.daemonBinary(exe))+" >/dev/null 2>&1 &"),
			"no systemd here: the fix starts the daemon by hand, in the background, until the machine restarts"}
	}
	a.checkFix("nix.daemon", st, msg, f)
}

// sudo is the prefix for a command that needs root: none for root itself,
// where sudo is often not even installed (containers).
func (a *analysis) sudo() string {
	if a.isRoot() {
		return ""
	}
	return "sudo "
}

// distroPackaged reports whether the nix binary comes from the
// distribution's package manager (Debian's nix-bin puts it at /usr/bin/nix)
// rather than from an installer, which puts it under /nix or in a profile.
func distroPackaged(exe string) bool {
	return !strings.HasPrefix(exe, "/nix/") && !strings.Contains(exe, ".nix-profile") &&
		!strings.Contains(exe, "/nix/profile") && !strings.HasPrefix(exe, "/run/current-system/") &&
		!strings.HasPrefix(exe, "/etc/profiles/")
}

// daemonBinary is the nix-daemon that belongs to the nix detection found:
// the one beside it (/usr/bin/nix-daemon for Debian's nix-bin, the profile's
// for an installer's Nix), else the one on PATH, else the default profile's.
func (a *analysis) daemonBinary(exe string) string {
	candidates := []string{path.Join(path.Dir(exe), "nix-daemon")}
	if target, err := a.m.Readlink(exe); err == nil && path.IsAbs(target) {
		candidates = append(candidates, path.Join(path.Dir(target), "nix-daemon"))
	}
	for _, c := range candidates {
		if _, err := a.m.LookPath(c); err == nil {
			return c
		}
	}
	if p, err := a.m.LookPath("nix-daemon"); err == nil {
		return p
	}
	return candidates[0]
}

func (a *analysis) flakesFix() fix {
	if a.isNixOS() {
		// /etc/nix/nix.conf is generated on NixOS: never edit it.
		return fix{"sudo nixos-rebuild switch",
			"add `nix.settings.experimental-features = [ \"nix-command\" \"flakes\" ];` to /etc/nixos/configuration.nix, then rebuild"}
	}
	// extra-experimental-features adds to the person's list; a plain
	// experimental-features line would replace it (dropping, say,
	// ca-derivations they enabled elsewhere).
	dir := "~/.config/nix"
	if x := a.m.Getenv("XDG_CONFIG_HOME"); path.IsAbs(x) {
		dir = a.shellPath(path.Join(x, "nix"))
	}
	return fix{cmd: "mkdir -p " + dir + " && echo 'extra-experimental-features = nix-command flakes' >> " + dir + "/nix.conf"}
}

// isRoot reports whether nixboard runs as root: the effective uid decides,
// as User.IsRoot says.
func (a *analysis) isRoot() bool {
	return a.person().IsRoot()
}

// person is the user as far as the user facts tell, for checks that run
// before the report's User is filled in.
func (a *analysis) person() User {
	u := User{Name: a.f.user.name}
	if id, ok := a.f.user.uid(); ok {
		u.UID = &id
	}
	return u
}

// versionLess compares dotted versions numerically ("2.8.0" < "2.18").
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x = leadingInt(as[i])
		}
		if i < len(bs) {
			y = leadingInt(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

func leadingInt(s string) int {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.Atoi(s[:end])
	return n
}

// replaceDistroNixFix is the fix for a distribution's Nix that is too old:
// a package cannot be upgraded past what the distribution ships, so it is
// removed with the distribution's package manager and replaced with
// upstream Nix through the installer this machine should use (which needs
// the whole report, hence after it is built). It is "" when the version
// check passed or nixboard does not know the package manager.
func (a *analysis) replaceDistroNixFix() string {
	r := a.r
	if !r.Nix.Installed || r.Nix.Path == nil || !distroPackaged(*r.Nix.Path) {
		return ""
	}
	if c := a.checkByID("nix.version"); c == nil || c.Status == StatusOK || r.Nix.Version == nil {
		return ""
	}
	pm := a.packageManager()
	rec, ok := InstallAdvice(*r).Recommended()
	if pm.remove == "" || !ok {
		return ""
	}
	if pm.nixPackage == debianNixPackage {
		return a.replaceDebianNixFix(rec)
	}
	return pm.remove + pm.nixPackage + " && " + rec.Command
}

// debianNixPackage is Debian's (and Ubuntu's) package of the nix programs.
const debianNixPackage = "nix-bin"

// replaceDebianNixFix replaces Debian's nix-bin with the recommended
// installer, from the state Debian leaves: removing the package keeps a
// root-owned /nix, /etc/nix/nix.conf (nix-setup-systemd's conffile, gone
// only on purge), the nixbld group with its users nixbld1..nixbld10, and
// the nix-users group. The single-user installer refuses a /nix it cannot
// write ("directory /nix exists, but is not writable by you"); the
// multi-user installers refuse an existing nixbld group or build user
// whose ids are not theirs. Every step says what it removes, and /nix is
// only removed when nothing in it belongs to another Nix installation.
func (a *analysis) replaceDebianNixFix(rec InstallOption) string {
	n, sudo := &a.f.nix, a.sudo()
	steps := []string{
		"# 1. Remove Debian's Nix: its programs (nix-bin), its nix-daemon units and /etc/nix/nix.conf (nix-setup-systemd). This keeps /nix, the nixbld group and its users.",
		sudo + "apt-get purge -y nix-bin nix-setup-systemd",
	}
	if rec.ID == OptionUpstreamSingleUser {
		uid, known := a.f.user.uid()
		if n.nixDir && !a.isRoot() && !(known && n.nixOwnerKnown && n.nixOwner == uid) {
			user := a.f.user.name
			steps = append(steps,
				"# 2. Give /nix to "+user+": the single-user installer refuses a /nix it cannot write. The store and database Debian's Nix made stay, now owned by "+user+".",
				sudo+"chown -R "+shell.Quote(user)+" /nix")
		}
		return strings.Join(append(steps, "# Then install Nix for you alone, without a daemon:", rec.Command), "\n")
	}
	if other := a.otherNixInstall(); other != "" {
		return strings.Join(append(steps,
			"# /nix also holds "+other+": nixboard does not remove it. Open a new terminal; if nix is still too old or missing, uninstall that Nix as its installer documents, then run nixboard again."), "\n")
	}
	if n.nixDir {
		steps = append(steps,
			"# 2. Remove /nix and /etc/nix: the Nix store and database Debian's Nix made, with everything built or installed with it. The multi-user installers refuse to install over them.",
			sudo+"rm -rf /nix /etc/nix")
	}
	if users, groups := a.f.user.buildUsers, n.groups; len(users) > 0 || len(groups) > 0 {
		var what []string
		switch len(users) {
		case 0:
		case 1:
			what = append(what, "the build user "+users[0])
		default:
			what = append(what, fmt.Sprintf("the %s (%s ... %s)", textwrap.Count(len(users), "build user", "build users"), users[0], users[len(users)-1]))
		}
		if len(groups) > 0 {
			what = append(what, "the groups "+strings.Join(groups, " and "))
		}
		steps = append(steps, "# 3. Remove "+strings.Join(what, " and ")+" that Debian created: the installers create their own, with their own ids, and refuse others.")
		if len(users) > 0 {
			q := make([]string, len(users))
			for i, u := range users {
				q[i] = shell.Quote(u)
			}
			steps = append(steps, "for u in "+strings.Join(q, " ")+"; do "+sudo+`userdel "$u"; done`)
		}
		for _, g := range groups {
			steps = append(steps, sudo+"groupdel "+shell.Quote(g))
		}
	}
	return strings.Join(append(steps, "# Then install Nix ("+rec.Name+"):", rec.Command), "\n")
}

// otherNixInstall names what in /nix another Nix installation left, which
// removing /nix would destroy: Determinate's receipt, an installer's default
// profile, or a /nix that a person owns (a single-user install). It is ""
// when /nix holds only what Debian's Nix made.
func (a *analysis) otherNixInstall() string {
	n := &a.f.nix
	switch {
	case n.receipt:
		return "Determinate Nix (/nix/receipt.json)"
	case n.defaultProfile:
		return "an installer's Nix (/nix/var/nix/profiles/default)"
	case n.nixOwnerKnown && n.nixOwner != 0:
		return fmt.Sprintf("a single-user Nix (/nix belongs to uid %d)", n.nixOwner)
	}
	return ""
}
