{
  inputs.lib.url = "path:@NIXPKGS_LIB@";
  outputs = { self, lib }: let
    eval = modules: (import ./hm/default.nix { lib = lib.lib; inherit modules; }).config;
  in {
    typeError = (eval [ ./nixboard/answers.nix ./home.nix ]).homeBase.enableTmux;
    noOption = (eval [ ./home.nix ./typo.nix ]).home.packages;
    removed = builtins.deepSeq (eval [ ./nixboard/base.nix ./home.nix ]).home.packages "ok";
  };
}
