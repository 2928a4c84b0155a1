package detect

import (
	"strings"

	"github.com/nixboard/nixboard/internal/shell"
)

// InstallOption is one way to install Nix on a machine.
type InstallOption struct {
	// ID says which way this is (one of the Option* constants), so code can
	// tell the options apart without reading their text.
	ID string `json:"id"`
	// Name is a short title for the option.
	Name string `json:"name"`
	// Command is the exact shell command, shown as it runs so a person can
	// copy it instead: it runs as pasted (wsl.exe also runs in Windows
	// PowerShell), and Why says anything that goes around it.
	Command string `json:"command"`
	// Runnable is false when nixboard cannot run the command for the person,
	// for example when WSL must restart in between.
	Runnable bool `json:"runnable"`
	// Why says when this option is the right one.
	Why string `json:"why"`
}

// Advice is how to install Nix on a machine: a paragraph that explains the
// situation and the options, the recommended one first. Options is empty
// only where Nix comes with the system (NixOS).
type Advice struct {
	Intro   string          `json:"intro"`
	Options []InstallOption `json:"options"`
}

// The ways to install Nix that InstallAdvice knows.
const (
	// OptionDeterminate is Determinate Systems' installer with its default
	// plan: a multi-user Determinate Nix whose daemon systemd or launchd runs.
	OptionDeterminate = "determinate"
	// OptionDeterminateNoInit is the same installer with `--init none`: no
	// daemon, and only root can use the store, so it is offered only to root.
	OptionDeterminateNoInit = "determinate-init-none"
	// OptionUpstreamDaemon is the nixos.org installer, multi-user.
	OptionUpstreamDaemon = "upstream-daemon"
	// OptionUpstreamSingleUser is the nixos.org installer, single-user: Nix
	// runs as the person, no daemon.
	OptionUpstreamSingleUser = "upstream-single-user"
	// OptionWSLEnableSystemd turns systemd on in /etc/wsl.conf; WSL must then
	// restart before installing.
	OptionWSLEnableSystemd = "wsl-enable-systemd"
	// OptionWSLRestart restarts WSL, which /etc/wsl.conf already asks to
	// start systemd.
	OptionWSLRestart = "wsl-restart"
	// OptionWSL2 converts a WSL 1 distribution to WSL 2.
	OptionWSL2 = "wsl-convert-to-2"
)

// The installers' command lines. Both installers document `curl ... | sh -s
// -- ARGS`, which works under any POSIX sh (the `sh <(curl ...)` form needs
// bash). Determinate's installer refuses to ask for confirmation when its
// output is not a terminal ("Unable to run interactively. Run with
// --no-confirm"), which is how nixboard streams it into its log pane, so the
// command carries --no-confirm: the person has already agreed in nixboard.
// The upstream installer assumes yes by itself when it has no terminal.
const (
	determinateCurl      = "curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix | sh -s -- install"
	determinateCommand   = determinateCurl + " --no-confirm"
	determinateNoInitCmd = determinateCurl + " linux --init none --no-confirm"
	upstreamCurl         = "curl --proto '=https' --tlsv1.2 -sSf -L https://nixos.org/nix/install | sh -s --"
	upstreamDaemonCmd    = upstreamCurl + " --daemon"
	upstreamSingleCmd    = upstreamCurl + " --no-daemon"
	wslShutdown          = "wsl.exe --shutdown"
	wslEnableSystemdCmd  = "printf '[boot]\\nsystemd=true\\n' | sudo tee -a /etc/wsl.conf\n" + wslShutdown
)

