package baseopts

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/assets"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// builtinFlake writes a flake whose homeManagerModules.base is nixboard's
// built-in layer, assets/base/base.nix, with inputs the tests override.
func builtinFlake(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	flake := `# Test fixture: nixboard's built-in base layer as a base flake.
{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";
  inputs.home-manager.url = "github:nix-community/home-manager/release-26.05";
  outputs = { self, nixpkgs, home-manager }: { homeManagerModules.base = ./base.nix; };
}
`
	for name, b := range map[string][]byte{"flake.nix": []byte(flake), "base.nix": assets.Read("base/base.nix")} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return "path:" + dir
}

// The built-in layer's questions (Builtin, from flakegen.Flags and the
// HomeBase fields) are exactly what assets/base/base.nix declares, with the
// same kinds, types, descriptions and defaults, on every platform; and the
// wizard's defaults (flakegen.DefaultFor) are the module's wherever a flag
// applies, off where it does not.
func TestBuiltinAgreesWithBaseNix(t *testing.T) {
	nixtest.Require(t)
	ref := builtinFlake(t)
	machines := []struct{ platform, system string }{
		{"linux", "x86_64-linux"}, {"wsl", "x86_64-linux"}, {"nixos", "aarch64-linux"},
		{"nixos-wsl", "x86_64-linux"}, {"darwin", "aarch64-darwin"},
	}
	for _, m := range machines {
		t.Run(m.platform, func(t *testing.T) {
			t.Parallel()
			r := request(t, nixtest.SingleUser, "team-full", m.platform, m.system)
			r.Base = ref
			got, err := Evaluate(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			want := Builtin(m.platform, m.system)
			g, _ := json.MarshalIndent(got.Options, "", "  ")
			w, _ := json.MarshalIndent(want.Options, "", "  ")
			if string(g) != string(w) {
				t.Errorf("base.nix declares\n%s\nBuiltin says\n%s", g, w)
			}
			wizard := flakegen.DefaultFor(m.platform, m.system).HomeBase
			for _, f := range flakegen.Flags() {
				o, ok := got.Lookup(f.Key)
				if !ok {
					t.Errorf("base.nix has no homeBase.%s", f.Key)
					continue
				}
				var declared bool
				if err := json.Unmarshal(o.Default, &declared); err != nil {
					t.Errorf("homeBase.%s: default %s: %v", f.Key, o.Default, err)
				}
				applies, _ := f.Applies(m.platform, m.system)
				if want := declared && applies; f.Get(wizard) != want {
					t.Errorf("homeBase.%s on %s: the wizard's default is %v, base.nix's %v (applies: %v)", f.Key, m.platform, f.Get(wizard), declared, applies)
				}
			}
			// The other fields the wizard fills in start at base.nix's defaults.
			var fields map[string]json.RawMessage
			b, _ := json.Marshal(wizard)
			if err := json.Unmarshal(b, &fields); err != nil {
				t.Fatal(err)
			}
			for _, f := range builtinFields {
				o, _ := got.Lookup(f.name)
				if v, ok := fields[f.name]; ok && o.Default != nil && !jsonEqual(v, o.Default) {
					t.Errorf("homeBase.%s: the wizard's default is %s, base.nix's %s", f.name, v, o.Default)
				}
			}
			if strings.Join(got.Options[0].Path, ".") != "homeBase.username" {
				t.Errorf("first option %s", got.Options[0].Name())
			}
		})
	}
}
