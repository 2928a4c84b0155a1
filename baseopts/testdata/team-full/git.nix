# Test fixture: an imported part of the team's base module: a nested group.
{ lib, ... }:
{
  options.homeBase.git = {
    signingKey = lib.mkOption {
      type = lib.types.nullOr (lib.types.strMatching "[0-9A-F]+");
      default = null;
      description = "Your GPG key id.";
    };
    name = lib.mkOption {
      type = lib.types.str;
      description = "Your name in commits.";
    };
  };
}
