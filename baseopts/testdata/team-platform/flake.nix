# Test fixture: a team's base flake that pins no nixpkgs or home-manager (so
# nixboard falls back to the release pair, overridden in the tests) and whose
# module declares nixboard.platform, as nixboard's built-in layer does, with
# a default that follows it.
{
  outputs =
    { self }:
    {
      homeManagerModules.base =
        { config, lib, ... }:
        {
          options.nixboard.platform = lib.mkOption {
            type = lib.types.enum [ "linux" "wsl" "nixos" "nixos-wsl" "darwin" ];
            default = "linux";
            description = "The platform.";
          };
          options.homeBase.tmuxSecureSocket = lib.mkOption {
            type = lib.types.bool;
            default = config.nixboard.platform != "wsl";
            description = "tmux's socket under XDG_RUNTIME_DIR.";
          };
        };
    };
}
