# FIXTURE: `import nixpkgs { system = ...; config = ...; }` for nixboard's
# tests. Not nixpkgs: every package is a small script built with /bin/sh.
# A file named `salt` next to this one (tests write a random one into their
# copy) makes every store path new, so each test really builds or
# downloads instead of finding the paths already valid. A file named
# `wait-fifo` holds the path of a fifo (outside the source) that the fixture
# home-manager's home-manager-path build writes its pid into and then waits
# on, so a test controls how long the build runs (see switchtest.Config).
# A file named `gate-dir` holds the path of a directory (outside the
# source) with two fifos through which a test holds the fixture
# home-manager's hm_.bashrc build and then releases it
# (switchtest.Config.Gate).
{ system ? builtins.currentSystem, config ? { }, overlays ? [ ], ... }:
let
  salt = if builtins.pathExists ./salt then builtins.readFile ./salt else "";
  waitFifo = if builtins.pathExists ./wait-fifo then builtins.readFile ./wait-fifo else "";
  gateDir = if builtins.pathExists ./gate-dir then builtins.readFile ./gate-dir else "";
  # fake builds a package called pname-version with one program in bin/
  # and `size` KiB of payload, so downloads of it have real byte progress.
  fake = pname: version: size: derivation {
    name = "${pname}-${version}";
    inherit system pname version size salt;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" ''
      echo "unpacking sources (fixture ${pname})"
      mkdir -p $out/bin $out/share/${pname}
      printf '#!/bin/sh\necho "${pname} ${version} (nixboard fixture)"\n' > $out/bin/${pname}
      chmod +x $out/bin/${pname}
      i=0
      while [ $i -lt 6 ]; do echo "compiling ${pname} part $i"; i=$((i+1)); done
      head -c $((size * 1024)) /dev/urandom > $out/share/${pname}/payload
      echo "installing ${pname} ${version}"
    '' ];
  };
in
{
  git = fake "git" "2.51.0" 96;
  tmux = fake "tmux" "3.5a" 48;
  neovim = fake "neovim" "0.11.4" 192;
  lib = {
    # Enough of nixpkgs.lib for a rendered flake's outputs.
    genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
  };
  inherit salt waitFifo gateDir;
}
