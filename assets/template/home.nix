# home.nix: your own home-manager settings.
#
# nixboard created this file once and will never change or replace it.
# Your answers (nixboard.json) switch the base layer's modules on and off;
# this file is for everything else. Every home-manager option works here:
# https://nix-community.github.io/home-manager/options.xhtml
#
# Apply a change with `nixboard switch`, or with
#   home-manager switch --flake ~/.config/home-manager#<username>@<hostname>
# (the name is "username@hostname" from nixboard.json).
{
  config,
  pkgs,
  lib,
  ...
}:
{
  # More packages, by their attribute name in nixpkgs
  # (https://search.nixos.org/packages):
  # home.packages = [ pkgs.htop ];

  # Aliases of your own; they merge with homeBase.shellAliases.
  # home.shellAliases.gs = "git status";

  # Files in your home directory that home-manager manages:
  # home.file.".config/example/settings.conf".text = ''
  #   key = value
  # '';

  # Override a base layer choice; your value beats its defaults:
  # programs.tmux.historyLimit = 100000;
}
