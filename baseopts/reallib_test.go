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
// copied in) and whose packages are the FIXTURE's look-alikes, with the
// few files and attributes the real home-manager also reads
// (testdata/real-stack).
func realLibNixpkgs(t *testing.T, lib string) string {
	t.Helper()
	dir := t.TempDir()
	for _, cp := range [][]string{
		{"-r", lib, filepath.Join(dir, "lib")},
		{"-r", filepath.Join("testdata", "real-stack") + "/.", dir},
		{filepath.Join("testdata", "fixture-nixpkgs", "pkgs.nix"), dir},
	} {
		if out, err := exec.Command("cp", cp...).CombinedOutput(); err != nil {
			t.Fatalf("cp %v: %v %s", cp, err, out)
		}
	}
	flake := "# Test fixture: nixpkgs' real lib (./lib) with FIXTURE packages.\n" +
		"{ outputs = { self }: { lib = import ./lib; }; }\n"
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(flake), 0o644); err != nil {
		t.Fatal(err)
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

// The expression works with the REAL home-manager (a checkout named by
// NIXBOARD_HOME_MANAGER, release-26.05 or master) on nixpkgs' real lib
// (NIXBOARD_NIXPKGS_LIB) with FIXTURE packages: the team fixture gives the
// same declarations as with the FIXTURE home-manager, and nixboard's
// built-in layer exactly Builtin's, on every platform.
func TestExpressionWithTheRealHomeManager(t *testing.T) {
	lib, hm := os.Getenv("NIXBOARD_NIXPKGS_LIB"), os.Getenv("NIXBOARD_HOME_MANAGER")
	if lib == "" || hm == "" {
		t.Skip("NIXBOARD_NIXPKGS_LIB and NIXBOARD_HOME_MANAGER are not both set: no checkouts of nixpkgs' lib and home-manager")
	}
	nixtest.Require(t)
	real := realLibNixpkgs(t, lib)
	realArgs := []string{"--override-input", "nixpkgs", real, "--override-input", "home-manager", "path:" + hm,
		"--override-input", "home-manager/nixpkgs", real}
	machines := []struct{ platform, system string }{
		{"linux", "x86_64-linux"}, {"wsl", "x86_64-linux"}, {"nixos", "aarch64-linux"},
		{"nixos-wsl", "x86_64-linux"}, {"darwin", "aarch64-darwin"},
	}
	for _, m := range machines {
		t.Run(m.platform, func(t *testing.T) {
			r := request(t, nixtest.SingleUser, "team-full", m.platform, m.system)
			fixture, err := Evaluate(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			r.NixArgs = realArgs
			got, err := Evaluate(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			f, _ := json.MarshalIndent(fixture.Options, "", "  ")
			g, _ := json.MarshalIndent(got.Options, "", "  ")
			if string(f) != string(g) {
				t.Errorf("team-full with the real home-manager\n%s\nwith the fixture\n%s", g, f)
			}
			r.Base = builtinFlake(t)
			got, err = Evaluate(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.MarshalIndent(Builtin(m.platform, m.system).Options, "", "  ")
			g, _ = json.MarshalIndent(got.Options, "", "  ")
			if string(b) != string(g) {
				t.Errorf("base.nix with the real home-manager\n%s\nBuiltin\n%s", g, b)
			}
		})
	}
}
