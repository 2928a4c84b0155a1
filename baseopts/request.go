package baseopts

// Request says which base layer to evaluate, and for which machine. The
// evaluation (Evaluate(ctx, Request) (Declarations, error)) runs nix with
// Env and NixArgs.
type Request struct {
	// Base is the flake reference (github:team/nixcfg, path:/src/nixcfg)
	// and Module the attribute path of the home-manager module in it;
	// an empty Module means "homeManagerModules.base".
	Base   string
	Module string
	// Platform (nixboard's: nixos-wsl, wsl, darwin, nixos, linux) and System
	// (x86_64-linux, aarch64-darwin, ...) are the machine the defaults are
	// evaluated for.
	Platform string
	System   string
	// Release names the nixpkgs/home-manager pair (flakegen.Releases) to
	// evaluate with when the base flake pins none of its own.
	Release string
	// NixArgs go to every nix call, e.g. --override-input nixpkgs PATH.
	NixArgs []string
	// Env is the environment nix runs with (its PATH finds nix); it must
	// not be nil: nixboard reads the process environment only in Main.
	Env []string
}
