# Test fixture, not part of the base layer: a module that names an attribute
# assets/packages.json does not list.
{ lib, pkgs, ... }:
{
  config.home.packages = [
    pkgs.curl
    pkgs.nonexistentPackageForTest
  ];
}
