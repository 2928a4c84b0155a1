#!/bin/sh
# Writes the shell completions and the man page a release ships, from the
# same command definitions as the help (GoReleaser's before hook runs it
# from the repository root): completions/nixboard.{bash,zsh,fish,ps1} and
# manpages/nixboard.1.gz. Both directories are made anew and not tracked.
set -eu
rm -rf completions manpages
mkdir -p completions manpages
go build -o completions/.nixboard ./cmd/nixboard
for sh in bash zsh fish powershell; do
  ext=$sh
  [ "$sh" = powershell ] && ext=ps1
  completions/.nixboard completion "$sh" > "completions/nixboard.$ext"
done
completions/.nixboard man | gzip -9n > manpages/nixboard.1.gz
rm completions/.nixboard
