#!/usr/bin/env bash
# Brings flake.nix's vendorHash up to date after a change of go.mod or
# go.sum, the way nixpkgs documents it: build the Go modules derivation
# with a hash that cannot match, and take the hash Nix reports on its
# "got:" line.
#
#   scripts/update-vendor-hash.sh                      # with nix build (authoritative)
#   scripts/update-vendor-hash.sh --from-go-mod-vendor # without building through Nix
#
# It needs the network (Nix downloads nixpkgs' Go and the modules), so CI,
# which has none, does not run it; internal/flaketest's
# TestVendorHashIsCurrent recomputes the hash offline from the module cache
# and fails when it is stale. --from-go-mod-vendor computes the same hash from
# `go mod vendor` (what buildGoModule's goModules derivation runs, then
# copies vendor/ to $out) with the Go on PATH and `nix hash path`; it agrees
# with the Nix build when that Go has the same minor version as the flake's,
# since modules.txt's format follows the Go version.
#
# flake.nix is changed only when a new hash was found; on any failure it is
# left as it was.
set -euo pipefail
cd "$(dirname "$0")/.."

flake=flake.nix
line='^( *vendorHash = ")(sha256-[A-Za-z0-9+/]{43}=)(";.*)$'
if [ "$(grep -cE "$line" "$flake")" != 1 ]; then
  echo "$0: $flake must hold exactly one line vendorHash = \"sha256-...\";" >&2
  exit 1
fi
old=$(sed -nE "s|$line|\\2|p" "$flake")
export NIX_CONFIG="${NIX_CONFIG:+$NIX_CONFIG
}extra-experimental-features = nix-command flakes"

case "${1:-}" in
--from-go-mod-vendor)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # The files git tracks, as they are in the work tree: the flake's source.
  git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work"
  (cd "$work" && GOTOOLCHAIN=local GOFLAGS= go mod vendor && mkdir -p vendor)
  new=$(nix hash path "$work/vendor")
  ;;
"")
  fake="sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
  backup=$(mktemp)
  cp "$flake" "$backup"
  log=$(mktemp)
  trap 'cp "$backup" "$flake"; rm -f "$backup" "$log"' EXIT
  sed -E -i "s|$line|\\1$fake\\3|" "$flake"
  system=$(nix eval --impure --raw --expr builtins.currentSystem)
  # Only the modules derivation: its fixed output hash is what fails.
  if nix build --no-link -L ".#packages.$system.default.goModules" 2>"$log"; then
    echo "$0: the build took the fake hash; is vendorHash used?" >&2
    exit 1
  fi
  new=$(sed -nE 's/^ *got: *(sha256-[A-Za-z0-9+/]{43}=).*/\1/p' "$log" | tail -1)
  if [ -z "$new" ]; then
    echo "$0: nix build failed without a hash mismatch:" >&2
    cat "$log" >&2
    exit 1
  fi
  cp "$backup" "$flake"
  trap 'rm -f "$backup" "$log"' EXIT
  ;;
*)
  echo "usage: $0 [--from-go-mod-vendor]" >&2
  exit 2
  ;;
esac

if [ "$new" = "$old" ]; then
  echo "vendorHash is current: $old"
  exit 0
fi
sed -E -i "s|$line|\\1$new\\3|" "$flake"
echo "vendorHash: $old -> $new"
