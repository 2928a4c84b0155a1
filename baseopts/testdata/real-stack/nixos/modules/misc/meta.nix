# FIXTURE: stands in for nixpkgs' nixos/modules/misc/meta.nix, which
# home-manager imports: the meta options its modules define.
{ lib, ... }:
{
  options.meta = {
    doc = lib.mkOption {
      type = lib.types.raw;
      internal = true;
    };
    buildDocsInSandbox = lib.mkOption {
      type = lib.types.raw;
      internal = true;
      default = true;
    };
    maintainers = lib.mkOption {
      type = lib.types.listOf lib.types.raw;
      internal = true;
      default = [ ];
    };
  };
}
