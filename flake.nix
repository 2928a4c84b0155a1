# nixboard's own flake: the nixboard command built from this repository,
# a development shell, an overlay, and the built-in base layer as a
# home-manager module that a team can import from its own flake.
#
#   nix run github:nixboard/nixboard            # the wizard
#   nix profile install github:nixboard/nixboard
#   nix develop                                  # Go, git, tmux, zsh, fish
#
# There is no flake.lock in the repository yet: the first `nix flake lock`
# pins nixpkgs (see the README, "Nix flake"). The vendor hash below is kept
# current by scripts/update-vendor-hash.sh.
{
  description = "nixboard: a terminal wizard that takes you to a working home-manager setup";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;

      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});

      # The Go that go.mod's `go` line asks for, and no older: nixpkgs builds
      # with GOTOOLCHAIN=local, so an older default Go would fail the build
      # instead of downloading a newer toolchain.
      goMinimum = builtins.head (builtins.match ".*\ngo ([0-9.]+)\n.*" (builtins.readFile ./go.mod));
      goFor =
        pkgs:
        if lib.versionAtLeast pkgs.go.version goMinimum then
          {
            go = pkgs.go;
            buildGoModule = pkgs.buildGoModule;
          }
        else
          {
            go = pkgs.go_1_26;
            buildGoModule = pkgs.buildGo126Module;
          };

      # What the release build stamps in (goreleaser's -X main.version,
      # main.commit, main.date), taken from the flake's source: its commit
      # (Nix 2.17 and later give a work tree with changes a dirtyRev, older
      # ones nothing) and its commit time.
      modified = self.lastModifiedDate or "19700101000000";
      part = start: len: builtins.substring start len modified;
      day = "${part 0 4}-${part 4 2}-${part 6 2}";
      date = "${day}T${part 8 2}:${part 10 2}:${part 12 2}Z";
      commit = self.rev or self.dirtyRev or "dirty";
      version = "0-unstable-${day}";

      nixboardFor =
        pkgs:
        (goFor pkgs).buildGoModule {
          pname = "nixboard";
          inherit version;
          src = self;
          subPackages = [ "cmd/nixboard" ];

          # The hash of the Go modules go.sum names (`go mod vendor`).
          # After a change of go.mod or go.sum: scripts/update-vendor-hash.sh.
          vendorHash = "sha256-u5I1GhZoptf+9n5YA+u3PU4QHxV3+/AtRgf207rno4I=";

          ldflags = [
            "-s"
            "-w"
            "-X main.version=${version}"
            "-X main.commit=${commit}"
            "-X main.date=${date}"
          ];

          # The tests need real nix, git, tmux, zsh and fish, a writable
          # store and a terminal; they run in CI (.ci/run), not in the build
          # sandbox.
          doCheck = false;

          meta = {
            description = "A terminal wizard that takes you to a working home-manager setup";
            homepage = "https://github.com/nixboard/nixboard";
            mainProgram = "nixboard";
            platforms = systems;
          };
        };
    in
    {
      packages = forAllSystems (system: pkgs: {
        default = nixboardFor pkgs;
        nixboard = nixboardFor pkgs;
      });

      apps = forAllSystems (system: pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${system}.default}/bin/nixboard";
          meta.description = "Run the nixboard wizard";
        };
      });

      # What the README's test command needs besides nix itself: Go (the
      # version go.mod asks for, with gofmt and go vet), git, tmux, zsh and
      # fish. mkShell's C compiler serves `go test -race`.
      devShells = forAllSystems (system: pkgs: {
        default = pkgs.mkShell {
          packages = [
            (goFor pkgs).go
            pkgs.git
            pkgs.tmux
            pkgs.zsh
            pkgs.fish
          ];
        };
      });

      overlays.default = final: prev: { nixboard = nixboardFor final; };

      # The base layer nixboard embeds (assets/base/base.nix), the very
      # file: a team imports it from its own flake with
      # `imports = [ nixboard.homeManagerModules.base ];`.
      homeManagerModules = {
        base = ./assets/base/base.nix;
        default = self.homeManagerModules.base;
      };
    };
}
