# Test fixture: a team's base module (see flake.nix).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkDefault mkIf mkOption types;
  isDarwin = pkgs.stdenv.hostPlatform.isDarwin;
in
{
  imports = [ ./git.nix ];

  options.homeBase = {
    enableTmux = mkOption {
      type = types.bool;
      default = true;
      description = "tmux with the team's key bindings.";
    };
    enableRust = mkOption {
      type = types.bool;
      default = false;
      description = "The Rust toolchain (rustup).";
    };
    shell = mkOption {
      type = types.enum [ "bash" "zsh" "fish" ];
      description = "Your login shell.";
    };
    editor = mkOption {
      type = types.nonEmptyStr;
      default = "nvim";
      description = "The command EDITOR names.";
    };
    hostTag = mkOption {
      type = types.strMatching "[a-z]+-[0-9]+";
      default = "dev-1";
      description = "The tag of this machine in the team's inventory.";
    };
    jobs = mkOption {
      type = types.ints.between 1 64;
      default = 8;
      description = "Parallel build jobs.";
    };
    retries = mkOption {
      type = types.ints.positive;
      default = 3;
      description = "Download retries.";
    };
    cacheSize = mkOption {
      type = types.ints.unsigned;
      default = 0;
      description = "Cache size in MiB (0: unlimited).";
    };
    proxyPort = mkOption {
      type = types.port;
      default = 3128;
      description = "The local proxy's port.";
    };
    niceness = mkOption {
      type = types.int;
      default = -1;
      description = "Niceness of background jobs.";
    };
    projects = mkOption {
      type = types.listOf types.str;
      default = [ "infra" ];
      description = "Repositories to clone.";
    };
    extraPackages = mkOption {
      type = types.listOf types.package;
      default = [ pkgs.ripgrep ];
      description = "Packages on top of the team's.";
    };
    variables = mkOption {
      type = types.attrsOf types.str;
      default = {
        PAGER = "less";
      };
      description = "Session variables.";
    };
    proxy = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "An HTTP proxy, if any.";
    };
    maxLoad = mkOption {
      type = types.nullOr (types.ints.between 1 16);
      default = 4;
      description = "The load at which builds wait.";
    };
    greeting = mkOption {
      type = types.functionTo types.str;
      default = name: "hello ${name}";
      description = "Makes the shell's greeting.";
    };
    settings = mkOption {
      type = types.raw;
      default = {
        a = 1;
      };
      description = "Raw settings.";
    };
    editorPackage = mkOption {
      type = types.package;
      default = pkgs.neovim;
      description = "The editor's package.";
    };
    servers = mkOption {
      type = types.listOf (
        types.submodule {
          options.host = mkOption {
            type = types.str;
            description = "Host name.";
          };
        }
      );
      default = [ ];
      description = "Servers to know.";
    };
    extra = mkOption {
      type = types.anything;
      default = { };
      description = "Anything else.";
    };
    secretToken = mkOption {
      type = types.str;
      internal = true;
      default = "x";
      description = "Used by the team's tooling.";
    };
    legacyFlag = mkOption {
      type = types.bool;
      visible = false;
      default = false;
      description = "Kept for old configurations.";
    };
    terminal = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Terminal setup.";
      };
      font = mkOption {
        type = types.str;
        default = "JetBrains Mono";
        description = "The terminal font.";
      };
    };
  };

  config = {
    # Per-platform defaults, as a team writes them.
    homeBase.shell = mkDefault (if isDarwin then "zsh" else "bash");
    homeBase.terminal.enable = mkIf isDarwin (mkDefault false);
    home.packages = mkIf config.homeBase.enableRust [ pkgs.hello ];
    # Fails and warns with the defaults (no Rust); nixboard reads the
    # declarations regardless.
    assertions = [
      {
        assertion = config.homeBase.enableRust;
        message = "team-full: this assertion fails unless Rust is on";
      }
    ];
    warnings = [ "team-full: a warning" ];
  };
}
