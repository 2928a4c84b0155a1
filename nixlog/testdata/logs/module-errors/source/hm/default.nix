{ lib, modules }:
let
  raw = lib.evalModules {
    modules = modules ++ [ ./home.nix ];
  };
in
raw
