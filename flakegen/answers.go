// Package flakegen turns a person's answers into a home-manager flake on disk.
//
// Answers is the one type for everything the wizard asks. It is saved in the
// rendered directory as nixboard.json and is also what --answers reads.
package flakegen

// Answers is everything nixboard needs to render a configuration. Its JSON
// form is the answers file, nixboard.json.
type Answers struct {
	HomeBase HomeBase  `json:"homeBase"`
	Hostname string    `json:"hostname"`
	System   string    `json:"system"`   // x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin
	Platform string    `json:"platform"` // nixos-wsl, wsl, darwin, nixos, linux
	Release  string    `json:"release"`  // a Release name: 26.05 or unstable
	Git      GitAnswer `json:"git"`
	Shell    string    `json:"shell"` // bash, zsh, fish
	// Base, when set, replaces the built-in base layer with a team's own flake.
	Base *BaseFlake `json:"base,omitempty"`
}

// HomeBase mirrors the base layer's homeBase options; its JSON keys are
// exactly the option names.
type HomeBase struct {
	Username               string               `json:"username"`
	HomeDirectory          string               `json:"homeDirectory"`
	DefaultEditor          string               `json:"defaultEditor"`
	EnableGit              bool                 `json:"enableGit"`
	EnableTmux             bool                 `json:"enableTmux"`
	EnableNeovim           bool                 `json:"enableNeovim"`
	EnableDevelopment      bool                 `json:"enableDevelopment"`
	EnableTerminal         bool                 `json:"enableTerminal"`
	EnableSystem           bool                 `json:"enableSystem"`
	EnableShellUtils       bool                 `json:"enableShellUtils"`
	EnableEspIdf           bool                 `json:"enableEspIdf"`
	EnableOneDriveUtils    bool                 `json:"enableOneDriveUtils"`
	EnableClaudeCode       bool                 `json:"enableClaudeCode"`
	EnableContainerSupport bool                 `json:"enableContainerSupport"`
	ShellAliases           map[string]string    `json:"shellAliases"`
	EnvironmentVariables   map[string]string    `json:"environmentVariables"`
	AdditionalPackages     []string             `json:"additionalPackages"`
	StateVersion           string               `json:"stateVersion"`
	TerminalVerification   TerminalVerification `json:"terminalVerification"`
}

// TerminalVerification mirrors homeBase.terminalVerification (WSL only).
type TerminalVerification struct {
	Enable                 bool `json:"enable"`
	Verbose                bool `json:"verbose"`
	WarnOnMisconfiguration bool `json:"warnOnMisconfiguration"`
}

// GitAnswer is the git identity written into programs.git.settings.user.
type GitAnswer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// BaseFlake names a team's base flake and the home-manager module it exports,
// for example {"flake": "github:timblaktu/nixcfg", "module": "homeManagerModules.base"}.
type BaseFlake struct {
	Flake  string `json:"flake"`
	Module string `json:"module"`
}
