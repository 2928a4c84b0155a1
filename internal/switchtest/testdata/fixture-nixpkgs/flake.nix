# FIXTURE: a tiny stand-in for nixpkgs in nixboard's tests. It is NOT
# nixpkgs. Its packages (git, tmux, neovim) are small scripts built offline
# with /bin/sh, named like the real ones so a switch log reads like a real
# one. Tests pass it with `--override-input nixpkgs path:<copy of this dir>`.
{
  description = "FIXTURE standing in for nixpkgs in nixboard's tests (not nixpkgs)";

  outputs = { self }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAll = f: builtins.listToAttrs (map (system: { name = system; value = f system; }) systems);
    in
    {
      legacyPackages = forAll (system: import ./default.nix { inherit system; });
      lib = (import ./default.nix { system = "x86_64-linux"; }).lib;
    };
}
