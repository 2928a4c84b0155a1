package detect

// CheckInfo documents one check id.
type CheckInfo struct {
	ID      string
	Meaning string
}

// CheckIDs lists every check detection can report, in report order, with
// what it means. The ids are stable: tools may match on them. Checks that
// only make sense on some machines (wsl.*, darwin.*, nix.* when Nix is
// missing) are left out where they do not apply.
var CheckIDs = []CheckInfo{
	{"platform.supported", "the OS and architecture form a Nix system home-manager supports (x86_64/aarch64, Linux/macOS); fail otherwise"},
	{"platform.container", "warn: nixboard runs in a Docker, Podman or LXC container, where the setup lives and dies with the container"},
	{"darwin.rosetta", "warn: an x86_64 nixboard runs under Rosetta on Apple Silicon; the Mac is still set up as aarch64-darwin"},
	{"darwin.intel", "warn: an Intel Mac, which stays on release-26.05 (home-manager master dropped x86_64-darwin)"},
	{"wsl.version", "WSL 2 is ok; WSL 1 warns, with the wsl.exe --set-version command"},
	{"wsl.systemd", "WSL 2 only: systemd runs (ok), is asked for in /etc/wsl.conf but WSL was not restarted (warn: wsl.exe --shutdown), or is off (warn: the /etc/wsl.conf change)"},
	{"nix.installed", "Nix is installed, and how (multi-user, single-user, determinate, nixos); fail with the installer command when it is not"},
	{"nix.path", "nix is on PATH; fail when it is installed under /nix but the profile is not sourced (the fix sources it, never reinstalls)"},
	{"nix.version", "the Nix version; fail when it is older than 2.18 (nixpkgs' lib/minver.nix: nixpkgs aborts on an older Nix), warn when `nix --version` does not answer; a distribution's Nix (Debian's nix-bin) gets the steps that replace it, each saying what it removes"},
	{"nix.daemon", "multi-user installs: the daemon socket accepts connections; fail when it does not (warn as root), with the fix for systemd, WSL or launchd"},
	{"nix.flakes", "the flakes and nix-command features are on (as nix reports, else from nix.conf and NIX_CONFIG); warn when off, with a fix that never edits /etc/nix/nix.conf on NixOS"},
	{"homeManager.installed", "home-manager is installed, with its version; not installed is ok (the first switch runs the pinned one)"},
	{"homeManager.config", "the configuration directory: none yet or written by nixboard (ok), or a configuration nixboard did not write (warn: it is backed up before anything is replaced)"},
	{"homeManager.profile", "warn when Nix is installed but neither ~/.local/state/nix/profiles nor /nix/var/nix/profiles/per-user/USER exists"},
	{"git.installed", "git is installed; warn with the package manager's command when it is not"},
	{"git.identity", "git user.name and user.email are set; warn when one is missing (the wizard asks)"},
	{"user.name", "the user is known (USER, LOGNAME or id -un); warn when running as root (effective uid 0, from id -u) outside a container"},
	{"user.home", "HOME is set and exists; warn when the last run's home.homeDirectory is not the same directory as HOME (home-manager's activation compares the two, not /etc/passwd), and the defaults then follow HOME"},
	{"user.shell", "the login shell is bash, zsh or fish; warn otherwise (bash is configured)"},
	{"user.hostname", "a short host name was found (/etc/hostname or hostname)"},
	{"disk.free", "free space where /nix lives or would be created: fail under 2 GiB, warn under 10 GiB or when df does not answer"},
	{"homeManager.answers", "a re-run: nixboard.json from the last run supplies the defaults (ok), or cannot be read (warn)"},
}

// blockerReasons say, per check id, why a failed check makes the switch
// impossible.
var blockerReasons = map[string]string{
	"platform.supported": "home-manager and nixpkgs build nothing for this system",
	"nix.installed":      "there is no Nix to build the configuration with",
	"nix.path":           "home-manager and the switch call nix from PATH, where it is not",
	"nix.version":        "nixpkgs aborts on a Nix older than " + minNix + " (its lib/minver.nix), and the flake nixboard writes imports nixpkgs",
	"nix.daemon":         "a multi-user Nix builds through its daemon, and nothing answers at " + daemonSocket,
	"user.name":          "home-manager's activation checks USER against home.username",
	"user.home":          "home-manager's activation checks HOME against home.homeDirectory",
	"disk.free":          "a first switch downloads and builds a few GiB into /nix/store",
}
