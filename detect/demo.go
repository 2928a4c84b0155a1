package detect

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Demo machines live in memory: their files and command outputs are part of
// the binary, commands are answered by Go functions, and nothing touches the
// host. They are believable machines for a screencast and for trying the
// wizard anywhere:
//
//   - wsl-ubuntu (the default): Ubuntu 24.04 on WSL 2 with systemd, Nix 2.31
//     (multi-user, daemon up) installed but flakes not yet enabled (one
//     warning, with its fix), no home-manager yet, git identity set.
//   - darwin-arm64: macOS 15 on an Apple M3 Pro with Determinate Nix, zsh.
//   - darwin-intel: macOS 14 on an Intel Mac with upstream Nix; the wizard
//     must stay on release-26.05 there.
//   - nixos-wsl: NixOS-WSL 25.11, flakes enabled, user "nixos".
//   - linux-x86_64: Fedora 42 Workstation on bare metal without Nix (one
//     failed check: Nix is not installed, with the installer command).
//     DemoWithNix gives the same machine after the demo "installed" Nix.
var demos = map[string]func() *memory{
	"wsl-ubuntu":   demoWSLUbuntu,
	"darwin-arm64": demoDarwinARM,
	"darwin-intel": demoDarwinIntel,
	"nixos-wsl":    demoNixOSWSL,
	"linux-x86_64": demoFedora,
}

// DefaultDemo is the demo machine Demo("") returns.
const DefaultDemo = "wsl-ubuntu"

// DemoNames lists the demo machines, the default first.
func DemoNames() []string {
	names := []string{DefaultDemo}
	for n := range demos {
		if n != DefaultDemo {
			names = append(names, n)
		}
	}
	slices.Sort(names[1:])
	return names
}

// Demo returns a fresh in-memory demo machine; "" means DefaultDemo.
func Demo(name string) (Machine, error) {
	if name == "" {
		name = DefaultDemo
	}
	f, ok := demos[name]
	if !ok {
		return nil, fmt.Errorf("no demo machine %q: choose one of %s", name, strings.Join(DemoNames(), ", "))
	}
	return f(), nil
}

func text(s string) CommandFunc {
	return func(context.Context, []string) (Output, error) {
		return Output{Stdout: []byte(s + "\n")}, nil
	}
}

// demoNix answers nix like a real one: --version, and experimental-features
// through `nix config show` (refused without nix-command, as Nix does).
func demoNix(versionLine string, features ...string) CommandFunc {
	return func(_ context.Context, args []string) (Output, error) {
		feats := slices.Clone(features)
		if len(args) >= 2 && args[0] == "--extra-experimental-features" {
			feats = append(feats, strings.Fields(args[1])...)
			args = args[2:]
		}
		switch {
		case len(args) == 1 && args[0] == "--version":
			return Output{Stdout: []byte(versionLine + "\n")}, nil
		case len(args) >= 1 && (args[0] == "config" || args[0] == "show-config") && !slices.Contains(feats, "nix-command") && !strings.Contains(versionLine, "Determinate"):
			return Output{Stderr: []byte("error: experimental Nix feature 'nix-command' is disabled; use '--extra-experimental-features nix-command' to override\n")},
				&ExitError{Name: "nix", Code: 1}
		case len(args) == 3 && args[0] == "config" && args[1] == "show" && args[2] == "experimental-features":
			return Output{Stdout: []byte(strings.Join(feats, " ") + "\n")}, nil
		case len(args) == 1 && args[0] == "show-config":
			return Output{Stdout: []byte("experimental-features = " + strings.Join(feats, " ") + "\n")}, nil
		}
		return Output{Stderr: []byte("error: unrecognised flag\n")}, &ExitError{Name: "nix", Code: 1}
	}
}

// demoGit answers `git config --get KEY` from a fixed identity.
func demoGit(name, email string) CommandFunc {
	return func(_ context.Context, args []string) (Output, error) {
		if len(args) == 3 && args[0] == "config" && args[1] == "--get" {
			v := map[string]string{"user.name": name, "user.email": email}[args[2]]
			if v != "" {
				return Output{Stdout: []byte(v + "\n")}, nil
			}
		}
		return Output{}, &ExitError{Name: "git", Code: 1}
	}
}

func demoDF(device string, freeKiB int64) CommandFunc {
	return func(_ context.Context, args []string) (Output, error) {
		total := freeKiB * 3
		used := total - freeKiB
		mount := args[len(args)-1]
		return Output{Stdout: []byte(fmt.Sprintf(
			"Filesystem     1024-blocks      Used Available Capacity Mounted on\n%s %d %d %d %d%% %s\n",
			device, total, used, freeKiB, used*100/total, mount))}, nil
	}
}

