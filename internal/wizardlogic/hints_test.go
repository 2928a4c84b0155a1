package wizardlogic

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

func TestParseHintsIsStrict(t *testing.T) {
	h, err := ParseHints([]byte(`{"order": ["git"], "hide": ["hook"], "welcome": "Hi.", "release": "26.05"}`))
	if err != nil || !reflect.DeepEqual(h, Hints{Order: []string{"git"}, Hide: []string{"hook"}, Welcome: "Hi.", Release: "26.05"}) {
		t.Errorf("%+v, %v", h, err)
	}
	if h, err := ParseHints([]byte("null\n")); err != nil || !reflect.DeepEqual(h, Hints{}) {
		t.Errorf("null: %+v, %v", h, err)
	}
	for in, want := range map[string]string{
		`{"ordre": []}`:               `unknown field "ordre"`,
		`{"hide": "hook"}`:            "cannot unmarshal",
		`{"release": "24.05"}`:        `nixboard.release "24.05" is not a release nixboard knows`,
		`{"order": ["homeBase.git"]}`: `write "git", not "homeBase.git"`,
	} {
		if _, err := ParseHints([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}

// ReadHints reads the output with real nix, and a flake without it has
// none; an --override-input reaches the team flake's own input.
func TestReadHintsWithNix(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(p, 0o755)
		if err := os.WriteFile(filepath.Join(p, "flake.nix"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dep := write("dep", `{ outputs = _: { welcome = "from the overridden input"; }; }`)
	team := write("team", `{
  # FIXTURE team flake: its input points nowhere until overridden.
  inputs.dep.url = "path:/nonexistent-nixboard-fixture";
  outputs = { dep, ... }: { nixboard = { order = [ "git" ]; welcome = dep.welcome; }; };
}`)
	plain := write("plain", `{ outputs = _: { }; }`)
	env := nixtest.Env()
	h, err := ReadHints(t.Context(), "path:"+team, []string{"--override-input", "dep", "path:" + dep}, env)
	if err != nil || !reflect.DeepEqual(h, Hints{Order: []string{"git"}, Welcome: "from the overridden input"}) {
		t.Errorf("team: %+v, %v", h, err)
	}
	if h, err := ReadHints(t.Context(), "path:"+plain, nil, env); err != nil || !reflect.DeepEqual(h, Hints{}) {
		t.Errorf("no output: %+v, %v", h, err)
	}
	if _, err := ReadHints(t.Context(), "path:"+filepath.Join(dir, "missing"), nil, env); err == nil || !strings.Contains(err.Error(), "read the nixboard output of path:") {
		t.Errorf("a missing flake: %v", err)
	}
}