// InstallAdvice is the one place that decides how to install Nix on the
// machine a report describes: Determinate Systems' installer where a daemon
// can run (Apple Silicon, Linux and WSL with systemd), the upstream
// installer on Intel Macs (Determinate no longer ships for them), and where
// systemd does not run, a single-user install, or for root Determinate's
// root-only `--init none` plan. WSL without systemd gets its two ways
// forward: switch systemd on and restart WSL, or a single-user install now.
func InstallAdvice(r Report) Advice {
	p := r.Platform
	root := r.User.IsRoot()
	systemd := p.Systemd || (p.WSL != nil && p.WSL.Systemd)
	switch {
	case p.Kind == KindNixOS || p.Kind == KindNixOSWSL:
		return Advice{Intro: "NixOS comes with Nix: if nix is not found, open a new login shell; if it is still missing, check `nix.enable` in /etc/nixos/configuration.nix, then run sudo nixos-rebuild switch."}
	case p.Kind == KindDarwin && p.Arch == "x86_64" && !p.Rosetta:
		return Advice{
			Intro:   "This is an Intel Mac. Determinate Systems' installer no longer ships for Intel macOS, so nixboard offers the upstream multi-user installer.",
			Options: []InstallOption{upstreamDaemon("multi-user install with a daemon that launchd runs; it asks for your password through sudo itself")},
		}
	case p.Kind == KindDarwin:
		return Advice{
			Intro: "This is a Mac on Apple Silicon. Determinate Systems' installer sets up Nix with flakes enabled, and Nix survives macOS updates.",
			Options: []InstallOption{
				determinate("recommended: flakes on by default, survives macOS upgrades, clean uninstall"),
				upstreamDaemon("the upstream multi-user installer, if you prefer upstream Nix"),
			},
		}
	case p.WSL != nil && p.WSL.Version == 1:
		distro := wslDistroWord(p.WSL.Distro)
		return Advice{
			Intro: "This is WSL 1: it has no systemd, so no Nix daemon, and its file system is slow for Nix. Converting the distribution to WSL 2 is the way forward; a single-user Nix works in the meantime.",
			Options: []InstallOption{
				{ID: OptionWSL2, Name: "convert this distribution to WSL 2", Command: "wsl.exe --set-version " + distro + " 2",
					Why: "recommended: run it in Windows PowerShell, then re-run nixboard inside WSL 2"},
				linuxPrereq(p, root, upstreamSingle("works on WSL 1 right away; Nix runs as you, no daemon")),
			},
		}
	case p.WSL != nil && !systemd:
		return wslWithoutSystemd(r, root)
	case systemd:
		return Advice{
			Intro: "systemd runs here, so Determinate Systems' installer can set up a multi-user Nix whose daemon systemd runs, with flakes enabled.",
			Options: []InstallOption{
				linuxPrereq(p, root, determinate("recommended: flakes on by default, daemon managed by systemd, clean uninstall")),
				linuxPrereq(p, root, upstreamDaemon("the upstream multi-user installer, if you prefer upstream Nix")),
			},
		}
	}
	where := "This Linux does not run systemd"
	if p.Container != nil {
		title := containerTitle(*p.Container)
		if !strings.HasPrefix(title, "container") {
			title += " container"
		}
		where = "This looks like a " + title + " without systemd"
	}
	if root {
		return Advice{
			Intro: where + ", so no Nix daemon can start by itself. As root, Determinate's installer can install without a daemon (`--init none`), where only root can use Nix; or the upstream single-user installer.",
			Options: []InstallOption{
				linuxPrereq(p, root, determinateNoInit("recommended as root: no daemon, flakes on by default; only root (or sudo) can use Nix")),
				linuxPrereq(p, root, upstreamSingle("single-user: no daemon; Nix runs as root")),
			},
		}
	}
	return Advice{
		Intro: where + ", so no Nix daemon can start by itself: a single-user install is the one that works. (Determinate's installer without systemd is root-only, so home-manager could not use it as you.)",
		Options: []InstallOption{
			linuxPrereq(p, root, upstreamSingle("no daemon needed; Nix runs as you (it asks for sudo once, to create /nix)")),
		},
	}
}

