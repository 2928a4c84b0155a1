package detect

import (
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// nixFacts are the raw observations about Nix.
type nixFacts struct {
	storeDir  bool   // /nix/store exists
	onPath    string // nix found on PATH, or ""
	found     string // nix found in a profile when not on PATH, or ""
	version   result
	receipt   bool
	multiUser bool  // daemon-socket directory, default profile or daemon unit
	socket    bool  // the daemon socket file exists
	dialErr   error // connecting to the daemon socket
	dialed    bool  // a connection was attempted
	features  *featureProbe
	conf      confResult

	// What an installer would find under /nix and in /etc/group: who owns
	// /nix (unknown where the machine does not say), whether an installer's
	// default profile is there, and Nix's groups.
	nixDir         bool
	nixOwner       int
	nixOwnerKnown  bool
	defaultProfile bool
	groups         []string
}

// nixGroups are the groups Nix installs create: nixbld for the build users
// (every installer and Debian's nix-setup-systemd), nix-users for the
// daemon socket (Debian).
var nixGroups = []string{"nixbld", "nix-users"}

// featureProbe is what nix itself said about experimental-features.
type featureProbe struct {
	features   []string
	nixCommand bool // nix-command was on without being asked for
	known      bool // nix answered
	problem    string
}

const daemonSocket = "/nix/var/nix/daemon-socket/socket"

// nixProfiles are where an installed nix lives when the profile that puts it
// on PATH is not sourced, most common first.
func (p *prober) nixProfiles() []string {
	out := []string{"/nix/var/nix/profiles/default/bin/nix"}
	if h := p.home(); h != "" {
		out = append(out, path.Join(h, ".nix-profile/bin/nix"), path.Join(h, ".local/state/nix/profile/bin/nix"))
	}
	out = append(out, "/run/current-system/sw/bin/nix")
	if u := p.m.Getenv("USER"); u != "" {
		out = append(out, path.Join("/etc/profiles/per-user", u, "bin/nix"))
	}
	return out
}

var daemonUnits = []string{
	"/etc/systemd/system/nix-daemon.service",
	"/lib/systemd/system/nix-daemon.service",
	"/usr/lib/systemd/system/nix-daemon.service",
	"/etc/systemd/system/nix-daemon.socket",
	"/Library/LaunchDaemons/org.nixos.nix-daemon.plist",
	"/Library/LaunchDaemons/systems.determinate.nix-daemon.plist",
}

func (p *prober) nixProbe(n *nixFacts, wg *sync.WaitGroup) {
	n.storeDir = p.isDir("/nix/store")
	n.receipt = p.exists("/nix/receipt.json")
	n.multiUser = p.isDir("/nix/var/nix/daemon-socket") || p.lexists("/nix/var/nix/profiles/default")
	for _, u := range daemonUnits {
		if n.multiUser {
			break
		}
		n.multiUser = p.lexists(u)
	}
	n.defaultProfile = p.lexists("/nix/var/nix/profiles/default")
	if fi, err := p.m.Stat("/nix"); err == nil && fi.IsDir() {
		n.nixDir = true
		n.nixOwner, n.nixOwnerKnown = fileOwner(fi)
	}
	if s, ok := p.read("/etc/group"); ok {
		for _, line := range strings.Split(s, "\n") {
			name, _, _ := strings.Cut(line, ":")
			if slices.Contains(nixGroups, name) && !slices.Contains(n.groups, name) {
				n.groups = append(n.groups, name)
			}
		}
	}
	n.socket = p.lexists(daemonSocket)
	if n.socket {
		n.dialed = true
		wg.Go(func() { n.dialErr = p.dial(daemonSocket) })
	}
	// The configuration files are read whether or not nix answers: they are
	// the fallback when it does not.
	wg.Go(func() { n.conf = readNixConf(p) })

	exe := ""
	if lp, err := p.m.LookPath("nix"); err == nil {
		n.onPath, exe = lp, "nix"
	} else {
		for _, c := range p.nixProfiles() {
			if _, err := p.m.LookPath(c); err == nil {
				n.found, exe = c, c
				break
			}
		}
	}
	if exe == "" {
		return
	}
	wg.Go(func() { n.version = p.run(exe, "--version") })
	n.features = p.askFeatures(exe)
}

const nixCommandDisabled = "experimental Nix feature 'nix-command' is disabled"

// askFeatures asks nix which experimental features are on. Newer Nix has
// `nix config show NAME`; older Nix (our CI's 2.8) only `nix show-config`,
// whose --json output names features by number there, so the text form is
// read. Both are tried at once. When nix-command itself is off, both refuse,
// and the question is asked again with nix-command switched on just for it.
func (p *prober) askFeatures(exe string) *featureProbe {
	var newer, older result
	var wg sync.WaitGroup
	wg.Go(func() { newer = p.run(exe, "config", "show", "experimental-features") })
	wg.Go(func() { older = p.run(exe, "show-config") })
	wg.Wait()
	fp := &featureProbe{}
	switch {
	case newer.ok():
		fp.known, fp.nixCommand, fp.features = true, true, strings.Fields(newer.stdout)
		return fp
	case older.ok():
		fp.known, fp.nixCommand, fp.features = true, true, showConfigFeatures(older.stdout)
		return fp
	case strings.Contains(newer.stderr, nixCommandDisabled) || strings.Contains(older.stderr, nixCommandDisabled):
		var again result
		if strings.Contains(newer.stderr, nixCommandDisabled) {
			again = p.run(exe, "--extra-experimental-features", "nix-command", "config", "show", "experimental-features")
			if again.ok() {
				fp.features = strings.Fields(again.stdout)
			}
		} else {
			again = p.run(exe, "--extra-experimental-features", "nix-command", "show-config")
			if again.ok() {
				fp.features = showConfigFeatures(again.stdout)
			}
		}
		if again.ok() {
			fp.known = true
			// nix-command is on here only because this question asked for it.
			fp.features = slices.DeleteFunc(fp.features, func(s string) bool { return s == "nix-command" })
			return fp
		}
		fp.problem = again.problem()
	case newer.timedOut:
		fp.problem = newer.problem()
	case older.timedOut:
		fp.problem = older.problem()
	default:
		fp.problem = older.problem()
	}
	return fp
}

// showConfigFeatures finds "experimental-features = a b" in the text output
// of `nix show-config`.
func showConfigFeatures(out string) []string {
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == "experimental-features" {
			return strings.Fields(v)
		}
	}
	return nil
}

// nixVersionRE reads `nix --version`: "nix (Nix) 2.24.10",
// "nix (Determinate Nix 3.11.2) 2.31.1", "nix (Lix, like Nix) 2.91.1".
var nixVersionRE = regexp.MustCompile(`\(([^)]*)\)\s+(\S+)`)

// parseNixVersion returns the upstream Nix version and, for Determinate
// Nix, the Determinate version.
func parseNixVersion(out string) (version, determinate string) {
	line := firstLine(out)
	mm := nixVersionRE.FindStringSubmatch(line)
	if mm == nil {
		fs := strings.Fields(line)
		if len(fs) == 0 {
			return "", ""
		}
		return fs[len(fs)-1], ""
	}
	if d, ok := strings.CutPrefix(mm[1], "Determinate Nix "); ok {
		determinate = strings.TrimSpace(d)
	}
	return mm[2], determinate
}
