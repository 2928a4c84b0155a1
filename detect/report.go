package detect

import "github.com/nixboard/nixboard/flakegen"

// Report is everything detection learned. Its JSON form is what
// `nixboard doctor --json` prints; the schema is documented in the README.
type Report struct {
	Platform    Platform         `json:"platform"`
	Nix         Nix              `json:"nix"`
	HomeManager HomeManager      `json:"homeManager"`
	Git         Git              `json:"git"`
	User        User             `json:"user"`
	Disk        Disk             `json:"disk"`
	Defaults    flakegen.Answers `json:"defaults"`
	Checks      []Check          `json:"checks"`
}

// Platform describes the operating system and hardware.
type Platform struct {
	Kind      string  `json:"kind"`   // nixos-wsl, wsl, darwin, nixos, linux
	Arch      string  `json:"arch"`   // x86_64 or aarch64
	System    string  `json:"system"` // the Nix system string, e.g. x86_64-linux
	Distro    Distro  `json:"distro"`
	WSL       *WSL    `json:"wsl"`
	Rosetta   bool    `json:"rosetta"`
	Container *string `json:"container"` // docker, podman, lxc, other, or null
	// Systemd says whether systemd runs now (/run/systemd/system exists), on
	// any Linux, WSL included; false on macOS. Where it runs, a multi-user
	// Nix daemon can be started and enabled by systemd.
	Systemd bool `json:"systemd"`
	// GenericLinux says whether home-manager's targets.genericLinux is
	// needed: on every Linux that is not NixOS, WSL included.
	GenericLinux bool `json:"genericLinux"`
	// CPU is the processor's name on macOS (machdep.cpu.brand_string).
	CPU string `json:"cpu,omitempty"`
}

// Distro comes from os-release, or from sw_vers on macOS (id "macos").
type Distro struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Name    string `json:"name"`
}

// WSL describes a Windows Subsystem for Linux environment.
type WSL struct {
	Version           int  `json:"version"`           // 1 or 2
	Systemd           bool `json:"systemd"`           // systemd runs now as PID 1
	SystemdConfigured bool `json:"systemdConfigured"` // /etc/wsl.conf asks for it
	// Distro is WSL_DISTRO_NAME, the name Windows knows the distribution by.
	Distro string `json:"distro,omitempty"`
}

// Nix describes the Nix installation.
type Nix struct {
	Installed bool    `json:"installed"`
	Version   *string `json:"version"`
	Path      *string `json:"path"`
	OnPath    bool    `json:"onPath"`
	Install   *string `json:"install"` // multi-user, single-user, determinate, nixos, or null
	Daemon    *bool   `json:"daemon"`
	Flakes    *bool   `json:"flakes"`
	// NixCommand says whether the nix-command feature is on (null when Nix
	// is missing).
	NixCommand *bool `json:"nixCommand"`
	// Determinate is the Determinate Nix version when the nix binary is
	// Determinate Nix; Version is then the upstream version it is built on.
	Determinate *string `json:"determinateVersion"`
}

// HomeManager describes home-manager and any existing configuration.
type HomeManager struct {
	Installed         bool    `json:"installed"`
	Version           *string `json:"version"`
	ConfigDir         *string `json:"configDir"`
	ManagedByNixboard bool    `json:"managedByNixboard"`
	// Flake says whether the configuration directory holds a flake.nix.
	Flake bool `json:"flake"`
	// ProfileDir is the directory that holds (or will hold) the
	// home-manager profile, or null when neither candidate exists.
	ProfileDir *string `json:"profileDir"`
}

// Git is the git identity found in the person's configuration.
type Git struct {
	Installed bool   `json:"installed"`
	Name      string `json:"name"`
	Email     string `json:"email"`
}

// User is the person nixboard sets up.
type User struct {
	Name     string  `json:"name"`
	Home     string  `json:"home"`
	Hostname string  `json:"hostname"`
	Shell    string  `json:"shell"`
	Editor   *string `json:"editor"`
	// UID is the effective user id nixboard runs with (`id -u`), or, when
	// id does not answer, the user database's uid for Name; null when
	// neither is known.
	UID *int `json:"uid"`
}

// IsRoot reports whether nixboard runs as root. The effective uid decides,
// not the name: `sudo -E` keeps USER=alice while running as root, and a
// container may run uid 1000 with USER=root left in its environment. Only
// when the uid is unknown does the name "root" count.
func (u User) IsRoot() bool {
	if u.UID != nil {
		return *u.UID == 0
	}
	return u.Name == "root"
}

// Disk is the free space where the Nix store lives or would live.
type Disk struct {
	Path      string `json:"path"`
	FreeBytes *int64 `json:"freeBytes"`
}

// Status is the outcome of one check.
type Status string

// A fail means the switch cannot succeed until it is fixed.
const (
	StatusOK   Status = "ok"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
)

// Check is one finding: a stable id, its status, a one-line message and,
// when something is wrong, a fix the person can copy.
type Check struct {
	ID      string `json:"id"`
	Status  Status `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix"` // "" when nothing needs fixing
}

// Blocker is a finding that makes a switch impossible: a failed check, and
// why the switch cannot succeed while it fails.
type Blocker struct {
	Check
	// Reason says why the switch cannot succeed until the check's fix is
	// applied, in one sentence.
	Reason string `json:"reason"`
}

// Blockers returns the findings that make a switch impossible, in report
// order: every failed check, with the reason it stops the switch. The
// wizard shows them in the review and before it starts a switch, instead
// of letting the switch fail later with another message.
func (r Report) Blockers() []Blocker {
	var out []Blocker
	for _, c := range r.Checks {
		if c.Status != StatusFail {
			continue
		}
		reason, ok := blockerReasons[c.ID]
		if !ok {
			reason = "doctor found this check failing, and a failed check means the switch cannot succeed"
		}
		out = append(out, Blocker{Check: c, Reason: reason})
	}
	return out
}

// Failed reports whether any check failed.
func (r Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return true
		}
	}
	return false
}
