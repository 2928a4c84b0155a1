# FIXTURE module for nixboard's switch tests; the fixture home-manager only
# hashes it.
{ pkgs, ... }:
{
  home.username = "fixture";
  home.stateVersion = "26.05";
  programs.git.enable = true;
  programs.tmux.enable = true;
  programs.neovim.enable = true;
}
