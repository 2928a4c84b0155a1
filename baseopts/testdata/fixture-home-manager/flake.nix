# FIXTURE: stands in for home-manager in nixboard's baseopts tests. It is NOT
# home-manager. Its lib.homeManagerConfiguration evaluates the given modules
# with the lib of the given pkgs (the fixture nixpkgs' lib, or nixpkgs' real
# lib in the gated comparison test) beside a core module that declares the
# top-level home-manager option sets a base layer defines (home, programs,
# services, ...) as single options of type anything: enough to evaluate
# homeBase declarations and defaults, nothing more. Like home-manager, it
# checks the assertions and traces the warnings when its result is read. It
# builds nothing. Tests
# pass it with `--override-input home-manager path:<this dir>`.
{
  description = "FIXTURE standing in for home-manager in nixboard's baseopts tests (not home-manager)";
  outputs =
    { self }:
    {
      # home-manager's lib.hm, as far as base layers use it.
      lib.hm.dag = {
        entryAfter = after: data: {
          inherit after data;
          before = [ ];
        };
        entryAnywhere = data: {
          inherit data;
          after = [ ];
          before = [ ];
        };
      };
      lib.homeManagerConfiguration =
        {
          pkgs,
          modules ? [ ],
          lib ? pkgs.lib,
          extraSpecialArgs ? { },
          check ? true,
        }:
        let
          hmLib = lib // {
            inherit (self.lib) hm;
          };
          core =
            { lib, ... }:
            let
              section =
                default:
                lib.mkOption {
                  type = lib.types.anything;
                  inherit default;
                  description = "FIXTURE: stands in for home-manager's options of this name.";
                };
              str = lib.mkOption {
                type = lib.types.str;
                description = "FIXTURE: stands in for home-manager's option of this name.";
              };
            in
            {
              options = {
                home = {
                  username = str;
                  homeDirectory = str;
                  stateVersion = str;
                  packages = section [ ];
                  shellAliases = section { };
                  sessionVariables = section { };
                  activation = section { };
                  file = section { };
                };
                programs = section { };
                services = section { };
                fonts = section { };
                targets = section { };
                xdg = section { };
                nix = section { };
                nixpkgs = section { };
                systemd = section { };
                assertions = section [ ];
                warnings = section [ ];
              };
            };
          raw = hmLib.evalModules {
            modules = modules ++ [ core ];
            specialArgs = extraSpecialArgs // {
              inherit pkgs;
              lib = hmLib;
            };
          };
          # As home-manager's modules/default.nix does: reading anything of
          # the result (options included) first checks the assertions and
          # traces the warnings. home-manager's modules also read
          # home.stateVersion on the way (their defaults depend on it).
          failed = builtins.seq raw.config.home.stateVersion (
            map (x: x.message) (builtins.filter (x: !x.assertion) raw.config.assertions)
          );
          checked = builtins.foldl' (acc: w: builtins.trace "warning: ${w}" acc) (
            if failed == [ ] then
              raw
            else
              throw "Failed assertions:\n${builtins.concatStringsSep "\n" (map (m: "- ${m}") failed)}"
          ) raw.config.warnings;
        in
        checked
        // {
          activationPackage = throw "FIXTURE: this stand-in for home-manager builds nothing";
        };
    };
}
