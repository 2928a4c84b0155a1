{ lib, ... }: {
  options.home.packages = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
  options.programs.git.enable = lib.mkEnableOption "git";
  options.homeBase.enableTmux = lib.mkOption { type = lib.types.bool; default = false; };
}
