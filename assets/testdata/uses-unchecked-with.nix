# Test fixture, not part of the base layer: an unlisted name inside
# `with pkgs; [ ... ]`, where nix reports an undefined variable instead.
{ lib, pkgs, ... }:
{
  config.home.packages = with pkgs; [
    curl
    nonexistentPackageForTest
  ];
}
