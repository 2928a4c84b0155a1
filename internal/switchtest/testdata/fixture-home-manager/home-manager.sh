#!/bin/sh
# FIXTURE standing in for the home-manager command in nixboard's tests: NOT
# home-manager. `home-manager switch --flake DIR#NAME [-b EXT] [nix flags]`
# runs the real `nix build` of DIR#homeConfigurations."NAME".activationPackage
# with the nix flags it was given, then the generation's activate.
set -eu
flake=
backup=${HOME_MANAGER_BACKUP_EXT:-}
verbose=
cmd=
# Rotate through the arguments, keeping only those meant for nix in "$@".
n=$#
while [ "$n" -gt 0 ]; do
  a=$1; shift; n=$((n-1))
  case $a in
    switch|build) cmd=$a ;;
    --flake) flake=$1; shift; n=$((n-1)) ;;
    -b) backup=$1; shift; n=$((n-1)) ;;
    -v|--verbose) verbose=1; set -- "$@" --verbose ;;
    --log-format|-j|--max-jobs|--cores|--extra-experimental-features|--experimental-features)
      set -- "$@" "$a" "$1"; shift; n=$((n-1)) ;;
    --override-input|--option)
      set -- "$@" "$a" "$1" "$2"; shift 2; n=$((n-2)) ;;
    --show-trace|-L|--print-build-logs|--impure|--keep-going)
      set -- "$@" "$a" ;;
    *) echo "home-manager (fixture): unknown argument $a" >&2; exit 1 ;;
  esac
done
if [ "$cmd" = "" ] || [ "$flake" = "" ]; then
  echo "usage: home-manager (fixture) switch --flake DIR#NAME [-b EXT] [nix flags]" >&2
  exit 1
fi
dir=${flake%%#*}
name=${flake#*#}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nix build "$@" --out-link "$tmp/result" "$dir#homeConfigurations.\"$name\".activationPackage"
gen=$(readlink "$tmp/result")
if [ "$cmd" = build ]; then
  echo "$gen"
  exit 0
fi
# As home-manager does since its activation driver version 1: the command
# sets the profile, then runs the activate script.
profileDir=${XDG_STATE_HOME:-$HOME/.local/state}/nix/profiles
if [ -d "$profileDir" ]; then
  nix-env --profile "$profileDir/home-manager" --set "$gen" >/dev/null
fi
HOME_MANAGER_BACKUP_EXT=$backup VERBOSE=$verbose "$gen/activate" --driver-version 1
