{ lib, ... }:
let pkgs = import ../pkgs/top-level/aliases.nix; in
{
  home.packages = [ pkgs.wslu ];
}
