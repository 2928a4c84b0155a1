{ pkgs, ... }:
{
  home.packages = [ "a" ];
}
