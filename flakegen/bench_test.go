package flakegen

import (
	"os"
	"path/filepath"
	"strings"
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

// BenchmarkPlanMerge is BenchmarkPlan for a re-run that merges: flake.nix
// carries the person's own input and the release changes, so NewPlan runs
// git merge-file once for it.
func BenchmarkPlanMerge(b *testing.B) {
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
	flake := filepath.Join(dir, FlakeFile)
	old, err := os.ReadFile(flake)
	if err != nil {
		b.Fatal(err)
	}
	edited := strings.Replace(string(old), "    };\n  };\n", "    };\n"+ownInput+"  };\n", 1)
	if err := os.WriteFile(flake, []byte(edited), 0o644); err != nil {
		b.Fatal(err)
	}
	a.Release = "unstable"
	b.ReportAllocs()
	for b.Loop() {
		p, err := NewPlan(b.Context(), dir, a, testEnv())
		if err != nil {
			b.Fatal(err)
		}
		if c := p.Files[0]; c.Path != FlakeFile || c.Action != ActionMerge {
			b.Fatalf("flake.nix: %s (%s)", c.Action, c.Reason)
		}
	}
}
