# FIXTURE: a stand-in for home-manager in nixboard's tests. It is NOT
# home-manager. It offers the two things nixboard relies on:
#
#   - lib.homeManagerConfiguration { pkgs, modules, ... } returning an
#     activationPackage built offline with /bin/sh (derivations named like
#     home-manager's own: hm_.bashrc, home-manager-files, home-manager-path,
#     home-manager-generation), whose `activate` writes into $HOME and
#     prints home-manager-like activation output, including the real
#     clobber messages;
#   - packages.<system>.home-manager (and default, and apps.default): a
#     `home-manager` script that runs the real `nix build` with the flags
#     it is given (--override-input, --option, --log-format, -v, ...), then
#     the generation's activate.
#
# Tests pass it with `--override-input home-manager path:<this dir>`.
{
  description = "FIXTURE standing in for home-manager in nixboard's tests (not home-manager)";

  outputs = { self }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAll = f: builtins.listToAttrs (map (system: { name = system; value = f system; }) systems);
    in
    {
      lib.homeManagerConfiguration = import ./configuration.nix;
      packages = forAll (system: rec {
        # meta.mainProgram, as home-manager's own package has it, is what
        # `nix run FLAKE#home-manager` runs.
        home-manager = (derivation {
          name = "fixture-home-manager";
          inherit system;
          builder = "/bin/sh";
          PATH = "/usr/bin:/bin";
          script = ./home-manager.sh;
          args = [ "-c" "mkdir -p $out/bin && cp $script $out/bin/home-manager && chmod +x $out/bin/home-manager" ];
        }) // { meta.mainProgram = "home-manager"; };
        default = home-manager;
      });
      apps = forAll (system: rec {
        home-manager = { type = "app"; program = "${self.packages.${system}.home-manager}/bin/home-manager"; };
        default = home-manager;
      });
    };
}
