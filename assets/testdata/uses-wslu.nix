# Test fixture, not part of the base layer: a module that still names wslu,
# as nixboard's base layer did before nixpkgs removed it (issue #8).
{ lib, pkgs, ... }:
{
  config = lib.mkIf true {
    home.packages = [
      pkgs.curl
      pkgs.wslu
    ];
  };
}
