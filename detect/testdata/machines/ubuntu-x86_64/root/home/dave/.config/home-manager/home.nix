{ pkgs, ... }:
{
  home.packages = [ pkgs.htop ];
}
