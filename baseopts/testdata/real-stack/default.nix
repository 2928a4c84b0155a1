# FIXTURE: `import nixpkgs { system; }` for the tests that run nixboard's
# expression with nixpkgs' REAL lib and the REAL home-manager (see
# reallib_test.go). It is NOT nixpkgs: the test copies the real lib into
# ./lib beside this file, and the packages are the FIXTURE look-alikes of
# ../fixture-nixpkgs/pkgs.nix (copied in as ./pkgs.nix) plus what
# home-manager's modules read while their options are evaluated: path (for
# nixos/modules/misc, stand-ins here), stdenv's platform flags, config,
# overlays and pkgs.formats.
{
  system ? "x86_64-linux",
  ...
}:
let
  lib = import ./lib;
  package = pname: {
    type = "derivation";
    inherit pname system;
    name = "${pname}-fixture";
    outPath = "/nix/store/00000000000000000000000000000000-${pname}-fixture";
    meta = { };
  };
  format = _: {
    type = lib.types.anything;
    generate = name: value: package name;
    lib = {
      types.atom = lib.types.anything;
      mkLuaInline = x: x;
    };
  };
  isDarwin = builtins.match ".*-darwin" system != null;
  platform = {
    inherit system isDarwin;
    isLinux = !isDarwin;
    isx86_64 = builtins.match "x86_64-.*" system != null;
    isAarch64 = builtins.match "aarch64-.*" system != null;
  };
in
import ./pkgs.nix { inherit system lib; }
// {
  path = ./.;
  config = { };
  overlays = [ ];
  stdenv = platform // {
    hostPlatform = platform;
    buildPlatform = platform;
    targetPlatform = platform;
  };
  formats = lib.genAttrs [
    "toml"
    "json"
    "yaml"
    "yaml_1_1"
    "yaml_1_2"
    "ini"
    "iniWithGlobalSection"
    "keyValue"
    "gitIni"
    "systemd"
    "elixirConf"
    "lua"
    "nixConf"
    "xml"
    "libconfig"
    "hocon"
    "php"
    "javaProperties"
    "pkl"
    "cdn"
    "plist"
  ] (_: format);
}
