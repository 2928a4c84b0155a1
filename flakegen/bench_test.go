package flakegen

import (
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// BenchmarkRender renders a full answer set: validation, every file, the
// marker hashes and the canonical nixboard.json.
func BenchmarkRender(b *testing.B) {
	a := sample()
	a.Platform = "wsl"
	a.HomeBase.EnableOneDriveUtils = true
	a.HomeBase.EnableEspIdf = true
	for i := 0; i < 20; i++ {
		k := string(rune('a'+i)) + "x"
		a.HomeBase.ShellAliases[k] = "echo " + k
		a.HomeBase.EnvironmentVariables["VAR_"+k] = "$HOME/" + k
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlan adds what NewPlan does on top of Render for a directory
// that is already up to date: reading and comparing every file, and asking
// git whether the directory is in a work tree.
func BenchmarkPlan(b *testing.B) {
	nixtest.RequireGit(b)
	dir := b.TempDir()
	a := sample()
	p, err := NewPlan(b.Context(), dir, a, testEnv())
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Apply(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewPlan(b.Context(), dir, a, testEnv()); err != nil {
			b.Fatal(err)
		}
	}
}
