# Test fixture: a team's base flake whose module declares no homeBase options.
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
  inputs.home-manager.url = "github:nix-community/home-manager/release-26.05";
  outputs =
    { self, nixpkgs, home-manager }:
    {
      homeManagerModules.base =
        { lib, ... }:
        {
          options.team.enableThing = lib.mkOption {
            type = lib.types.bool;
            default = true;
          };
        };
    };
}
