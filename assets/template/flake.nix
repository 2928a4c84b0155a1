# Your home-manager flake, rendered by nixboard from nixboard.json.
#
# Your answers reach Nix only as data: they are read from nixboard.json with
# builtins.fromJSON below. To change them, run nixboard again (or edit
# nixboard.json and run `nixboard render --answers nixboard.json --dir .`).
# Your own settings belong in home.nix, which nixboard never overwrites.
{
  description = "Home Manager configuration rendered by nixboard";

  inputs = {
    # A matched pair: release @RELEASE@.
    nixpkgs.url = @NIXPKGS@;
    home-manager = {
      url = @HOME_MANAGER@;
      inputs.nixpkgs.follows = "nixpkgs";
    };@BASE_INPUT@
  };

  outputs =
    { nixpkgs, home-manager, ... }@inputs:
    let
      answers = builtins.fromJSON (builtins.readFile ./nixboard.json);

      # The unfree packages these answers install, and nothing else. A team
      # base's enableClaudeCode keeps the built-in layer's meaning.
      claudeCode =
        if answers ? base then
          (answers.base.values or { }).enableClaudeCode or true != false
        else
          answers.homeBase.enableClaudeCode;
      unfree = if claudeCode then [ "claude-code" ] else [ ];

      pkgs = import nixpkgs {
        system = answers.system;
        config.allowUnfreePredicate =
          pkg: builtins.elem (pkg.pname or (builtins.parseDrvName pkg.name).name) unfree;
      };

      # "a.b.c" -> set.a.b.c
      attrPath =
        set: path:
        builtins.foldl' (s: attr: builtins.getAttr attr s) set (
          builtins.filter builtins.isString (builtins.split "\\." path)
        );
    in
    {
      # The home-manager command, built with this flake's nixpkgs (the input
      # follows it): the first switch runs `nix run .#home-manager -- switch`.
      packages.${answers.system}.home-manager = home-manager.packages.${answers.system}.default;

      homeConfigurations.${answers.homeBase.username + "@" + answers.hostname} =
        home-manager.lib.homeManagerConfiguration {
          inherit pkgs;
          modules = [
@BASE_MODULES@
            ./nixboard/answers.nix
            ./home.nix
          ];
        };
    };
}
