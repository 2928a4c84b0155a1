# FIXTURE: `import nixpkgs { system; }` for nixboard's tests; NOT nixpkgs.
# See lib.nix and pkgs.nix.
{
  system ? "x86_64-linux",
  ...
}:
import ./pkgs.nix {
  inherit system;
  lib = import ./lib.nix;
}
