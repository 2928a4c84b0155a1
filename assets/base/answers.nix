# nixboard's answers module.
#
# It reads your answers from ../nixboard.json as data (builtins.fromJSON) and
# hands them to the base layer's homeBase options and to the few home-manager
# options that are not part of the base layer (git identity, your shell, the
# non-NixOS Linux target). It works the same with nixboard's built-in base
# layer and with a team's base flake. Change answers with nixboard, or edit
# nixboard.json and render again; put everything else in home.nix.
{ lib, pkgs, ... }:
let
  answers = builtins.fromJSON (builtins.readFile ../nixboard.json);
  hb = answers.homeBase;

  # "python3Packages.requests" becomes pkgs.python3Packages.requests; a name
  # nixpkgs does not have stops the build with an error naming the answer.
  package =
    name:
    builtins.foldl' (
      found: attr:
      if builtins.isAttrs found && builtins.hasAttr attr found then
        builtins.getAttr attr found
      else
        throw "nixboard.json: homeBase.additionalPackages: nixpkgs has no package \"${name}\"; check the name on https://search.nixos.org/packages, fix it and render again"
    ) pkgs (builtins.filter builtins.isString (builtins.split "\\." name));

  # Non-NixOS Linux (vanilla WSL included) needs home-manager's generic Linux
  # target for its session variables, XDG paths and locale; macOS and NixOS
  # must not have it.
  genericLinux = answers.platform == "linux" || answers.platform == "wsl";

  gitUser =
    (if answers.git.name != "" then { name = answers.git.name; } else { })
    // (if answers.git.email != "" then { email = answers.git.email; } else { });
in
{
  homeBase = hb // {
    additionalPackages = map package hb.additionalPackages;
  };

  programs.git.settings.user = lib.mkIf hb.enableGit gitUser;

  # The shell you chose gets managed, so aliases and variables reach it.
  programs.${answers.shell}.enable = true;

  targets.genericLinux.enable = lib.mkDefault genericLinux;

  # WSL brings its own GPU passthrough (/usr/lib/wsl/lib); home-manager's
  # generic GPU integration would instead ask for `sudo non-nixos-gpu-setup`
  # on every switch and pull in mesa. Bare-metal Linux keeps it, since GUI
  # programs from Nix need those drivers there.
  targets.genericLinux.gpu.enable = lib.mkIf (answers.platform == "wsl") (lib.mkDefault false);
}
