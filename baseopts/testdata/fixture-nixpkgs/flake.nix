# FIXTURE: stands in for nixpkgs in nixboard's baseopts tests. It is NOT
# nixpkgs: lib.nix is a small module system shaped like nixpkgs' lib, and
# default.nix a package set of look-alike packages. Tests pass it with
# `--override-input nixpkgs path:<this dir>`.
{
  description = "FIXTURE standing in for nixpkgs in nixboard's baseopts tests (not nixpkgs)";
  outputs =
    { self }:
    {
      lib = import ./lib.nix;
    };
}
