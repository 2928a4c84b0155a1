# Test fixture standing in for a team's base flake; it is NOT a real base
# layer. Its module says that it was the one imported, and declares a few
# homeBase options in a FIXTURE spelling (plain attribute sets, not
# lib.mkOption), which the fixture home-manager reads to tell which options
# exist: username, but neither homeDirectory nor stateVersion.
{
  description = "nixboard test fixture standing in for a team base flake";
  outputs =
    { self }:
    {
      homeManagerModules.base =
        { pkgs, ... }:
        {
          options.homeBase = {
            username.fixtureOption = "str";
            enableRust.fixtureOption = "bool";
            git.signingKey.fixtureOption = "str";
            tools.extra.fixtureOption = "listOf package";
            editor.fixtureOption = "nullOr str";
          };
          config.fixtureTeamBase = pkgs.system;
        };
    };
}
