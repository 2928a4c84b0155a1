{ config, pkgs, ... }:
{
  home.username = "alice";
  home.homeDirectory = "/Users/alice";
  home.stateVersion = "24.11";
  programs.home-manager.enable = true;
}
