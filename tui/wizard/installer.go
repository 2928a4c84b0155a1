package wizard

import "github.com/nixboard/nixboard/detect"

// The installers nixboard offers. The commands are shown exactly as they
// run, so a person can copy them and run them by hand instead.
const (
	determinateCommand  = "curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix | sh -s -- install"
	upstreamDaemon      = "curl -L https://nixos.org/nix/install | sh -s -- --daemon"
	upstreamSingleUser  = "curl -L https://nixos.org/nix/install | sh -s -- --no-daemon"
	wslEnableSystemd    = "printf '[boot]\\nsystemd=true\\n' | sudo tee -a /etc/wsl.conf && wsl.exe --shutdown"
	determinateName     = "Determinate Systems installer"
	upstreamName        = "upstream Nix installer (nixos.org)"
	upstreamSingleName  = "upstream Nix installer, single-user (no daemon)"
	wslSystemdFirstName = "enable systemd in WSL first, then the Determinate Systems installer"
)

// InstallOption is one way to install Nix on this machine.
type InstallOption struct {
	Name string
	// Command is the exact shell command; empty when the option is a change
	// the person has to make themselves (for example restarting WSL).
	Command string
	// Why explains when this option is the right one.
	Why string
	// Runnable is false when nixboard cannot run the command for the
	// person (it needs a restart of WSL in between).
	Runnable bool
}

// InstallAdvice is what the Nix-missing screen offers.
type InstallAdvice struct {
	// Intro is one paragraph explaining the situation on this platform.
	Intro   string
	Options []InstallOption
}

// AdviseInstall picks the right Nix installer for the platform detection
// found: Determinate Systems' installer on Apple Silicon and on Linux with
// systemd, the upstream installer on Intel Macs (Determinate no longer ships
// for them), and for WSL without systemd its two ways forward.
func AdviseInstall(r detect.Report) InstallAdvice {
	p := r.Platform
	switch {
	case p.Kind == "darwin" && p.Arch == "x86_64" && !p.Rosetta:
		return InstallAdvice{
			Intro: "This is an Intel Mac. Determinate Systems' installer no longer ships for Intel macOS, so nixboard offers the upstream multi-user installer.",
			Options: []InstallOption{{
				Name: upstreamName, Command: upstreamDaemon, Runnable: true,
				Why: "multi-user install with a daemon; it asks for your password through sudo itself",
			}},
		}
	case p.Kind == "darwin":
		return InstallAdvice{
			Intro: "This is a Mac on Apple Silicon. Determinate Systems' installer sets up Nix with flakes enabled and survives macOS updates.",
			Options: []InstallOption{{
				Name: determinateName, Command: determinateCommand, Runnable: true,
				Why: "flakes on by default, clean uninstall, survives macOS upgrades",
			}},
		}
	case p.Kind == "wsl" && p.WSL != nil && !p.WSL.Systemd:
		intro := "This is WSL without systemd, so a multi-user Nix has no daemon to talk to. There are two ways forward."
		if p.WSL.SystemdConfigured {
			intro = "/etc/wsl.conf asks for systemd but it is not running: WSL was not restarted. Run `wsl.exe --shutdown` in Windows, open the distribution again and re-run nixboard; or install a single-user Nix now."
		}
		return InstallAdvice{
			Intro: intro,
			Options: []InstallOption{
				{
					Name: wslSystemdFirstName, Command: wslEnableSystemd, Runnable: false,
					Why: "recommended: turn on systemd, restart WSL, then re-run nixboard to install with the daemon",
				},
				{
					Name: upstreamSingleName, Command: upstreamSingleUser, Runnable: true,
					Why: "works right away without systemd; Nix runs as you, no daemon",
				},
			},
		}
	case p.Container != nil:
		return InstallAdvice{
			Intro: "This looks like a container (" + *p.Container + "): there is usually no systemd, so a single-user install is the one that works.",
			Options: []InstallOption{{
				Name: upstreamSingleName, Command: upstreamSingleUser, Runnable: true,
				Why: "no daemon needed; Nix runs as you",
			}},
		}
	default:
		return InstallAdvice{
			Intro: "Linux with systemd: Determinate Systems' installer sets up a multi-user Nix with flakes enabled.",
			Options: []InstallOption{{
				Name: determinateName, Command: determinateCommand, Runnable: true,
				Why: "flakes on by default, daemon managed by systemd, clean uninstall",
			}},
		}
	}
}
