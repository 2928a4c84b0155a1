# TEST FIXTURE: NOT nixpkgs.
#
# flaketest evaluates the repository's flake.nix with
# `--override-input nixpkgs path:<this directory>`, so the test needs neither
# the network nor a copy of nixpkgs. This flake has only the few names
# nixboard's flake uses from nixpkgs (lib.genAttrs, lib.versionAtLeast,
# legacyPackages.<system>.{go, go_1_26, buildGoModule, buildGo126Module,
# mkShell, git, tmux, zsh, fish}), with the shapes nixpkgs gives them. Each
# builder returns a real derivation (builder /bin/sh, writing a stand-in
# file) plus a `fixtureArgs` attribute holding what the flake passed in, for
# the test to check. Nothing here builds nixboard or says anything about
# what nixpkgs would do with the arguments.
{
  description = "Test fixture standing in for nixpkgs in nixboard's flake test (not nixpkgs)";

  outputs =
    { self }:
    let
      lib = {
        genAttrs =
          names: f:
          builtins.listToAttrs (
            map (name: {
              inherit name;
              value = f name;
            }) names
          );
        versionAtLeast = v1: v2: builtins.compareVersions v1 v2 >= 0;
      };

      # A derivation that builds offline: it only writes its own name.
      stand-in =
        system: name: attrs:
        derivation (
          {
            inherit name system;
            builder = "/bin/sh";
            args = [
              "-c"
              "echo fixture: $name > $out"
            ];
            PATH = "/usr/bin:/bin";
          }
          // attrs
        );

      packagesFor =
        system:
        let
          tool = name: version: stand-in system "${name}-${version}" { } // { inherit version; };
          # The default Go is older than go.mod asks for, so the flake must
          # pick go_1_26 and buildGo126Module.
          go = tool "go" "1.25.9";
          go_1_26 = tool "go" "1.26.8";
          goModuleBuilder =
            goUsed: args:
            stand-in system "${args.pname}-${args.version}" {
              # The source is part of the derivation, as in nixpkgs, so its
              # drvPath changes with the flake's source.
              inherit (args) src;
            }
            // {
              fixtureArgs = builtins.removeAttrs args [ "src" ] // {
                src = toString args.src;
                go = goUsed.version;
              };
            };
        in
        {
          inherit go go_1_26;
          buildGoModule = goModuleBuilder go;
          buildGo126Module = goModuleBuilder go_1_26;
          mkShell =
            args:
            stand-in system "nix-shell" { }
            // {
              fixtureArgs.packages = map (p: p.name) (args.packages or [ ]);
            };
          git = tool "git" "fixture";
          tmux = tool "tmux" "fixture";
          zsh = tool "zsh" "fixture";
          fish = tool "fish" "fixture";
        };
    in
    {
      inherit lib;
      legacyPackages = lib.genAttrs [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ] packagesFor;
    };
}
