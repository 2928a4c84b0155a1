# Test fixture standing in for home-manager; it is NOT home-manager. Its
# lib.homeManagerConfiguration evaluates nothing of home-manager: it records
# what a rendered flake hands over (system, modules, what nixboard's answers
# module sets, what the unfree predicate allows) so tests can compare it
# with the answers.
{
  description = "nixboard test fixture standing in for home-manager";
  inputs.nixpkgs.url = "path:/nonexistent-nixboard-fixture";
  outputs =
    { self, nixpkgs }:
    {
      lib.homeManagerConfiguration =
        {
          pkgs,
          modules,
          extraSpecialArgs ? { },
        }:
        let
          # Just enough of nixpkgs' lib for nixboard's answers module; the
          # results stay recognisable in JSON.
          lib = {
            mkIf = condition: content: {
              _type = "if";
              inherit condition content;
            };
            mkDefault = content: {
              _type = "override";
              priority = 1000;
              inherit content;
            };
          };
          call =
            m:
            let
              f = if builtins.isPath m then import m else m;
            in
            if builtins.isFunction f then
              f {
                inherit pkgs lib options;
                config = { };
              }
            else
              f;
          # What the modules declare under options.homeBase, merged one
          # level deep: enough for the answers module to see which homeBase
          # options exist. The module system does this for real.
          options.homeBase = builtins.foldl' (
            acc: m: acc // (((call m).options or { }).homeBase or { })
          ) { } modules;
          describe =
            m:
            if builtins.isPath m then
              { file = baseNameOf (toString m); }
            else
              { module = call m; };
          answersModules = builtins.filter (
            m: builtins.isPath m && baseNameOf (toString m) == "answers.nix"
          ) modules;
          allowed = p: pkgs.config.allowUnfreePredicate p;
        in
        {
          fixture = "home-manager test fixture";
          system = pkgs.system;
          modules = map describe modules;
          answersModule = call (builtins.head answersModules);
          unfreeAllowed = {
            claude-code = allowed pkgs.claude-code;
            hello = allowed pkgs.hello;
            oldStyle = allowed pkgs.oldStyle;
          };
        };
    };
}