// linuxMachine is the part every demo Linux shares.
func linuxMachine(goarch, osRelease, hostname, user, home, shell string) *memory {
	m := newMemory("linux", goarch)
	m.env = map[string]string{
		"USER": user, "LOGNAME": user, "HOME": home, "SHELL": shell, "LANG": "C.UTF-8",
		"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	}
	m.file("/etc/os-release", osRelease)
	m.file("/etc/hostname", hostname+"\n")
	m.file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"+user+":x:1000:1000:"+user+":"+home+":"+shell+"\n")
	m.dir(home)
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[goarch]
	m.command("/usr/bin/uname", text(arch))
	m.command("/usr/bin/df", demoDF("/dev/sdc", 221_874_176))
	return m
}

func wslBits(m *memory, distro, kernel string) {
	m.env["WSL_DISTRO_NAME"] = distro
	m.env["WSL_INTEROP"] = "/run/WSL/1234_interop"
	m.file("/proc/sys/kernel/osrelease", kernel+"\n")
	m.file("/proc/version", "Linux version "+kernel+" (root@a2d5d6d3ef41) (gcc (GCC) 11.2.0, GNU ld (GNU Binutils) 2.37) #1 SMP PREEMPT_DYNAMIC Thu Oct  5 21:02:42 UTC 2023\n")
	m.dir("/run/systemd/system")
	m.dir("/mnt/c/Windows")
}

func multiUserNix(m *memory, nix CommandFunc, version string) {
	store := "/nix/store/lx3mmn9a0rjz8y0ca6hmmd9vmq6g7kk1-nix-" + version
	m.command(store+"/bin/nix", nix)
	m.link("/nix/var/nix/profiles/default", "/nix/var/nix/profiles/default-1-link")
	m.link("/nix/var/nix/profiles/default-1-link", "/nix/store/9h1v6b1wbzkhnpk6qv8h1k1dbkqfx7dn-user-environment")
	m.link("/nix/store/9h1v6b1wbzkhnpk6qv8h1k1dbkqfx7dn-user-environment/bin/nix", store+"/bin/nix")
	m.socket(daemonSocket, true)
	m.env["PATH"] = m.env["HOME"] + "/.nix-profile/bin:/nix/var/nix/profiles/default/bin:" + m.env["PATH"]
}

// determinateNix installs Determinate Nix 3.8.2 from store as the default
// profile, with the installer's receipt and nix.conf; the caller adds the
// daemon's unit and socket, which differ between Linux and macOS.
func determinateNix(m *memory, store string) {
	m.command(store+"/bin/nix", demoNix("nix (Determinate Nix 3.8.2) 2.30.1"))
	m.link("/nix/var/nix/profiles/default", "/nix/var/nix/profiles/default-1-link")
	m.link("/nix/var/nix/profiles/default-1-link", store)
	m.file("/nix/receipt.json", `{"version":"3.8.2","root_actions":[],"config":{"settings":{"modify_profile":true,"nix_build_group_name":"nixbld"}}}`+"\n")
	m.file("/etc/nix/nix.conf", "# Generated by https://github.com/DeterminateSystems/nix-installer.\n# See `/nix/nix-installer --version` for the version details.\n\n!include nix.custom.conf\n\nbuild-users-group = nixbld\nexperimental-features = nix-command flakes\n")
}

const ubuntu2404 = `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
`

func demoWSLUbuntu() *memory {
	m := linuxMachine("amd64", ubuntu2404, "DESKTOP-7Q2M4KD", "ada", "/home/ada", "/bin/bash")
	wslBits(m, "Ubuntu-24.04", "5.15.167.4-microsoft-standard-WSL2")
	m.file("/etc/wsl.conf", "[boot]\nsystemd=true\n\n[user]\ndefault=ada\n")
	multiUserNix(m, demoNix("nix (Nix) 2.31.2"), "2.31.2")
	m.file("/etc/nix/nix.conf", "build-users-group = nixbld\n")
	m.dir("/home/ada/.local/state/nix/profiles")
	m.command("/usr/bin/git", demoGit("Ada Lovelace", "ada@example.org"))
	return m
}

func demoNixOSWSL() *memory {
	m := linuxMachine("amd64", `ANSI_COLOR="1;34"
BUG_REPORT_URL="https://github.com/NixOS/nixpkgs/issues"
BUILD_ID="25.11.20251102.a7fc11b"
DOCUMENTATION_URL="https://nixos.org/learn.html"
HOME_URL="https://nixos.org/"
ID=nixos
IMAGE_ID=""
IMAGE_VERSION=""
LOGO="nix-snowflake"
NAME=NixOS
PRETTY_NAME="NixOS 25.11 (Xantusia)"
SUPPORT_URL="https://nixos.org/community.html"
VERSION="25.11 (Xantusia)"
VERSION_CODENAME=xantusia
VERSION_ID="25.11"
`, "nixos", "nixos", "/home/nixos", "/run/current-system/sw/bin/bash")
	wslBits(m, "NixOS", "6.6.87.2-microsoft-standard-WSL2")
	m.file("/etc/NIXOS", "")
	m.file("/etc/wsl.conf", "[automount]\nenabled=true\nmountFsTab=false\nroot=/mnt\n\n[boot]\nsystemd=true\n\n[interop]\nappendWindowsPath=true\nenabled=true\n\n[network]\ngenerateHosts=true\ngenerateResolvConf=true\nhostname=nixos\n\n[user]\ndefault=nixos\n")
	m.env["PATH"] = "/run/wrappers/bin:/home/nixos/.nix-profile/bin:/nix/profile/bin:/home/nixos/.local/state/nix/profile/bin:/etc/profiles/per-user/nixos/bin:/nix/var/nix/profiles/default/bin:/run/current-system/sw/bin"
	nixStore := "/nix/store/h0n5bpqq9v6hiq1d0p3jrlm7bhwsv8x1-nix-2.31.2"
	m.command(nixStore+"/bin/nix", demoNix("nix (Nix) 2.31.2", "nix-command", "flakes"))
	m.link("/run/current-system/sw/bin/nix", nixStore+"/bin/nix")
	gitStore := "/nix/store/8n1b4c3b0l9bzdx7m2l2c1kq2h0vc6rp-git-2.51.0"
	m.command(gitStore+"/bin/git", demoGit("Ada Lovelace", "ada@example.org"))
	m.link("/run/current-system/sw/bin/git", gitStore+"/bin/git")
	m.socket(daemonSocket, true)
	m.dir("/nix/var/nix/profiles/per-user/nixos")
	m.file("/etc/nix/nix.conf", "# WARNING: this file is generated from the nix.* options in\n# your NixOS configuration, typically\n# /etc/nixos/configuration.nix.  Do not edit it!\nallowed-users = *\nauto-optimise-store = false\nbuild-users-group = nixbld\nexperimental-features = nix-command flakes\n")
	m.command("/run/current-system/sw/bin/uname", text("x86_64"))
	m.command("/run/current-system/sw/bin/df", demoDF("/dev/sdd", 988_213_440))
	return m
}

func demoFedora() *memory {
	m := linuxMachine("amd64", `NAME="Fedora Linux"
VERSION="42 (Workstation Edition)"
RELEASE_TYPE=stable
ID=fedora
VERSION_ID=42
VERSION_CODENAME=""
PLATFORM_ID="platform:f42"
PRETTY_NAME="Fedora Linux 42 (Workstation Edition)"
ANSI_COLOR="0;38;2;60;110;180"
LOGO=fedora-logo-icon
CPE_NAME="cpe:/o:fedoraproject:fedora:42"
DEFAULT_HOSTNAME="fedora"
HOME_URL="https://fedoraproject.org/"
DOCUMENTATION_URL="https://docs.fedoraproject.org/en-US/fedora/f42/system-administrators-guide/"
SUPPORT_URL="https://ask.fedoraproject.org/"
BUG_REPORT_URL="https://bugzilla.redhat.com/"
REDHAT_BUGZILLA_PRODUCT="Fedora"
REDHAT_BUGZILLA_PRODUCT_VERSION=42
REDHAT_SUPPORT_PRODUCT="Fedora"
REDHAT_SUPPORT_PRODUCT_VERSION=42
SUPPORT_END=2026-05-13
VARIANT="Workstation Edition"
VARIANT_ID=workstation
`, "thinkpad-x1", "ada", "/home/ada", "/bin/bash")
	m.file("/proc/sys/kernel/osrelease", "6.16.7-200.fc42.x86_64\n")
	m.file("/proc/version", "Linux version 6.16.7-200.fc42.x86_64 (mockbuild@c8f1b5a8c2a84c3c9b8d1f0e2a3b4c5d) (gcc (GCC) 15.2.1 20250808 (Red Hat 15.2.1-1), GNU ld version 2.44-6.fc42) #1 SMP PREEMPT_DYNAMIC Thu Sep 11 17:46:54 UTC 2025\n")
	m.dir("/run/systemd/system")
	m.env["EDITOR"] = "vim"
	m.command("/usr/bin/git", demoGit("Ada Lovelace", "ada@example.org"))
	return m
}

// darwinMachine is the part both demo Macs share.
func darwinMachine(goarch, productVersion, build, cpu, host string, arm64 bool) *memory {
	m := newMemory("darwin", goarch)
	m.env = map[string]string{
		"USER": "ada", "LOGNAME": "ada", "HOME": "/Users/ada", "SHELL": "/bin/zsh",
		"PATH":         "/Users/ada/.nix-profile/bin:/etc/profiles/per-user/ada/bin:/run/current-system/sw/bin:/nix/var/nix/profiles/default/bin:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
		"TERM_PROGRAM": "iTerm.app",
	}
	m.dir("/Users/ada")
	m.file("/etc/passwd", "##\n# User Database\n# Note that this file is consulted directly only when the system is running\n# in single-user mode.\n##\nnobody:*:-2:-2:Unprivileged User:/var/empty:/usr/bin/false\nroot:*:0:0:System Administrator:/var/root:/bin/sh\n")
	m.command("/usr/bin/sw_vers", text("ProductName:\t\tmacOS\nProductVersion:\t\t"+productVersion+"\nBuildVersion:\t\t"+build))
	m.command("/usr/sbin/sysctl", func(_ context.Context, args []string) (Output, error) {
		if len(args) == 2 && args[0] == "-n" {
			switch args[1] {
			case "machdep.cpu.brand_string":
				return Output{Stdout: []byte(cpu + "\n")}, nil
			case "hw.optional.arm64":
				if arm64 {
					return Output{Stdout: []byte("1\n")}, nil
				}
			case "sysctl.proc_translated":
				if arm64 {
					return Output{Stdout: []byte("0\n")}, nil
				}
			}
			return Output{Stderr: []byte("sysctl: unknown oid '" + args[1] + "'\n")}, &ExitError{Name: "sysctl", Code: 1}
		}
		return Output{}, &ExitError{Name: "sysctl", Code: 1}
	})
	m.command("/bin/hostname", text(host+".local"))
	m.command("/bin/df", demoDF("/dev/disk3s7", 402_653_184))
	m.command("/usr/bin/git", demoGit("Ada Lovelace", "ada@example.org"))
	m.socket(daemonSocket, true)
	m.dir("/nix/var/nix/daemon-socket")
	m.dir("/Users/ada/.local/state/nix/profiles")
	return m
}

func demoDarwinARM() *memory {
	m := darwinMachine("arm64", "15.5", "24F74", "Apple M3 Pro", "Adas-MacBook-Pro", true)
	determinateNix(m, "/nix/store/0c3p5kw7r2ffbq3kd2m5z5y4lz5s0j1c-determinate-nix-3.8.2")
	m.file("/Library/LaunchDaemons/systems.determinate.nix-daemon.plist", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	return m
}

func demoDarwinIntel() *memory {
	m := darwinMachine("amd64", "14.7.1", "23H222", "Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz", "Adas-MacBook-Pro", false)
	store := "/nix/store/b0yp2sxq6m5r2cwd7jz0h9rvr1l0k1n4-nix-2.28.4"
	m.command(store+"/bin/nix", demoNix("nix (Nix) 2.28.4", "nix-command", "flakes"))
	m.link("/nix/var/nix/profiles/default", "/nix/var/nix/profiles/default-2-link")
	m.link("/nix/var/nix/profiles/default-2-link", store)
	m.file("/etc/nix/nix.conf", "\nbuild-users-group = nixbld\nexperimental-features = nix-command flakes\n")
	m.file("/Library/LaunchDaemons/org.nixos.nix-daemon.plist", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	m.env["EDITOR"] = "code --wait"
	return m
}

// DemoWithNix returns a fresh demo machine as it is after installing Nix
// with the install option optionID (OptionDeterminate or
// OptionUpstreamDaemon): the demo's install screen switches to it once its
// canned transcript has played. Nothing is installed anywhere; the machine
// is the same in-memory one with a Nix added. The new profile is on PATH, as
// in the new terminal the installers ask for. A demo machine that has Nix
// already is returned as it is.
func DemoWithNix(name, optionID string) (Machine, error) {
	m, err := Demo(name)
	if err != nil {
		return nil, err
	}
	mem := m.(*memory)
	if mem.files["/nix/receipt.json"] != "" || mem.sockets[daemonSocket] {
		return m, nil
	}
	switch optionID {
	case OptionDeterminate:
		determinateNix(mem, "/nix/store/4yq0n7mh3b1pzl2r6q5x8c9d0f1g2h3j-determinate-nix-3.8.2")
		mem.file("/etc/systemd/system/nix-daemon.service", "[Unit]\nDescription=Nix Daemon, with Determinate Nix superpowers.\n")
		mem.socket(daemonSocket, true)
		mem.env["PATH"] = mem.env["HOME"] + "/.nix-profile/bin:/nix/var/nix/profiles/default/bin:" + mem.env["PATH"]
	case OptionUpstreamDaemon:
		multiUserNix(mem, demoNix("nix (Nix) 2.31.2"), "2.31.2")
		mem.file("/etc/nix/nix.conf", "build-users-group = nixbld\n")
		mem.file("/etc/systemd/system/nix-daemon.service", "[Unit]\nDescription=Nix Daemon\n")
	default:
		return nil, fmt.Errorf("the demo cannot install Nix with %q", optionID)
	}
	return mem, nil
}
