# FIXTURE: a minimal rendered configuration for nixboard's switch tests,
# shaped like the flake nixboard renders. Its inputs point at the real
# nixpkgs and home-manager; tests always replace them with the fixtures
# (`--override-input nixpkgs path:... --override-input home-manager path:...`).
{
  description = "FIXTURE home-manager configuration for nixboard's tests";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
    home-manager.url = "github:nix-community/home-manager/release-26.05";
  };

  outputs = { nixpkgs, home-manager, ... }:
    let
      answers = builtins.fromJSON (builtins.readFile ./nixboard.json);
    in
    {
      packages.${answers.system}.home-manager = home-manager.packages.${answers.system}.default;
      homeConfigurations."${answers.homeBase.username}@${answers.hostname}" =
        home-manager.lib.homeManagerConfiguration {
          pkgs = import nixpkgs { system = answers.system; };
          modules = [ ./home.nix ];
        };
    };
}
