// Package flaketest checks the repository's own flake.nix offline: that it
// parses, that its outputs have the expected structure on every system, and
// that the base layer it exports is the one the binary embeds. The tests
// evaluate the flake with real nix and replace its nixpkgs input with a
// fixture flake (testdata/fixture-nixpkgs), so nothing is fetched.
package flaketest
