package flakegen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// The answers module under nixpkgs' REAL module system (lib.evalModules of
// a nixpkgs lib checkout), with a team module that declares
// homeBase.username but not the other identity keys and sets home.username
// from it: the options argument tells the answers module what is
// declared, without infinite recursion; the team's values and the identity
// arrive; equal definitions of home.username merge. home-manager itself is
// not there: stand-in options take home, programs and targets (FIXTURE).
// It runs where NIXBOARD_NIXPKGS_LIB names a lib directory, e.g.
//
//	NIXBOARD_NIXPKGS_LIB=/src/nixpkgs.lib/lib go test -run RealLib ./flakegen
func TestAnswersModuleWithTheRealLib(t *testing.T) {
	lib := os.Getenv("NIXBOARD_NIXPKGS_LIB")
	if lib == "" {
		t.Skip("NIXBOARD_NIXPKGS_LIB is not set: no checkout of nixpkgs' lib")
	}
	nixtest.Require(t)
	a := teamSample()
	a.Base = valuedTeamBase()
	dir := t.TempDir()
	files, err := Render(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, f.Content, 0o644)
	}
	expr := `let
  lib = import ` + NixString(lib) + `;
  inherit (lib) mkOption types;
  pkgs = import ` + NixString(fixture(t, "fixture-nixpkgs")) + ` { system = "x86_64-linux"; };
  team = { config, ... }: {
    options.homeBase = {
      username = mkOption { type = types.str; };
      enableRust = mkOption { type = types.bool; default = false; };
      editor = mkOption { type = types.nullOr types.str; default = "vi"; };
      git.signingKey = mkOption { type = types.str; default = ""; };
      tools.extra = mkOption { type = types.listOf types.attrs; default = [ ]; };
    };
    config.home.username = config.homeBase.username;
  };
  # FIXTURE stand-ins for home-manager's options.
  standIns = {
    options.home = mkOption { type = types.attrsOf types.str; default = { }; };
    options.programs = mkOption { type = types.attrsOf types.anything; default = { }; };
    options.targets = mkOption { type = types.attrsOf types.anything; default = { }; };
  };
  r = lib.evalModules { modules = [ team (/. + ` + NixString(filepath.Join(dir, AnswersModuleFile)) + `) standIns ]; specialArgs = { inherit pkgs; }; };
in { inherit (r.config) homeBase home; }`
	out := runNix(t, "nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
	var got struct {
		HomeBase map[string]any `json:"homeBase"`
		Home     map[string]any `json:"home"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if want := teamHomeBase(a, "username"); !reflect.DeepEqual(got.HomeBase, want) {
		t.Errorf("homeBase = %v, want %v", got.HomeBase, want)
	}
	if want := map[string]any{"username": "alice", "homeDirectory": "/home/alice", "stateVersion": a.HomeBase.StateVersion}; !reflect.DeepEqual(got.Home, want) {
		t.Errorf("home = %v, want %v", got.Home, want)
	}
}
