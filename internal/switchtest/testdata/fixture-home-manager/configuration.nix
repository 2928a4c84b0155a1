# FIXTURE: lib.homeManagerConfiguration of the fixture home-manager (not
# home-manager's). It does not evaluate modules; it hashes what they are so
# a different configuration gives different store paths, and builds a
# generation shaped like home-manager's. fixtureSleep makes one build sleep
# (for the interrupt test); fixtureMarker is put into that builder's
# environment so a test can find it in /proc. fixturePace (seconds, e.g.
# "0.2") slows the builds and the activation down line by line, so a
# recording of the run has a believable pace for the demo. pkgs.waitFifo
# (the fixture nixpkgs' wait-fifo) makes home-manager-path write its pid
# into that fifo and then wait until the fifo is written to, which a test
# never does: the build runs until it is stopped. pkgs.gateDir (the
# fixture nixpkgs' gate-dir) holds the hm_.bashrc build until the test
# releases it (see gateDir below and switchtest.Config.Gate).
{ pkgs, modules ? [ ], extraSpecialArgs ? { }, fixtureSleep ? 0, fixtureMarker ? "", fixturePace ? "", ... }:
let
  system = pkgs.git.system;
  # A module may read files beside it (nixboard's answers module reads
  # ../nixboard.json), so a path module counts with the whole directory it
  # is in: the directory's store path changes with any file in it.
  describe = m:
    if builtins.isPath m then builtins.readFile m + "\n" + builtins.unsafeDiscardStringContext (toString (builtins.path { path = dirOf m; name = "fixture-module-dir"; }))
    else if builtins.isAttrs m then builtins.toJSON (builtins.attrNames m)
    else builtins.typeOf m;
  configHash = builtins.hashString "sha256" (builtins.concatStringsSep "\n" (map describe modules));
  sh = name: attrs: script: derivation ({
    inherit name system configHash;
    # The fixture nixpkgs' salt makes every path of a test run new.
    salt = pkgs.salt or "";
    inherit fixturePace;
    builder = "/bin/sh";
    PATH = "/usr/bin:/bin";
    args = [ "-c" ("pace() { if [ -n \"$fixturePace\" ]; then sleep \"$fixturePace\"; fi; }\n" + script) ];
  } // attrs);
  # pkgs.gateDir (the fixture nixpkgs' gate-dir) holds the hm_.bashrc
  # build: it writes its pid into the fifo gateDir/started, then waits for
  # a line from the fifo gateDir/release, which the test writes once it
  # has looked at the screen. hm_.bashrc depends on no download, so nix
  # runs it while a download is held too.
  gateDir = pkgs.gateDir or "";
  dotfile = name: text: extra: sh "hm_${name}" ({ inherit text; } // extra) ''
    if [ -n "''${gateDir:-}" ]; then
      echo "fixture: held until the test releases it"
      echo $$ > "$gateDir/started"
      read -r line < "$gateDir/release"
      echo "fixture: released"
    fi
    echo "writing ${name}"
    pace
    printf '%s\n' "$text" > $out
  '';
  bashrc = dotfile ".bashrc" "# ~/.bashrc written by the nixboard fixture (config ${configHash})"
    (if gateDir == "" then { } else { inherit gateDir; });
  profile = dotfile ".profile" "# ~/.profile written by the nixboard fixture" { };
  files = sh "home-manager-files" { inherit bashrc profile; } ''
    mkdir -p $out
    ln -s $bashrc $out/.bashrc
    ln -s $profile $out/.profile
    echo "linked 2 home files"
  '';
  waitFifo = pkgs.waitFifo or "";
  path = sh "home-manager-path" ({
    paths = [ pkgs.git pkgs.tmux pkgs.neovim ];
    inherit fixtureSleep fixtureMarker;
  } // (if waitFifo == "" then { } else { inherit waitFifo; })) ''
    if [ -n "''${waitFifo:-}" ]; then
      echo "fixture: waiting on $waitFifo"
      echo $$ > "$waitFifo"
      read -r line < "$waitFifo"
    fi
    if [ "$fixtureSleep" != 0 ]; then
      echo "fixture: sleeping $fixtureSleep s ($fixtureMarker)"
      sleep "$fixtureSleep"
    fi
    mkdir -p $out/bin
    n=0
    for p in $paths; do
      echo "installing $p"
      pace
      for b in $p/bin/*; do ln -s $b $out/bin/; n=$((n+1)); done
    done
    echo "created $n symlinks in user environment"
  '';
  activationPackage = sh "home-manager-generation" {
    inherit files path;
    template = ./activate.sh;
  } ''
    mkdir -p $out
    ln -s $files $out/home-files
    ln -s $path $out/home-path
    pace
    sed -e "s|@out@|$out|g" -e "s|@homeFiles@|$files|g" -e "s|@pace@|$fixturePace|g" $template > $out/activate
    chmod +x $out/activate
    echo 1 > $out/gen-version
    echo "generation ready"
  '';
in
{
  inherit activationPackage;
  config.home.activationPackage = activationPackage;
}
