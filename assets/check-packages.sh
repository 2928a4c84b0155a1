#!/bin/sh
# check-packages.sh: check every name in assets/packages.json against real
# nixpkgs, with real `nix eval`.
#
#   assets/check-packages.sh NIXPKGS [LIST]
#
# NIXPKGS is a nixpkgs checkout (an absolute or relative directory) or a flake
# reference; LIST defaults to the packages.json beside this script. Check both
# branches nixboard renders for:
#
#   assets/check-packages.sh github:NixOS/nixpkgs/nixos-26.05
#   assets/check-packages.sh github:NixOS/nixpkgs/master
#   assets/check-packages.sh ~/src/nixpkgs            # after git checkout ...
#
# It imports nixpkgs twice, with config.allowAliases off and on (and unfree
# packages allowed), and prints one line per name:
#
#   OK NAME          a real attribute of the listed kind (package, function,
#                    set) that evaluates
#   ALIAS NAME       only an alias has it: nixpkgs renamed it, use the new name
#   THROWS NAME      it throws (a removed package's alias in aliases.nix)
#   WRONG-KIND NAME  it exists but is not a package/function/set as listed
#   MISSING NAME     nixpkgs has no such attribute
#   GONE NAME        a name listed under "removed" is still gone, as it should be
#   BACK NAME        a name listed under "removed" exists again
#
# then the nixpkgs revision it checked, and exits 1 unless every name is OK
# (or GONE). When it passes, add the date, branch and revision to "checks" in
# packages.json.
#
# This needs nixpkgs itself, from the network or a checkout; the sandbox and CI
# have neither, so CI does not run it. CI does run assets/packages_test.go,
# which fails when the base layer names anything packages.json lacks.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	sed -n '2,/^set -eu/p' "$0" | sed -e '/^set -eu/d' -e 's/^# \{0,1\}//' >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
src=$1
list=${2:-$here/packages.json}
case $src in
	/*) ;;
	*) if [ -d "$src" ]; then src=$(cd "$src" && pwd); fi ;;
esac
case $list in
	/*) ;;
	*) list=$(pwd)/$list ;;
esac

out=$(NIXBOARD_NIXPKGS=$src NIXBOARD_PACKAGES=$list \
	nix --extra-experimental-features 'nix-command flakes' eval --impure --raw --expr '
let
  src = builtins.getEnv "NIXBOARD_NIXPKGS";
  list = builtins.fromJSON (builtins.readFile (builtins.getEnv "NIXBOARD_PACKAGES"));
  isPath = builtins.substring 0 1 src == "/";
  flake = if isPath then { } else builtins.getFlake src;
  root = if isPath then /. + src else flake.outPath;
  nixpkgs =
    aliases:
    import root {
      system = builtins.currentSystem;
      config = {
        allowAliases = aliases;
        allowUnfree = true;
      };
      overlays = [ ];
    };
  plain = nixpkgs false;
  withAliases = nixpkgs true;

  # Walks an attribute path; a value that throws on the way counts as absent.
  find =
    set: path:
    if path == [ ] then
      { found = true; value = set; }
    else
      let
        name = builtins.head path;
        has = builtins.tryEval (builtins.isAttrs set && set ? ${name});
      in
      if has.success && has.value then find set.${name} (builtins.tail path) else { found = false; };
  attrPath = n: builtins.filter builtins.isString (builtins.split "\\." n);

  isKind =
    kind: v:
    if kind == "package" then
      (v.type or null) == "derivation" && builtins.isString v.name
    else if kind == "function" then
      builtins.isFunction v || (builtins.isAttrs v && v ? __functor)
    else
      builtins.isAttrs v;
  judge =
    kind: r:
    let
      t = builtins.tryEval (isKind kind r.value);
    in
    if !t.success then "THROWS" else if t.value then "OK" else "WRONG-KIND";
  status =
    e:
    let
      p = attrPath e.name;
      a = find plain p;
      b = find withAliases p;
      j = if a.found then judge e.kind a else if b.found then judge e.kind b else "MISSING";
    in
    if a.found || j != "OK" then j else "ALIAS";
  checked = map (e: "${status e} ${e.name}") list.names;
  removed = map (
    e: if status (e // { kind = "package"; }) == "OK" then "BACK ${e.name}" else "GONE ${e.name}"
  ) (list.removed or [ ]);
  lines = checked ++ removed;
  bad = builtins.filter (l: builtins.match "(OK|GONE) .*" l == null) lines;
  revision = flake.rev or flake.dirtyRev or "";
  version = plain.lib.version or "unknown";
in
builtins.concatStringsSep "\n" (
  lines
  ++ [
    "nixpkgs ${src}: revision ${if revision != "" then revision else "REVISION"}, version ${version}"
    (if bad == [ ] then "RESULT ok" else "RESULT ${toString (builtins.length bad)} problem(s)")
  ]
)
')
# A checkout has no flake revision: ask git.
if [ -d "$src" ]; then
	rev=unknown
	if [ "$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)" = "$src" ]; then
		rev=$(git -C "$src" rev-parse HEAD)
	fi
	out=$(printf '%s\n' "$out" | sed "s/: revision REVISION,/: revision $rev,/")
fi
printf '%s\n' "$out"
case $out in
	*"RESULT ok") exit 0 ;;
	*) exit 1 ;;
esac
