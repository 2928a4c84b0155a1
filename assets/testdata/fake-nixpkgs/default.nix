# Test fixture standing in for nixpkgs in check-packages.sh's test; it is NOT
# nixpkgs. It has the shapes the script must tell apart: a package, a nested
# package, a function, a set, and, only while config.allowAliases is on (as in
# nixpkgs' aliases.nix), a renamed alias and a throwing one.
{
  system,
  config ? { },
  overlays ? [ ],
}:
let
  pkg = name: {
    type = "derivation";
    inherit name;
    outPath = "/nix/store/00000000000000000000000000000000-${name}";
  };
  packages = {
    lib.version = "fixture";
    present = pkg "present-1.0";
    nested.inner = pkg "inner-1.0";
    aFunction = args: args;
    aSet.hostPlatform = { };
  };
  aliases = {
    renamedOld = packages.present;
    removedThing = throw "'removedThing' has been removed";
  };
in
packages // (if config.allowAliases or true then aliases else { })
