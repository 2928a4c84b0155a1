# Test fixture standing in for a team's base flake; it is NOT a real base
# layer. Its module only says that it was the one imported.
{
  description = "nixboard test fixture standing in for a team base flake";
  outputs =
    { self }:
    {
      homeManagerModules.base = { pkgs, ... }: {
        fixtureTeamBase = pkgs.system;
      };
    };
}
