package flakegen

import "slices"

// Release is one matched pair of nixpkgs and home-manager that nixboard can
// render a flake for. Releases is the only place these pairs are written down.
type Release struct {
	// Name is what the answers file's "release" key holds.
	Name string
	// Title is a short description for the wizard.
	Title string
	// Nixpkgs and HomeManager are the flake URLs of the matched pair.
	Nixpkgs     string
	HomeManager string
	// StateVersion is the newest home.stateVersion this release accepts, and
	// the one a new configuration starts with.
	StateVersion string
	// Systems lists the Nix systems the release builds packages for.
	Systems []string
}

// Releases lists the releases nixboard renders, stable first.
//
// home-manager master stopped providing x86_64-darwin packages on
// 2026-07-28, so Intel Macs are only offered the stable release.
var Releases = []Release{
	{
		Name:         "26.05",
		Title:        "26.05 (stable: nixos-26.05 with home-manager release-26.05)",
		Nixpkgs:      "github:NixOS/nixpkgs/nixos-26.05",
		HomeManager:  "github:nix-community/home-manager/release-26.05",
		StateVersion: "26.05",
		Systems:      []string{"x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"},
	},
	{
		Name:         "unstable",
		Title:        "unstable (nixpkgs-unstable with home-manager master)",
		Nixpkgs:      "github:NixOS/nixpkgs/nixpkgs-unstable",
		HomeManager:  "github:nix-community/home-manager",
		StateVersion: "26.11",
		Systems:      []string{"x86_64-linux", "aarch64-linux", "aarch64-darwin"},
	},
}

// DefaultRelease is the release a new configuration uses.
const DefaultRelease = "26.05"

// ReleaseByName returns the release with the given name.
func ReleaseByName(name string) (Release, bool) {
	for _, r := range Releases {
		if r.Name == name {
			return r, true
		}
	}
	return Release{}, false
}

// Supports reports whether the release builds packages for system.
func (r Release) Supports(system string) bool {
	return slices.Contains(r.Systems, system)
}

// stateVersions is home-manager's home.stateVersion enum, oldest first, as
// declared in modules/misc/version.nix (master adds "26.11"). A release
// accepts the values up to its own StateVersion.
var stateVersions = []string{
	"18.09", "19.03", "19.09", "20.03", "20.09", "21.03", "21.05", "21.11",
	"22.05", "22.11", "23.05", "23.11", "24.05", "24.11", "25.05", "25.11",
	"26.05", "26.11",
}

// StateVersions returns the home.stateVersion values a release accepts,
// newest first.
func (r Release) StateVersions() []string {
	var out []string
	for i := len(stateVersions) - 1; i >= 0; i-- {
		if stateVersions[i] <= r.StateVersion {
			out = append(out, stateVersions[i])
		}
	}
	return out
}

// Systems and platforms nixboard knows.
var (
	// KnownSystems lists the Nix systems in the order the wizard offers them.
	KnownSystems = []string{"x86_64-linux", "aarch64-linux", "aarch64-darwin", "x86_64-darwin"}
	// KnownPlatforms lists the platforms (detect's Platform.Kind values).
	KnownPlatforms = []string{"linux", "wsl", "nixos", "nixos-wsl", "darwin"}
	// KnownShells lists the login shells home-manager can manage for you.
	KnownShells = []string{"bash", "zsh", "fish"}
)

// isWSL reports whether platform runs inside Windows Subsystem for Linux.
func isWSL(platform string) bool { return platform == "wsl" || platform == "nixos-wsl" }

// isDarwin reports whether platform is macOS.
func isDarwin(platform string) bool { return platform == "darwin" }
