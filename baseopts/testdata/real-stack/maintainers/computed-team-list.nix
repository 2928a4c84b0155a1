# FIXTURE: stands in for nixpkgs' maintainers/computed-team-list.nix (lib.teams).
{ lib, ... }:
{ }
