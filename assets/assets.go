// Package assets embeds the files nixboard writes into a rendered
// configuration: the built-in base layer (a home-manager module), the
// answers module that feeds nixboard.json to it, and the templates of
// flake.nix, home.nix and .gitignore. flakegen decides what to do with them.
package assets

import "embed"

// Files holds base/*.nix and template/*.
//
//go:embed base/*.nix template/*
var Files embed.FS

// Read returns an embedded file, panicking if it is missing: the set of
// embedded files is fixed at build time, so a missing one is a bug that the
// tests catch.
func Read(name string) []byte {
	b, err := Files.ReadFile(name)
	if err != nil {
		panic("assets: " + err.Error())
	}
	return b
}
