# nixboard's built-in base layer: a home-manager module.
#
# It declares the homeBase options (the same names as the shared base layer
# nixboard mirrors) and implements each flag with home-manager options that
# exist on release-26.05 and on master. Values are set with lib.mkDefault
# where you may want your own, so a plain setting in home.nix wins.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.homeBase;
  inherit (lib)
    mkIf
    mkMerge
    mkDefault
    mkOption
    types
    ;
  platform = config.nixboard.platform;
  isWSL = platform == "wsl" || platform == "nixos-wsl";
  # stdenv.hostPlatform, not the stdenv.is* aliases: nixpkgs-unstable warns
  # on every use of those (nixpkgs PR #518407).
  inherit (pkgs.stdenv.hostPlatform) isLinux isDarwin;

  flag =
    default: description:
    mkOption {
      type = types.bool;
      inherit default description;
    };

  # ESP-IDF's installer expects a normal Linux file system layout; this FHS
  # environment provides one with the prerequisites Espressif lists.
  espIdfShell = pkgs.buildFHSEnv {
    name = "esp-idf-fhs";
    targetPkgs =
      p: with p; [
        bash
        bison
        ccache
        cmake
        dfu-util
        flex
        git
        gnumake
        gperf
        libffi
        libusb1
        ncurses5
        ninja
        openssl
        pkg-config
        python3
        wget
        zlib
      ];
    runScript = "bash";
    profile = ''
      export IDF_TOOLS_PATH="$HOME/.espressif"
    '';
  };

  # Prints the Linux path of the Windows user's OneDrive folder. It uses only
  # what WSL itself provides: wslpath (shipped by WSL in /usr/bin or /bin, not
  # a nixpkgs package) and Windows' own cmd.exe through interop. nixpkgs
  # removed wslu (2026-04-08), whose wslvar this used to call. The text is
  # plain POSIX shell, so it behaves the same in bash (writeShellScriptBin's
  # interpreter) and zsh; nixboard's tests run it in both. (No variable is
  # called path or status: zsh ties path to PATH and status is read-only.)
  onedrivePathScript = ''
    set -eu
    nixboard_say() { printf 'onedrive-path: %s\n' "$*" >&2; }

    wslpath_cmd=
    for c in "$(command -v wslpath 2>/dev/null || true)" /usr/bin/wslpath /bin/wslpath; do
      if [ -n "$c" ] && [ -x "$c" ]; then
        wslpath_cmd=$c
        break
      fi
    done
    if [ -z "$wslpath_cmd" ]; then
      nixboard_say "wslpath not found: this command works only inside WSL"
      exit 1
    fi

    # cmd.exe is on PATH unless interop's appendWindowsPath is off; then ask
    # wslpath where C: is mounted (the automount root need not be /mnt).
    cmd=$(command -v cmd.exe 2>/dev/null || true)
    if [ -z "$cmd" ]; then
      for c in "$("$wslpath_cmd" -u 'C:\Windows\System32\cmd.exe' 2>/dev/null || true)" /mnt/c/Windows/System32/cmd.exe; do
        if [ -n "$c" ] && [ -x "$c" ]; then
          cmd=$c
          break
        fi
      done
    fi
    if [ -z "$cmd" ]; then
      nixboard_say "cmd.exe is neither on PATH nor at /mnt/c/Windows/System32/cmd.exe; is this WSL?"
      exit 1
    fi
    case $cmd in
      */*) cmd_dir=''${cmd%/*} ;;
      *) cmd_dir=. ;;
    esac

    # Started from a Linux directory, cmd.exe warns that UNC paths are not
    # supported; its own (Windows) directory avoids that. /d skips AutoRun
    # commands, which could print more than the variable.
    rc=0
    out=$(cd "$cmd_dir" && "$cmd" /d /c echo '%OneDrive%' </dev/null) || rc=$?
    if [ "$rc" -ne 0 ]; then
      nixboard_say "could not run $cmd (exit status $rc); is Windows interop disabled? ([interop] enabled in /etc/wsl.conf)"
      exit 1
    fi
    # cmd.exe ends its line with CR LF; $(...) drops only the LF.
    cr=$(printf '\r')
    dir=''${out%"$cr"}
    case $dir in
      "" | "%OneDrive%")
        # cmd.exe echoes an unset variable's name literally.
        nixboard_say "OneDrive is not set up for this Windows user (no %OneDrive% variable)"
        exit 1
        ;;
    esac
    if ! linux_dir=$("$wslpath_cmd" -u "$dir"); then
      nixboard_say "wslpath could not translate $dir"
      exit 1
    fi
    if [ ! -d "$linux_dir" ]; then
      nixboard_say "$dir ($linux_dir) is not a directory"
      exit 1
    fi
    printf '%s\n' "$linux_dir"
  '';
  onedrivePath = pkgs.writeShellScriptBin "onedrive-path" onedrivePathScript;

  # `onedrive` changes into the OneDrive folder. It is a function, not an
  # alias, so that when onedrive-path fails you stay where you are and get
  # its exit status. The same text serves bash and zsh.
  onedriveFunction = ''
    onedrive() {
      local nixboard_onedrive_dir
      nixboard_onedrive_dir=$(onedrive-path) || return
      cd -- "$nixboard_onedrive_dir"
    }
  '';
  onedriveFishFunction = {
    description = "Change into your Windows OneDrive folder";
    body = ''
      set -l nixboard_onedrive_dir (onedrive-path); or return
      cd $nixboard_onedrive_dir
    '';
  };

  # Checks Windows Terminal's settings from inside WSL on every switch. It
  # only reads files and prints; it never fails the activation.
  terminalCheck =
    let
      tv = cfg.terminalVerification;
    in
    ''
      nixboardTvVerbose=${lib.boolToString tv.verbose}
      nixboardTvWarn=${lib.boolToString tv.warnOnMisconfiguration}
      nixboardTvSay() { if [ "$nixboardTvVerbose" = true ]; then echo "terminal check: $*"; fi; }
      nixboardTvProblem() { if [ "$nixboardTvWarn" = true ]; then echo "nixboard: warning: $*" >&2; fi; }
      nixboardTvFile=
      for f in /mnt/c/Users/*/AppData/Local/Packages/Microsoft.WindowsTerminal_*/LocalState/settings.json \
               /mnt/c/Users/*/AppData/Local/Microsoft/Windows\ Terminal/settings.json; do
        if [ -r "$f" ]; then nixboardTvFile=$f; break; fi
      done
      if [ -z "$nixboardTvFile" ]; then
        nixboardTvProblem "Windows Terminal's settings.json was not found under /mnt/c/Users; install Windows Terminal from the Microsoft Store"
      else
        nixboardTvSay "Windows Terminal settings: $nixboardTvFile"
        if [ -n "''${WSL_DISTRO_NAME:-}" ] && ! ${pkgs.gnugrep}/bin/grep -qF "$WSL_DISTRO_NAME" "$nixboardTvFile"; then
          nixboardTvProblem "Windows Terminal has no profile for $WSL_DISTRO_NAME; open Windows Terminal's settings once so it adds one"
        else
          nixboardTvSay "profile for ''${WSL_DISTRO_NAME:-this distribution} found"
        fi
        ${lib.optionalString cfg.enableTerminal ''
          if ${pkgs.gnugrep}/bin/grep -q 'Nerd Font' "$nixboardTvFile"; then
            nixboardTvSay "a Nerd Font is configured"
          else
            nixboardTvProblem "Windows Terminal does not use a Nerd Font; install JetBrainsMono Nerd Font on Windows and pick it in the profile's Appearance settings"
          fi
        ''}
      fi
    '';
in
{
  options.nixboard.platform = mkOption {
    type = types.enum [
      "linux"
      "wsl"
      "nixos"
      "nixos-wsl"
      "darwin"
    ];
    default = if isDarwin then "darwin" else "linux";
    description = "The platform nixboard rendered this configuration for.";
  };

  options.homeBase = {
    username = mkOption {
      type = types.str;
      description = "Your login name.";
    };
    homeDirectory = mkOption {
      type = types.str;
      description = "Your home directory (/Users/NAME on macOS).";
    };
    basePackages = mkOption {
      type = types.listOf types.package;
      default = with pkgs; [
        curl
        wget
        less
        unzip
        zip
      ];
      description = "Packages everyone gets.";
    };
    additionalPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      description = "Your extra packages.";
    };
    shellAliases = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = "Shell aliases for every shell home-manager manages.";
    };
    environmentVariables = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = "Session variables for every shell home-manager manages.";
    };
    defaultEditor = mkOption {
      type = types.str;
      default = "nvim";
      description = "The command EDITOR and VISUAL name.";
    };
    stateVersion = mkOption {
      type = types.str;
      description = "home.stateVersion: the release you first installed with.";
    };
    # The flags in the order nixboard asks them, with the descriptions it
    # shows (flakegen.Flags; baseopts' tests prove the two agree).
    enableGit = flag true "git with your name and e-mail, main as the default branch";
    enableShellUtils = flag true "fzf, ripgrep, fd, bat, eza, zoxide and jq, wired into your shell";
    enableTmux = flag true "tmux with mouse support, 24-hour clock and a long scrollback";
    enableNeovim = flag true "neovim, with vi/vim aliases and as EDITOR when defaultEditor is nvim";
    enableDevelopment = flag false "direnv with nix-direnv, gh, make, shellcheck and the nil Nix language server";
    enableTerminal = flag true "fontconfig and the JetBrains Mono Nerd Font for icons in the terminal";
    enableSystem = flag true "htop, rsync, lsof, file, tree and (on Linux) strace and pciutils";
    enableClaudeCode = flag true "the claude-code CLI (unfree: the flake allows exactly this package)";
    enableContainerSupport = flag true "rootless podman (home-manager's services.podman on Linux, the podman CLI on macOS)";
    enableEspIdf = flag false "an esp-idf-fhs command: an FHS shell with the toolchain prerequisites of Espressif's ESP-IDF";
    enableOneDriveUtils = flag false "onedrive-path, which finds your Windows OneDrive folder, and onedrive, which changes into it";
    terminalVerification = {
      enable = flag true "check Windows Terminal's settings on each switch (font, profile) and report problems";
      verbose = flag false "print every Windows Terminal check, not only problems";
      warnOnMisconfiguration = flag true "print a warning when Windows Terminal is missing or not set up for the Nerd Font";
    };
  };

  config = mkMerge [
    {
      home.username = cfg.username;
      home.homeDirectory = cfg.homeDirectory;
      home.stateVersion = cfg.stateVersion;
      home.packages = cfg.basePackages ++ cfg.additionalPackages;
      # Plain definitions, not mkDefault: a mkDefault here would lose to any
      # other definition and the aliases would silently never take effect.
      home.shellAliases = cfg.shellAliases;
      home.sessionVariables = cfg.environmentVariables;
      programs.home-manager.enable = true;
    }
    # EDITOR and VISUAL name the chosen editor, except when that is the
    # default "nvim" and Neovim is switched off: pointing them at a program
    # this configuration does not install would break `git commit` and
    # friends, so the system's own EDITOR stays in charge then.
    (mkIf (cfg.defaultEditor != "nvim" || cfg.enableNeovim) {
      home.sessionVariables.EDITOR = mkDefault cfg.defaultEditor;
      home.sessionVariables.VISUAL = mkDefault cfg.defaultEditor;
    })
    {
      # Without a man package (home-manager's default on macOS from
      # stateVersion 26.05) there are no caches to generate, yet
      # programs.fish turns generateCaches on and home-manager then warns on
      # every switch. mkOverride 900 beats fish's mkDefault and loses to a
      # plain setting of yours; with a man package this sets nothing.
      programs.man.generateCaches = mkIf (config.programs.man.package == null) (
        lib.mkOverride 900 false
      );
    }

    (mkIf cfg.enableGit {
      programs.git = {
        enable = true;
        settings = {
          init.defaultBranch = mkDefault "main";
          push.autoSetupRemote = mkDefault true;
        };
      };
    })

    (mkIf cfg.enableTmux {
      programs.tmux = {
        enable = true;
        clock24 = mkDefault true;
        mouse = mkDefault true;
        historyLimit = mkDefault 50000;
        escapeTime = mkDefault 10;
        terminal = mkDefault "tmux-256color";
        # The secure socket lives under XDG_RUNTIME_DIR, which WSL without
        # systemd does not have. Vanilla WSL may run without systemd (and
        # /etc/wsl.conf can change that at any time), so it uses tmux's own
        # /tmp socket; NixOS-WSL always runs systemd.
        secureSocket = mkIf (platform == "wsl") (mkDefault false);
      };
    })

    (mkIf cfg.enableNeovim {
      programs.neovim = {
        enable = true;
        viAlias = mkDefault true;
        vimAlias = mkDefault true;
        vimdiffAlias = mkDefault true;
        # programs.neovim.defaultEditor stays off: all it does is set EDITOR
        # and VISUAL to nvim at normal priority, which would clash with an
        # EDITOR or VISUAL of your own (in homeBase.environmentVariables or
        # home.nix). homeBase.defaultEditor ("nvim" by default) already sets
        # both, and a value of yours wins.
      };
    })

    (mkIf cfg.enableDevelopment {
      programs.direnv = {
        enable = true;
        nix-direnv.enable = true;
      };
      home.packages = with pkgs; [
        gh
        gnumake
        nil
        shellcheck
      ];
    })

    (mkIf cfg.enableTerminal {
      fonts.fontconfig.enable = true;
      home.packages = [ pkgs.nerd-fonts.jetbrains-mono ];
    })

    (mkIf cfg.enableSystem {
      programs.htop.enable = true;
      home.packages =
        with pkgs;
        [
          file
          lsof
          rsync
          tree
          which
        ]
        ++ lib.optionals isLinux [
          pciutils
          psmisc
          strace
          usbutils
        ];
    })

    (mkIf cfg.enableShellUtils {
      programs.fzf.enable = true;
      programs.ripgrep.enable = true;
      programs.bat.enable = true;
      programs.eza.enable = true;
      programs.zoxide.enable = true;
      programs.jq.enable = true;
      home.packages = [ pkgs.fd ];
    })

    (mkIf cfg.enableClaudeCode {
      # Unfree: the flake's pkgs allows exactly this package.
      home.packages = [ pkgs.claude-code ];
    })

    (mkIf (cfg.enableContainerSupport && isLinux) {
      services.podman.enable = true;
    })
    (mkIf (cfg.enableContainerSupport && isDarwin) {
      # Podman on macOS runs containers in a VM: `podman machine init`.
      home.packages = [ pkgs.podman ];
    })

    (mkIf cfg.enableEspIdf {
      assertions = [
        {
          assertion = isLinux;
          message = "homeBase.enableEspIdf needs Linux (an FHS environment); switch it off on macOS.";
        }
      ];
      home.packages = [ espIdfShell ];
    })

    (mkIf cfg.enableOneDriveUtils {
      assertions = [
        {
          assertion = isWSL;
          message = "homeBase.enableOneDriveUtils only works on WSL; switch it off here.";
        }
      ];
      home.packages = [ onedrivePath ];
      # Every shell nixboard offers (bash, zsh, fish) gets `onedrive`; only
      # the one you chose is enabled, and the others' settings do nothing.
      programs.bash.initExtra = onedriveFunction;
      programs.zsh.initContent = onedriveFunction;
      programs.fish.functions.onedrive = onedriveFishFunction;
    })

    (mkIf (cfg.terminalVerification.enable && isWSL) {
      home.activation.nixboardTerminalCheck = lib.hm.dag.entryAfter [ "writeBoundary" ] terminalCheck;
    })
  ];
}
