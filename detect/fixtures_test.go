package detect_test

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/detect/detecttest"
)

// Shorthands for the expectation table.
const (
	ok   = detect.StatusOK
	warn = detect.StatusWarn
	fail = detect.StatusFail
)

func s(v string) *string { return &v }
func b(v bool) *bool     { return &v }
func n(v int) *int       { return &v }

// fixture is what detection must find on one fixture machine.
type fixture struct {
	platform detect.Platform
	nix      detect.Nix
	hm       detect.HomeManager
	git      detect.Git
	user     detect.User
	disk     detect.Disk
	// checks is the exact set of checks with their statuses.
	checks map[string]detect.Status
	// fix holds, per check id, text its fix must contain; noFix text it
	// must not.
	fix   map[string]string
	noFix map[string]string
	// msg holds, per check id, text its message must contain: the
	// explanation that goes with a fix.
	msg map[string]string
}

var fixtures = map[string]fixture{
	"wsl2-ubuntu-systemd": {
		platform: detect.Platform{Systemd: true, Kind: "wsl", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "ubuntu", Version: "24.04", Name: "Ubuntu 24.04.1 LTS"},
			WSL:    &detect.WSL{Version: 2, Systemd: true, SystemdConfigured: true, Distro: "Ubuntu"}, GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.24.10"), Path: s("/nix/var/nix/profiles/default/bin/nix"), OnPath: true,
			Install: s("multi-user"), Daemon: b(true), Flakes: b(true), NixCommand: b(true)},
		hm:   detect.HomeManager{Installed: true, Version: s("25.11"), ProfileDir: s("/home/alice/.local/state/nix/profiles")},
		git:  detect.Git{Installed: true, Name: "Alice Example", Email: "alice@example.com"},
		user: detect.User{Name: "alice", Home: "/home/alice", Hostname: "DESKTOP-4F2K9QX", Shell: "/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(262_144_000 * 1024)},
		checks: allOK("platform.supported", "wsl.version", "wsl.systemd", "nix.installed", "nix.path", "nix.version",
			"nix.daemon", "nix.flakes", "homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
	},
	"wsl2-ubuntu-nosystemd": {
		platform: detect.Platform{Kind: "wsl", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "ubuntu", Version: "22.04", Name: "Ubuntu 22.04.5 LTS"},
			WSL:    &detect.WSL{Version: 2, Distro: "Ubuntu-22.04"}, GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.18.8"), Path: s("/nix/var/nix/profiles/default/bin/nix"), OnPath: true,
			Install: s("multi-user"), Daemon: b(false), Flakes: b(true), NixCommand: b(true)},
		git:  detect.Git{Installed: true, Name: "Alice Example", Email: "alice@example.com"},
		user: detect.User{Name: "alice", Home: "/home/alice", Hostname: "DESKTOP-4F2K9QX", Shell: "/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(262_144_000 * 1024)},
		checks: with(allOK("platform.supported", "wsl.version", "nix.installed", "nix.path", "nix.version", "nix.flakes",
			"homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"wsl.systemd", warn, "nix.daemon", fail, "homeManager.profile", warn),
		// wsl.conf has no [boot] section: the fix adds one, then restarts WSL.
		fix: map[string]string{"wsl.systemd": "printf '[boot]\\nsystemd=true\\n' | sudo tee -a /etc/wsl.conf\nwsl.exe --shutdown",
			"nix.daemon": "wsl.exe --shutdown"},
		msg: map[string]string{"wsl.systemd": "run it in Windows PowerShell if interop is off here"},
	},
	"wsl2-ubuntu-restart-pending": {
		platform: detect.Platform{Kind: "wsl", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "ubuntu", Version: "24.04", Name: "Ubuntu 24.04.1 LTS"},
			WSL:    &detect.WSL{Version: 2, SystemdConfigured: true, Distro: "Ubuntu-24.04"}, GenericLinux: true},
		git:  detect.Git{Installed: true, Name: "Alice Example", Email: "alice@example.com"},
		user: detect.User{Name: "alice", Home: "/home/alice", Hostname: "DESKTOP-4F2K9QX", Shell: "/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/", FreeBytes: i64(262_144_000 * 1024)},
		checks: with(allOK("platform.supported", "wsl.version", "homeManager.installed", "homeManager.config",
			"git.installed", "git.identity", "user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"wsl.systemd", warn, "nix.installed", fail),
		fix:   map[string]string{"wsl.systemd": "wsl.exe --shutdown", "nix.installed": "wsl.exe --shutdown"},
		noFix: map[string]string{"wsl.systemd": "wsl.conf", "nix.installed": "--no-daemon"},
		msg:   map[string]string{"wsl.systemd": "open the distribution again", "nix.installed": "or instead, upstream Nix installer (nixos.org), single-user: curl"},
	},
	"wsl1-ubuntu": {
		platform: detect.Platform{Kind: "wsl", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "ubuntu", Version: "20.04", Name: "Ubuntu 20.04.6 LTS"},
			WSL:    &detect.WSL{Version: 1, Distro: "Ubuntu-20.04"}, GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.3.16"), Path: s("/home/alice/.nix-profile/bin/nix"), OnPath: true,
			Install: s("single-user"), Flakes: b(false), NixCommand: b(true)},
		hm:   detect.HomeManager{ProfileDir: s("/nix/var/nix/profiles/per-user/alice")},
		git:  detect.Git{Installed: true, Name: "Alice Example", Email: "alice@example.com"},
		user: detect.User{Name: "alice", Home: "/home/alice", Hostname: "DESKTOP-4F2K9QX", Shell: "/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(104_857_600 * 1024)},
		checks: with(allOK("platform.supported", "nix.installed", "nix.path", "homeManager.installed", "homeManager.config",
			"git.installed", "git.identity", "user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"wsl.version", warn, "nix.version", fail, "nix.flakes", warn),
		fix: map[string]string{"wsl.version": "wsl.exe --set-version Ubuntu-20.04 2", "nix.flakes": "~/.config/nix/nix.conf"},
		msg: map[string]string{"wsl.version": "in Windows PowerShell"},
	},
	"wsl2-alpine": {
		platform: detect.Platform{Kind: "wsl", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "alpine", Version: "3.20.3", Name: "Alpine Linux v3.20"},
			WSL:    &detect.WSL{Version: 2, Distro: "Alpine"}, GenericLinux: true},
		user: detect.User{Name: "alice", Home: "/home/alice", Hostname: "LAPTOP-ADA", Shell: "/bin/ash", UID: n(1000)},
		disk: detect.Disk{Path: "/", FreeBytes: i64(262_144_000 * 1024)},
		checks: with(allOK("platform.supported", "wsl.version", "homeManager.installed", "homeManager.config",
			"user.name", "user.home", "user.hostname", "disk.free"),
			"wsl.systemd", warn, "nix.installed", fail, "git.installed", warn, "user.shell", warn),
		fix: map[string]string{"nix.installed": "sudo apk add bash curl xz", "git.installed": "sudo apk add git"},
	},
	"nixos-wsl": {
		platform: detect.Platform{Systemd: true, Kind: "nixos-wsl", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "nixos", Version: "25.11", Name: "NixOS 25.11 (Xantusia)"},
			WSL:    &detect.WSL{Version: 2, Systemd: true, SystemdConfigured: true, Distro: "NixOS"}},
		nix: detect.Nix{Installed: true, Version: s("2.28.4"), Path: s("/run/current-system/sw/bin/nix"), OnPath: true,
			Install: s("nixos"), Daemon: b(true), Flakes: b(false), NixCommand: b(false)},
		hm:   detect.HomeManager{ProfileDir: s("/nix/var/nix/profiles/per-user/nixos")},
		git:  detect.Git{Installed: true, Name: "NixOS User", Email: "nixos@example.org"},
		user: detect.User{Name: "nixos", Home: "/home/nixos", Hostname: "nixos", Shell: "/run/current-system/sw/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(988_213_440 * 1024)},
		checks: with(allOK("platform.supported", "wsl.version", "wsl.systemd", "nix.installed", "nix.path", "nix.version",
			"nix.daemon", "homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"nix.flakes", warn),
		// /etc/nix/nix.conf is generated on NixOS: the fix goes through the
		// NixOS configuration.
		fix:   map[string]string{"nix.flakes": "sudo nixos-rebuild switch"},
		noFix: map[string]string{"nix.flakes": "/etc/nix/nix.conf"},
		msg:   map[string]string{"nix.flakes": "add `nix.settings.experimental-features = [ \"nix-command\" \"flakes\" ];` to /etc/nixos/configuration.nix"},
	},
	"darwin-arm64": {
		platform: detect.Platform{Kind: "darwin", Arch: "aarch64", System: "aarch64-darwin",
			Distro: detect.Distro{ID: "macos", Version: "15.1", Name: "macOS 15.1 Sequoia"}, CPU: "Apple M2"},
		nix: detect.Nix{Installed: true, Version: s("2.31.1"), Determinate: s("3.11.2"), Path: s("/nix/var/nix/profiles/default/bin/nix"),
			OnPath: true, Install: s("determinate"), Daemon: b(true), Flakes: b(true), NixCommand: b(true)},
		hm:   detect.HomeManager{ProfileDir: s("/Users/alice/.local/state/nix/profiles")},
		git:  detect.Git{Installed: true, Name: "Alice Example", Email: "alice@example.com"},
		user: detect.User{Name: "alice", Home: "/Users/alice", Hostname: "Alices-MacBook-Air", Shell: "/bin/zsh"},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(402_653_184 * 1024)},
		checks: allOK("platform.supported", "nix.installed", "nix.path", "nix.version", "nix.daemon", "nix.flakes",
			"homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
	},
	"darwin-intel": {
		platform: detect.Platform{Kind: "darwin", Arch: "x86_64", System: "x86_64-darwin",
			Distro: detect.Distro{ID: "macos", Version: "13.6.9", Name: "macOS 13.6.9 Ventura"},
			CPU:    "Intel(R) Core(TM) i9-9880H CPU @ 2.30GHz"},
		nix: detect.Nix{Installed: true, Version: s("2.24.10"), Path: s("/nix/var/nix/profiles/default/bin/nix"),
			OnPath: true, Install: s("multi-user"), Daemon: b(true), Flakes: b(true), NixCommand: b(true)},
		hm:   detect.HomeManager{ConfigDir: s("/Users/alice/.config/home-manager"), Flake: true, ProfileDir: s("/nix/var/nix/profiles/per-user/alice")},
		git:  detect.Git{Installed: true, Name: "Alice Example", Email: "alice@example.com"},
		user: detect.User{Name: "alice", Home: "/Users/alice", Hostname: "Alices-MBP", Shell: "/bin/zsh", Editor: s("nano")},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(402_653_184 * 1024)},
		checks: with(allOK("platform.supported", "nix.installed", "nix.path", "nix.version", "nix.daemon", "nix.flakes",
			"homeManager.installed", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"darwin.intel", warn, "homeManager.config", warn),
	},
	"darwin-rosetta": {
		platform: detect.Platform{Kind: "darwin", Arch: "aarch64", System: "aarch64-darwin", Rosetta: true,
			Distro: detect.Distro{ID: "macos", Version: "14.7.1", Name: "macOS 14.7.1 Sonoma"}, CPU: "Apple M1"},
		git:  detect.Git{Installed: true, Name: "Alice Example", Email: "alice@example.com"},
		user: detect.User{Name: "alice", Home: "/Users/alice", Hostname: "Alices-iMac", Shell: "/bin/zsh"},
		disk: detect.Disk{Path: "/", FreeBytes: i64(402_653_184 * 1024)},
		checks: with(allOK("platform.supported", "homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"darwin.rosetta", warn, "nix.installed", fail),
		// Apple Silicon, even when nixboard runs under Rosetta: Determinate.
		fix: map[string]string{"nix.installed": "https://install.determinate.systems/nix | sh -s -- install --no-confirm"},
	},
	"ubuntu-x86_64": {
		platform: detect.Platform{Systemd: true, Kind: "linux", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "ubuntu", Version: "24.04", Name: "Ubuntu 24.04.1 LTS"}, GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.28.4"), Path: s("/nix/var/nix/profiles/default/bin/nix"), OnPath: true,
			Install: s("multi-user"), Daemon: b(true), Flakes: b(true), NixCommand: b(true)},
		hm: detect.HomeManager{Installed: true, Version: s("25.11"), ConfigDir: s("/home/dave/.config/home-manager"),
			ManagedByNixboard: true, Flake: true, ProfileDir: s("/home/dave/.local/state/nix/profiles")},
		git:  detect.Git{Installed: true, Name: "Dave Example", Email: "dave@work.example"},
		user: detect.User{Name: "dave", Home: "/home/dave", Hostname: "workstation", Shell: "/usr/bin/zsh", Editor: s("/usr/bin/nvim"), UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(5_242_880 * 1024)},
		checks: with(allOK("platform.supported", "nix.installed", "nix.path", "nix.version", "nix.daemon", "nix.flakes",
			"homeManager.installed", "homeManager.config", "homeManager.answers", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname"),
			"disk.free", warn),
	},
	"debian-aarch64": {
		platform: detect.Platform{Systemd: true, Kind: "linux", Arch: "aarch64", System: "aarch64-linux",
			Distro: detect.Distro{ID: "debian", Version: "12", Name: "Debian GNU/Linux 12 (bookworm)"}, GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.18.8"), Path: s("/home/bob/.nix-profile/bin/nix"), OnPath: true,
			Install: s("single-user"), Flakes: b(true), NixCommand: b(true)},
		hm:   detect.HomeManager{ProfileDir: s("/nix/var/nix/profiles/per-user/bob")},
		git:  detect.Git{Installed: true, Name: "Bob Example"},
		user: detect.User{Name: "bob", Home: "/home/bob", Hostname: "pi5", Shell: "/usr/bin/fish", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(52_428_800 * 1024)},
		checks: with(allOK("platform.supported", "nix.installed", "nix.path", "nix.version", "nix.flakes",
			"homeManager.installed", "homeManager.config", "git.installed",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"git.identity", warn),
		fix:   map[string]string{"git.identity": "git config --global user.email"},
		noFix: map[string]string{"git.identity": "user.name"},
	},
	"nixos": {
		platform: detect.Platform{Systemd: true, Kind: "nixos", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "nixos", Version: "25.05", Name: "NixOS 25.05 (Warbler)"}},
		nix: detect.Nix{Installed: true, Version: s("2.28.5"), Path: s("/run/current-system/sw/bin/nix"), OnPath: true,
			Install: s("nixos"), Daemon: b(true), Flakes: b(true), NixCommand: b(true)},
		hm:   detect.HomeManager{ProfileDir: s("/home/carol/.local/state/nix/profiles")},
		git:  detect.Git{Installed: true, Name: "Carol Example", Email: "carol@example.org"},
		user: detect.User{Name: "carol", Home: "/home/carol", Hostname: "nixbox", Shell: "/run/current-system/sw/bin/zsh", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(1_468_006_400 * 1024)},
		checks: allOK("platform.supported", "nix.installed", "nix.path", "nix.version", "nix.daemon", "nix.flakes",
			"homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
	},
	"docker-ubuntu": {
		platform: detect.Platform{Kind: "linux", Arch: "x86_64", System: "x86_64-linux",
			Distro:    detect.Distro{ID: "ubuntu", Version: "24.04", Name: "Ubuntu 24.04.1 LTS"},
			Container: s("docker"), GenericLinux: true},
		user: detect.User{Name: "root", Home: "/root", Hostname: "3f4e5d6c7b8a", Shell: "/bin/bash", UID: n(0)},
		disk: detect.Disk{Path: "/", FreeBytes: i64(83_606_360 * 1024)},
		checks: with(allOK("platform.supported", "homeManager.installed", "homeManager.config",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"platform.container", warn, "nix.installed", fail, "git.installed", warn),
		// Root without systemd: Determinate's root-only plan, no sudo.
		fix:   map[string]string{"nix.installed": "sh -s -- install linux --init none --no-confirm", "git.installed": "apt-get install -y git"},
		noFix: map[string]string{"nix.installed": "sudo", "git.installed": "sudo"},
	},
	// Debian's own Nix package (nix-bin) in a Docker container as root, as on
	// nixboard's CI: the daemon that belongs to it is /usr/bin/nix-daemon,
	// not the default profile's, and root needs no sudo.
	"debian-nix-bin": {
		platform: detect.Platform{Kind: "linux", Arch: "x86_64", System: "x86_64-linux",
			Distro:    detect.Distro{ID: "debian", Version: "12", Name: "Debian GNU/Linux 12 (bookworm)"},
			Container: s("docker"), GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.8.0"), Path: s("/usr/bin/nix"), OnPath: true,
			Install: s("multi-user"), Daemon: b(false), Flakes: b(false), NixCommand: b(false)},
		user: detect.User{Name: "root", Home: "/root", Hostname: "5c1d0e7a9b2f", Shell: "/bin/bash", UID: n(0)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(104_857_600 * 1024)},
		checks: with(allOK("platform.supported", "nix.installed", "nix.path", "homeManager.installed", "homeManager.config",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"platform.container", warn, "nix.version", fail, "nix.daemon", warn, "nix.flakes", warn,
			"homeManager.profile", warn, "git.installed", warn),
		msg: map[string]string{"nix.daemon": "no systemd here: the fix starts the daemon by hand",
			"platform.container": "run nixboard on the host"},
		fix: map[string]string{"nix.daemon": "sh -c '/usr/bin/nix-daemon >/dev/null 2>&1 &'",
			"nix.version": "\napt-get purge -y nix-bin nix-setup-systemd\n"},
		noFix: map[string]string{"nix.daemon": "/nix/var/nix/profiles/default/bin/nix-daemon", "nix.version": "sudo"},
	},
	// The same package on a Debian desktop with systemd, its socket never
	// enabled: the package's units start the daemon.
	"debian-nix-bin-systemd": {
		platform: detect.Platform{Kind: "linux", Arch: "x86_64", System: "x86_64-linux", Systemd: true,
			Distro: detect.Distro{ID: "debian", Version: "12", Name: "Debian GNU/Linux 12 (bookworm)"}, GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.8.0"), Path: s("/usr/bin/nix"), OnPath: true,
			Install: s("multi-user"), Daemon: b(false), Flakes: b(false), NixCommand: b(false)},
		git:  detect.Git{Installed: true, Name: "Frank Example", Email: "frank@example.com"},
		user: detect.User{Name: "frank", Home: "/home/frank", Hostname: "bookworm-desk", Shell: "/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(104_857_600 * 1024)},
		checks: with(allOK("platform.supported", "nix.installed", "nix.path", "homeManager.installed", "homeManager.config",
			"git.installed", "git.identity", "user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"nix.version", fail, "nix.daemon", fail, "nix.flakes", warn, "homeManager.profile", warn),
		fix: map[string]string{"nix.daemon": "sudo systemctl enable --now nix-daemon.socket",
			"nix.version": "\nsudo apt-get purge -y nix-bin nix-setup-systemd\n"},
		noFix: map[string]string{"nix.daemon": "nix-daemon.service"},
	},
	"ubuntu-nix-missing": {
		platform: detect.Platform{Systemd: true, Kind: "linux", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "ubuntu", Version: "24.04", Name: "Ubuntu 24.04.1 LTS"}, GenericLinux: true},
		git:  detect.Git{Installed: true, Name: "Erin Example", Email: "erin@example.com"},
		user: detect.User{Name: "erin", Home: "/home/erin", Hostname: "erin-laptop", Shell: "/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/", FreeBytes: i64(1_048_576 * 1024)},
		checks: with(allOK("platform.supported", "homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname"),
			"nix.installed", fail, "disk.free", fail),
		// systemd runs: Determinate's multi-user install.
		fix: map[string]string{"nix.installed": "https://install.determinate.systems/nix | sh -s -- install --no-confirm"},
	},
	"nix-not-on-path": {
		platform: detect.Platform{Systemd: true, Kind: "linux", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "ubuntu", Version: "24.04", Name: "Ubuntu 24.04.1 LTS"}, GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.28.4"), Path: s("/nix/var/nix/profiles/default/bin/nix"), OnPath: false,
			Install: s("multi-user"), Daemon: b(true), Flakes: b(true), NixCommand: b(true)},
		git:  detect.Git{Installed: true, Name: "Erin Example", Email: "erin@example.com"},
		user: detect.User{Name: "erin", Home: "/home/erin", Hostname: "erin-laptop", Shell: "/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(104_857_600 * 1024)},
		checks: with(allOK("platform.supported", "nix.installed", "nix.version", "nix.daemon", "nix.flakes",
			"homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"nix.path", fail, "homeManager.profile", warn),
		fix:   map[string]string{"nix.path": ". /nix/var/nix/profiles/default/etc/profile.d/nix-daemon.sh"},
		noFix: map[string]string{"nix.path": "install"},
	},
	"flakes-off": {
		platform: detect.Platform{Systemd: true, Kind: "linux", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "ubuntu", Version: "24.04", Name: "Ubuntu 24.04.1 LTS"}, GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.28.4"), Path: s("/nix/var/nix/profiles/default/bin/nix"), OnPath: true,
			Install: s("multi-user"), Daemon: b(true), Flakes: b(false), NixCommand: b(false)},
		hm:   detect.HomeManager{ProfileDir: s("/nix/var/nix/profiles/per-user/erin")},
		git:  detect.Git{Installed: true, Name: "Erin Example", Email: "erin@example.com"},
		user: detect.User{Name: "erin", Home: "/home/erin", Hostname: "erin-laptop", Shell: "/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(104_857_600 * 1024)},
		checks: with(allOK("platform.supported", "nix.installed", "nix.path", "nix.version", "nix.daemon",
			"homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"nix.flakes", warn),
		fix:   map[string]string{"nix.flakes": "echo 'extra-experimental-features = nix-command flakes' >> ~/.config/nix/nix.conf"},
		noFix: map[string]string{"nix.flakes": "/etc/nix/nix.conf"},
	},
	"daemon-down": {
		platform: detect.Platform{Systemd: true, Kind: "linux", Arch: "x86_64", System: "x86_64-linux",
			Distro: detect.Distro{ID: "ubuntu", Version: "24.04", Name: "Ubuntu 24.04.1 LTS"}, GenericLinux: true},
		nix: detect.Nix{Installed: true, Version: s("2.28.4"), Path: s("/nix/var/nix/profiles/default/bin/nix"), OnPath: true,
			Install: s("multi-user"), Daemon: b(false), Flakes: b(true), NixCommand: b(true)},
		hm:   detect.HomeManager{ProfileDir: s("/nix/var/nix/profiles/per-user/erin")},
		git:  detect.Git{Installed: true, Name: "Erin Example", Email: "erin@example.com"},
		user: detect.User{Name: "erin", Home: "/home/erin", Hostname: "erin-laptop", Shell: "/bin/bash", UID: n(1000)},
		disk: detect.Disk{Path: "/nix", FreeBytes: i64(104_857_600 * 1024)},
		checks: with(allOK("platform.supported", "nix.installed", "nix.path", "nix.version", "nix.flakes",
			"homeManager.installed", "homeManager.config", "git.installed", "git.identity",
			"user.name", "user.home", "user.shell", "user.hostname", "disk.free"),
			"nix.daemon", fail),
		fix: map[string]string{"nix.daemon": "sudo systemctl enable --now nix-daemon"},
	},
}

func i64(v int64) *int64 { return &v }

func allOK(ids ...string) map[string]detect.Status {
	m := map[string]detect.Status{}
	for _, id := range ids {
		m[id] = ok
	}
	return m
}

// with sets statuses: id, status, id, status...
func with(m map[string]detect.Status, pairs ...any) map[string]detect.Status {
	for i := 0; i < len(pairs); i += 2 {
		m[pairs[i].(string)] = pairs[i+1].(detect.Status)
	}
	return m
}

func runFixture(t testing.TB, name string, opts detect.Options) detect.Report {
	t.Helper()
	m, err := detect.FromEnv(detecttest.Getenv(detecttest.Env(t, name)))
	if err != nil {
		t.Fatal(err)
	}
	return detect.Run(context.Background(), m, opts)
}

func TestEveryFixtureHasExpectations(t *testing.T) {
	for _, name := range detecttest.Names(t) {
		if _, ok := fixtures[name]; !ok && name != "nix-hangs" {
			t.Errorf("fixture %s has no expectations in the table", name)
		}
	}
}

func TestFixtures(t *testing.T) {
	for name, want := range fixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := runFixture(t, name, detect.Options{})
			eq(t, "platform", r.Platform, want.platform)
			eq(t, "nix", r.Nix, want.nix)
			eq(t, "homeManager", r.HomeManager, want.hm)
			eq(t, "git", r.Git, want.git)
			eq(t, "user", r.User, want.user)
			eq(t, "disk", r.Disk, want.disk)

			got := map[string]detect.Status{}
			for _, c := range r.Checks {
				if _, dup := got[c.ID]; dup {
					t.Errorf("check %s appears twice", c.ID)
				}
				got[c.ID] = c.Status
				if !documented(c.ID) {
					t.Errorf("check %s is not in detect.CheckIDs", c.ID)
				}
				if c.Message == "" || strings.Contains(c.Message, "\n") {
					t.Errorf("check %s: message must be one line, got %q", c.ID, c.Message)
				}
				if c.Status != ok && c.Fix == "" && !noFixNeeded[c.ID] {
					t.Errorf("check %s is %s without a fix: %s", c.ID, c.Status, c.Message)
				}
				if strings.Contains(c.Message+c.Fix, detecttest.Dir()) || strings.Contains(c.Message+c.Fix, "nbfx") {
					t.Errorf("check %s shows the fixture root: %q %q", c.ID, c.Message, c.Fix)
				}
			}
			if !maps.Equal(got, want.checks) {
				t.Errorf("checks:\n got  %v\n want %v", sorted(got), sorted(want.checks))
			}
			for id, part := range want.fix {
				if c := find(r, id); !strings.Contains(c.Fix, part) {
					t.Errorf("%s fix = %q, want it to contain %q", id, c.Fix, part)
				}
			}
			for id, part := range want.msg {
				if c := find(r, id); !strings.Contains(c.Message, part) {
					t.Errorf("%s message = %q, want it to contain %q", id, c.Message, part)
				}
			}
			for id, part := range want.noFix {
				if c := find(r, id); strings.Contains(c.Fix, part) {
					t.Errorf("%s fix = %q, must not contain %q", id, c.Fix, part)
				}
			}
			if r.Failed() != slices.Contains(slices.Collect(maps.Values(want.checks)), fail) {
				t.Errorf("Failed() = %v", r.Failed())
			}
		})
	}
}

func documented(id string) bool {
	return slices.ContainsFunc(detect.CheckIDs, func(c detect.CheckInfo) bool { return c.ID == id })
}

func TestCheckIDsUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range detect.CheckIDs {
		if seen[c.ID] || c.Meaning == "" {
			t.Errorf("check id %q is duplicated or undocumented", c.ID)
		}
		seen[c.ID] = true
	}
}

// noFixNeeded lists warnings that state a fact rather than ask for a change.
// Where no command fixes a warning (nixboard runs in a container, under
// Rosetta), the message says what to do.
var noFixNeeded = map[string]bool{"darwin.intel": true, "user.shell": true, "disk.free": true,
	"platform.container": true, "darwin.rosetta": true}

func find(r detect.Report, id string) detect.Check {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return detect.Check{}
}

func sorted(m map[string]detect.Status) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+string(v))
	}
	slices.Sort(out)
	return out
}

// TestHangingNix runs the fixture whose nix sleeps forever: detection must
// return soon after the probe timeout, with the nix checks as warnings and
// flakes read from nix.conf instead.
func TestHangingNix(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	start := time.Now()
	r := runFixture(t, "nix-hangs", detect.Options{Timeout: timeout})
	elapsed := time.Since(start)
	// nix is asked twice in a row at most (the feature question, then the
	// retry never happens because both first answers time out).
	if limit := 2*timeout + time.Second; elapsed > limit {
		t.Fatalf("detection took %s with a hanging nix, want under %s", elapsed, limit)
	}
	if c := find(r, "nix.version"); c.Status != warn || !strings.Contains(c.Message, "did not answer in time") {
		t.Errorf("nix.version = %+v, want a warning that nix did not answer", c)
	}
	if c := find(r, "nix.flakes"); c.Status != warn || !strings.Contains(c.Message, "/etc/nix/nix.conf") {
		t.Errorf("nix.flakes = %+v, want a warning with flakes read from /etc/nix/nix.conf", c)
	}
	if r.Nix.Flakes == nil || !*r.Nix.Flakes || r.Nix.Version != nil || !r.Nix.Installed {
		t.Errorf("nix = %+v, want installed, version unknown, flakes true from nix.conf", r.Nix)
	}
	// Everything else was still detected.
	if c := find(r, "git.identity"); c.Status != ok {
		t.Errorf("git.identity = %+v", c)
	}
}

// TestFeatureFixesAdd: a fix that turns flakes on in nix.conf or NIX_CONFIG
// says extra-experimental-features, which adds to the person's list; a plain
// experimental-features line would replace it (dropping, say,
// ca-derivations). NixOS's nix.settings.experimental-features is a list
// option whose definitions merge, so it may keep its name.
func TestFeatureFixesAdd(t *testing.T) {
	plain := regexp.MustCompile(`(^|[^-.])experimental-features`)
	reports := map[string]detect.Report{}
	for name := range fixtures {
		reports["fixture "+name] = runFixture(t, name, detect.Options{})
	}
	for _, name := range detect.DemoNames() {
		m, err := detect.Demo(name)
		if err != nil {
			t.Fatal(err)
		}
		reports["demo "+name] = detect.Run(context.Background(), m, detect.Options{})
	}
	seen := 0
	for name, r := range reports {
		for _, c := range r.Checks {
			if strings.Contains(c.Fix, "experimental-features") {
				seen++
			}
			if plain.MatchString(c.Fix) {
				t.Errorf("%s: %s fix sets experimental-features, replacing the person's own: %q", name, c.ID, c.Fix)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no fix mentions experimental-features: the test checks nothing")
	}
}
