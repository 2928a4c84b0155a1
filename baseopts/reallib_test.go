package baseopts

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// realLibNixpkgs makes a nixpkgs stand-in whose lib is nixpkgs' REAL lib
// (the lib directory of a nixpkgs or nix-community/nixpkgs.lib checkout,
// copied in) and whose packages are the FIXTURE's look-alikes.
func realLibNixpkgs(t *testing.T, lib string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", lib, filepath.Join(dir, "lib")).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v %s", lib, err, out)
	}
	pkgs, err := os.ReadFile(filepath.Join("testdata", "fixture-nixpkgs", "pkgs.nix"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"flake.nix": "# Test fixture: nixpkgs' real lib (./lib) with FIXTURE packages.\n" +
			"{ outputs = { self }: { lib = import ./lib; }; }\n",
		"default.nix": "# Test fixture: nixpkgs' real lib with FIXTURE packages (pkgs.nix).\n" +
			"{ system ? \"x86_64-linux\", ... }: import ./pkgs.nix { inherit system; lib = import ./lib; }\n",
		"pkgs.nix": string(pkgs),
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return "path:" + dir
}

// The expression reads nixpkgs' real lib as it reads the FIXTURE lib: the
// team fixtures and the built-in layer give the same declarations with
// both. It needs a checkout of nixpkgs' lib, so it runs only when
// NIXBOARD_NIXPKGS_LIB names its lib directory, e.g.
//
//	NIXBOARD_NIXPKGS_LIB=/src/nixpkgs.lib/lib go test -run RealLib ./baseopts
func TestExpressionReadsTheRealLibLikeTheFixture(t *testing.T) {
	lib := os.Getenv("NIXBOARD_NIXPKGS_LIB")
	if lib == "" {
		t.Skip("NIXBOARD_NIXPKGS_LIB is not set: no checkout of nixpkgs' lib to compare with")
	}
	nixtest.Require(t)
	real := realLibNixpkgs(t, lib)
	cases := []struct{ name, team, platform, system string }{
		{"team-full linux", "team-full", "linux", "x86_64-linux"},
		{"team-full darwin", "team-full", "darwin", "aarch64-darwin"},
		{"team-platform wsl", "team-platform", "wsl", "x86_64-linux"},
		{"built-in wsl", "", "wsl", "x86_64-linux"},
		{"built-in darwin", "", "darwin", "aarch64-darwin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := request(t, nixtest.SingleUser, c.team, c.platform, c.system)
			if c.team == "" {
				r = request(t, nixtest.SingleUser, "team-full", c.platform, c.system)
				r.Base = builtinFlake(t)
			}
			fixture, err := Evaluate(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			r.NixArgs[1+1] = real // --override-input nixpkgs REAL
			r.Env = append(r.Env, "XDG_CACHE_HOME="+t.TempDir())
			got, err := Evaluate(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			f, _ := json.MarshalIndent(fixture.Options, "", "  ")
			g, _ := json.MarshalIndent(got.Options, "", "  ")
			if string(f) != string(g) {
				t.Errorf("with the real lib\n%s\nwith the fixture lib\n%s", g, f)
			}
		})
	}
}
