package flakegen

// Flag describes one boolean homeBase option for the wizard: what to call it,
// what it does, where it can apply, and how to read and set it.
type Flag struct {
	// Key is the option's JSON path below homeBase, e.g. "enableTmux" or
	// "terminalVerification.enable".
	Key string
	// Title is a short label; Description says in one line what it installs.
	Title       string
	Description string
	// Default is the base layer's default where the flag applies.
	Default bool
	// field returns a pointer to the flag in a HomeBase.
	field func(*HomeBase) *bool
	// only, when set, says on which platforms the flag applies and why not
	// elsewhere.
	only func(platform, system string) (bool, string)
}

// Get returns the flag's value in hb.
func (f Flag) Get(hb HomeBase) bool { return *f.field(&hb) }

// Set sets the flag's value in hb.
func (f Flag) Set(hb *HomeBase, v bool) { *f.field(hb) = v }

// Applies reports whether the flag can do anything on platform and system,
// and when it cannot, the reason in a sentence. The wizard does not ask about
// a flag that does not apply, and Normalize switches it off.
func (f Flag) Applies(platform, system string) (bool, string) {
	if f.only == nil {
		return true, ""
	}
	return f.only(platform, system)
}

func onlyWSL(what string) func(string, string) (bool, string) {
	return func(platform, _ string) (bool, string) {
		if isWSL(platform) {
			return true, ""
		}
		return false, what + " only work on WSL (Windows Subsystem for Linux), and this is " + platformName(platform)
	}
}

func onlyLinux(what string) func(string, string) (bool, string) {
	return func(platform, _ string) (bool, string) {
		if !isDarwin(platform) {
			return true, ""
		}
		return false, what + " needs a Linux FHS environment, which macOS does not have"
	}
}

func platformName(platform string) string {
	switch platform {
	case "darwin":
		return "macOS"
	case "linux":
		return "Linux"
	case "nixos":
		return "NixOS"
	case "":
		return "an unknown platform"
	}
	return platform
}

// Flags returns every boolean homeBase option in the order the wizard asks
// about them.
func Flags() []Flag {
	return []Flag{
		{Key: "enableGit", Title: "Git", Default: true,
			Description: "git with your name and e-mail, main as the default branch",
			field:       func(h *HomeBase) *bool { return &h.EnableGit }},
		{Key: "enableShellUtils", Title: "Shell utilities", Default: true,
			Description: "fzf, ripgrep, fd, bat, eza, zoxide and jq, wired into your shell",
			field:       func(h *HomeBase) *bool { return &h.EnableShellUtils }},
		{Key: "enableTmux", Title: "tmux", Default: true,
			Description: "tmux with mouse support, 24-hour clock and a long scrollback",
			field:       func(h *HomeBase) *bool { return &h.EnableTmux }},
		{Key: "enableNeovim", Title: "Neovim", Default: true,
			Description: "neovim, with vi/vim aliases and as EDITOR when defaultEditor is nvim",
			field:       func(h *HomeBase) *bool { return &h.EnableNeovim }},
		{Key: "enableDevelopment", Title: "Development tools", Default: false,
			Description: "direnv with nix-direnv, gh, make, shellcheck and the nil Nix language server",
			field:       func(h *HomeBase) *bool { return &h.EnableDevelopment }},
		{Key: "enableTerminal", Title: "Terminal fonts", Default: true,
			Description: "fontconfig and the JetBrains Mono Nerd Font for icons in the terminal",
			field:       func(h *HomeBase) *bool { return &h.EnableTerminal }},
		{Key: "enableSystem", Title: "System tools", Default: true,
			Description: "htop, rsync, lsof, file, tree and (on Linux) strace and pciutils",
			field:       func(h *HomeBase) *bool { return &h.EnableSystem }},
		{Key: "enableClaudeCode", Title: "Claude Code", Default: true,
			Description: "the claude-code CLI (unfree: the flake allows exactly this package)",
			field:       func(h *HomeBase) *bool { return &h.EnableClaudeCode }},
		{Key: "enableContainerSupport", Title: "Containers", Default: true,
			Description: "rootless podman (home-manager's services.podman on Linux, the podman CLI on macOS)",
			field:       func(h *HomeBase) *bool { return &h.EnableContainerSupport }},
		{Key: "enableEspIdf", Title: "ESP-IDF", Default: false,
			Description: "an esp-idf-fhs command: an FHS shell with the toolchain prerequisites of Espressif's ESP-IDF",
			field:       func(h *HomeBase) *bool { return &h.EnableEspIdf },
			only:        onlyLinux("ESP-IDF")},
		{Key: "enableOneDriveUtils", Title: "OneDrive utilities", Default: false,
			Description: "onedrive-path, which finds your Windows OneDrive folder, and onedrive, which changes into it",
			field:       func(h *HomeBase) *bool { return &h.EnableOneDriveUtils },
			only:        onlyWSL("OneDrive utilities")},
		{Key: "terminalVerification.enable", Title: "Windows Terminal check", Default: true,
			Description: "check Windows Terminal's settings on each switch (font, profile) and report problems",
			field:       func(h *HomeBase) *bool { return &h.TerminalVerification.Enable },
			only:        onlyWSL("Windows Terminal checks")},
		{Key: "terminalVerification.verbose", Title: "Verbose terminal check", Default: false,
			Description: "print every Windows Terminal check, not only problems",
			field:       func(h *HomeBase) *bool { return &h.TerminalVerification.Verbose },
			only:        onlyWSL("Windows Terminal checks")},
		{Key: "terminalVerification.warnOnMisconfiguration", Title: "Warn about terminal problems", Default: true,
			Description: "print a warning when Windows Terminal is missing or not set up for the Nerd Font",
			field:       func(h *HomeBase) *bool { return &h.TerminalVerification.WarnOnMisconfiguration },
			only:        onlyWSL("Windows Terminal checks")},
	}
}
