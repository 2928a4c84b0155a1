#!/bin/sh
# Records the module-system errors under nix-<version>/ with the real nixpkgs
# library (lib.evalModules), as home-manager's own evaluation reports them.
# The tests only replay these logs: CI has no nixpkgs. To record again, on a
# machine with the Nix to record and a checkout of
# https://github.com/nix-community/nixpkgs.lib (recorded with de42d442,
# 2026-06-14):
#
#   sh nixlog/testdata/logs/module-errors/record.sh /path/to/nixpkgs.lib
#
# The stand-in under source/ is ours: hm/ plays home-manager's entry point
# (modules/default.nix calling lib.evalModules), pkgs/top-level/aliases.nix
# plays nixpkgs' throwing alias for a removed package, and home.nix and
# nixboard/*.nix are a person's configuration.
set -eu
lib=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
version=$(nix --version | sed -n 's/.* \([0-9]*\.[0-9]*\).*/\1/p')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/source" "$work/home-manager"
sed -i "s|@NIXPKGS_LIB@|$lib|" "$work/home-manager/flake.nix"
(cd "$work/home-manager" && git init -q && git add -A)
mkdir -p "$here/nix-$version"
export NIX_CONFIG="extra-experimental-features = nix-command flakes"
for out in typeError:type-error noOption:no-option removed:removed-package; do
	attr=${out%%:*} name=${out#*:}
	log="$here/nix-$version/$name.log"
	if nix eval --log-format internal-json -v "$work/home-manager#$attr" >"$log" 2>&1; then
		echo "$attr evaluated; it should fail" >&2
		exit 1
	fi
	sed -i "s|$work/home-manager|/home/alice/.config/home-manager|g; s|$lib|/home/alice/src/nixpkgs.lib|g" "$log"
	printf '@nixboard {"action":"exit","status":1}\n' >>"$log"
done
