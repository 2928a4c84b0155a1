# Test fixture: a team's base flake declaring homeBase options of every kind
# nixboard asks, and of kinds it does not. Its inputs are overridden with the
# fixture nixpkgs and home-manager in the tests.
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
  inputs.home-manager.url = "github:nix-community/home-manager/release-26.05";
  outputs =
    { self, nixpkgs, home-manager }:
    {
      homeManagerModules.base = ./module.nix;
      homeManagerModules.empty = { ... }: { };
    };
}