// wslWithoutSystemd explains WSL 2 without systemd: turn systemd on (or
// restart WSL when /etc/wsl.conf already asks for it) and install with the
// daemon afterwards, or install single-user now.
func wslWithoutSystemd(r Report, root bool) Advice {
	p := r.Platform
	single := linuxPrereq(p, root, upstreamSingle("works right away without systemd; Nix runs as you, no daemon"))
	if p.Distro.ID == "alpine" {
		// Alpine runs OpenRC, not systemd: /etc/wsl.conf cannot change that.
		return Advice{
			Intro:   "This is Alpine on WSL: it does not use systemd, so no Nix daemon can start by itself. A single-user install is the one that works.",
			Options: []InstallOption{single},
		}
	}
	first := InstallOption{ID: OptionWSLEnableSystemd, Name: "turn on systemd in WSL, then install with the daemon",
		Command: wslEnableSystemdCmd,
		Why:     "recommended: after WSL restarts, re-run nixboard to install Determinate Nix with its daemon"}
	intro := "This is WSL without systemd, so a multi-user Nix has no daemon to talk to. There are two ways forward: turn systemd on and restart WSL, then install with the daemon; or install a single-user Nix now."
	if p.WSL.SystemdConfigured {
		first = InstallOption{ID: OptionWSLRestart, Name: "restart WSL, then install with the daemon",
			Command: wslShutdown,
			Why:     "recommended: /etc/wsl.conf already asks for systemd; " + wslShutdownNote + " and re-run nixboard"}
		intro = "/etc/wsl.conf asks for systemd but it is not running: WSL was not restarted. Run `wsl.exe --shutdown` in Windows, open the distribution again and re-run nixboard; or install a single-user Nix now."
	} else if c, ok := findCheck(r, "wsl.systemd"); ok && c.Fix != "" {
		// Detection wrote the exact /etc/wsl.conf edit for this machine
		// (changing an existing [boot] section rather than adding a second).
		first.Command = c.Fix
	}
	return Advice{Intro: intro, Options: []InstallOption{first, single}}
}

// Fix is the advice as a `nix.installed` fix: the recommended command, ""
// when there is none. It runs as pasted; FixNote is what goes with it.
func (a Advice) Fix() string {
	if len(a.Options) == 0 {
		return ""
	}
	return a.Options[0].Command
}

// FixNote is the explanation that goes with Fix in the check's message:
// the intro when there is no command; else opening a new terminal after
// the install and, when nixboard cannot run the recommended command
// itself, the alternative that works now.
func (a Advice) FixNote() string {
	if len(a.Options) == 0 {
		return a.Intro
	}
	first := a.Options[0]
	note := "after it, open a new terminal"
	if !first.Runnable {
		note = first.Why
		for _, o := range a.Options[1:] {
			if o.Runnable {
				note += "; or instead, " + o.Name + ": " + o.Command
				break
			}
		}
	}
	return note
}

// Recommended returns the first runnable option, if there is one.
func (a Advice) Recommended() (InstallOption, bool) {
	for _, o := range a.Options {
		if o.Runnable {
			return o, true
		}
	}
	return InstallOption{}, false
}

func determinate(why string) InstallOption {
	return InstallOption{ID: OptionDeterminate, Name: "Determinate Systems installer", Command: determinateCommand, Runnable: true, Why: why}
}

func determinateNoInit(why string) InstallOption {
	return InstallOption{ID: OptionDeterminateNoInit, Name: "Determinate Systems installer, without a daemon (root only)", Command: determinateNoInitCmd, Runnable: true, Why: why}
}

func upstreamDaemon(why string) InstallOption {
	return InstallOption{ID: OptionUpstreamDaemon, Name: "upstream Nix installer (nixos.org), multi-user", Command: upstreamDaemonCmd, Runnable: true, Why: why}
}

func upstreamSingle(why string) InstallOption {
	return InstallOption{ID: OptionUpstreamSingleUser, Name: "upstream Nix installer (nixos.org), single-user", Command: upstreamSingleCmd, Runnable: true, Why: why}
}

// linuxPrereq puts the packages the installers need in front of the command
// where the distribution lacks them: Alpine's minimal system has no bash,
// curl or xz, and no useradd (shadow) for the build users.
func linuxPrereq(p Platform, root bool, o InstallOption) InstallOption {
	if p.Distro.ID != "alpine" {
		return o
	}
	apk := "apk add bash curl xz shadow"
	if !root {
		apk = "sudo " + apk
	}
	o.Command = apk + " && " + o.Command
	return o
}

// wslDistroWord is the distribution's name as a word to paste into
// PowerShell (single quotes mean the same there as in sh, for names without
// one), or a placeholder when WSL did not say.
func wslDistroWord(distro string) string {
	if distro == "" {
		return "<distro>"
	}
	return shell.Quote(distro)
}

func findCheck(r Report, id string) (Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}
