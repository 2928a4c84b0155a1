# FIXTURE: a stand-in for a nixpkgs package set, for nixboard's tests. It is
# NOT nixpkgs: its packages are plain attribute sets that look like
# derivations (type, name, pname, outPath) and build nothing; evaluating a
# module's option declarations and defaults needs no more.
{ system, lib }:
let
  isDarwin = builtins.match ".*-darwin" system != null;
  package = pname: {
    type = "derivation";
    inherit pname system;
    name = "${pname}-fixture";
    outPath = "/nix/store/00000000000000000000000000000000-${pname}-fixture";
  };
  names = [
    "bash" "bat" "claude-code" "curl" "eza" "fd" "file" "gh" "git" "gnugrep" "gnumake"
    "hello" "htop" "jq" "less" "lsof" "man" "neovim" "nil" "podman" "ripgrep" "rsync"
    "shellcheck" "tmux" "tree" "unzip" "wget" "which" "zip"
  ];
in
builtins.listToAttrs (map (n: { name = n; value = package n; }) names)
// {
  inherit lib system;
  stdenv.hostPlatform = {
    inherit system isDarwin;
    isLinux = !isDarwin;
  };
  writeShellScriptBin = name: text: package name;
  buildFHSEnv = args: package args.name;
  nerd-fonts.jetbrains-mono = package "jetbrains-mono-nerd-font";
}
