# FIXTURE: stands in for nixpkgs' maintainers/maintainer-list.nix, which the
# real lib's lib.maintainers imports; nothing here reads a maintainer.
{ }
