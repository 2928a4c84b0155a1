# FIXTURE: stands in for nixpkgs' nixos/modules/misc/assertions.nix, which
# home-manager imports: the same two options, assertions and warnings.
{ lib, ... }:
{
  options = {
    assertions = lib.mkOption {
      type = lib.types.listOf lib.types.unspecified;
      internal = true;
      default = [ ];
    };
    warnings = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      internal = true;
      default = [ ];
    };
  };
}
