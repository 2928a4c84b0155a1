#!/bin/sh
# FIXTURE activation script of nixboard's fixture home-manager (not
# home-manager's). It prints what home-manager's activation prints and
# writes only under $HOME, with home-manager's real clobber messages.
set -eu
# DRY_RUN (set by the caller, as home-manager's `home-manager -n` and its
# activation-init.sh do): every step still runs its checks, and `run` prints
# each command that would change something instead of running it.
run() { if [ -n "${DRY_RUN:-}" ]; then echo "$*"; else "$@"; fi; }
# Like home-manager's activate: a driver of version 1 or later (the
# home-manager command, nixboard's undo) has set the profile itself; run
# without one (version 0), the script sets it.
driverVersion=0
if [ "${1:-}" = --driver-version ]; then driverVersion=$2; fi
pace() { if [ -n "@pace@" ]; then sleep "@pace@"; fi; }
stateHome=${XDG_STATE_HOME:-$HOME/.local/state}
profileDir=$stateHome/nix/profiles
if [ ! -d "$profileDir" ]; then
  echo "Could not find suitable profile directory, tried $profileDir and /nix/var/nix/profiles/per-user/${USER:-}" >&2
  exit 1
fi
echo "Starting Home Manager activation"
if [ -n "${DRY_RUN:-}" ]; then echo "This is a dry run"; fi
echo "Activating checkFilesChanged"
pace
echo "Activating checkLinkTargets"
pace
collision=
for f in .bashrc .profile; do
  target=$HOME/$f
  source=@homeFiles@/$f
  if [ -e "$target" ] && [ ! -L "$target" ]; then
    if [ -n "${HOME_MANAGER_BACKUP_EXT:-}" ]; then
      backup=$target.$HOME_MANAGER_BACKUP_EXT
      if [ -e "$backup" ]; then
        collision=1
        echo "Existing file '$backup' would be clobbered by backing up '$target'" >&2
      else
        echo "Existing file '$target' is in the way of '$source', will be moved to '$backup'"
      fi
    else
      collision=1
      echo "Existing file '$target' would be clobbered" >&2
    fi
  fi
done
if [ -n "$collision" ]; then
  cat >&2 <<'MSG'
Please do one of the following:
- Move or remove the above files and try again.
- In standalone mode, use 'home-manager switch -b backup' to back up
  files automatically.
- When used as a NixOS or nix-darwin module, set
    'home-manager.backupFileExtension'
  to, for example, 'backup' and rerun.
MSG
  exit 1
fi
echo "Activating writeBoundary"
pace
echo "Activating linkGeneration"
pace
if [ "$driverVersion" -lt 1 ]; then
  echo "Creating new profile generation"
  run nix-env --profile "$profileDir/home-manager" --set @out@ >/dev/null
fi
pace
echo "Creating home file links in $HOME"
pace
for f in .bashrc .profile; do
  target=$HOME/$f
  if [ -e "$target" ] && [ ! -L "$target" ] && [ -n "${HOME_MANAGER_BACKUP_EXT:-}" ]; then
    run mv "$target" "$target.$HOME_MANAGER_BACKUP_EXT"
  fi
  run ln -sfn "@homeFiles@/$f" "$target"
done
echo "Activating onFilesChange"
pace
echo "Activating installPackages"
pace
run mkdir -p "$HOME/.nix-profile"
run ln -sfn @out@/home-path/bin "$HOME/.nix-profile/bin"
echo "Activating reloadSystemd"
pace
echo "Activation finished (nixboard fixture)"
