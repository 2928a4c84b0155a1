package assets

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// runCheckPackages runs check-packages.sh with real nix against the fixture
// standing in for nixpkgs (there is no nixpkgs here) and the given list.
func runCheckPackages(t *testing.T, list string) (string, int) {
	t.Helper()
	nixtest.Require(t)
	p := filepath.Join(t.TempDir(), "list.json")
	if err := os.WriteFile(p, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("./check-packages.sh", filepath.Join("testdata", "fake-nixpkgs"), p)
	cmd.Env = nixtest.Env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// The re-check script tells a real attribute from a renamed alias, a
// throwing alias, a missing name and one of the wrong kind, and knows a
// removed name that came back.
func TestCheckPackagesScript(t *testing.T) {
	out, code := runCheckPackages(t, `{
  "names": [
    {"name": "present", "kind": "package"}, {"name": "nested.inner", "kind": "package"},
    {"name": "aFunction", "kind": "function"}, {"name": "aSet", "kind": "set"},
    {"name": "renamedOld", "kind": "package"}, {"name": "removedThing", "kind": "package"},
    {"name": "absent", "kind": "package"}, {"name": "aFunction", "kind": "package"}
  ],
  "removed": [{"name": "removedThing"}, {"name": "present"}]
}`)
	fixture, _ := filepath.Abs(filepath.Join("testdata", "fake-nixpkgs"))
	want := `OK present
OK nested.inner
OK aFunction
OK aSet
ALIAS renamedOld
THROWS removedThing
MISSING absent
WRONG-KIND aFunction
GONE removedThing
BACK present
nixpkgs ` + fixture + `: revision unknown, version fixture
RESULT 5 problem(s)
`
	if code != 1 || out != want {
		t.Errorf("exit %d, output:\n%s\nwant exit 1 and:\n%s", code, out, want)
	}

	out, code = runCheckPackages(t, `{"names": [{"name": "present", "kind": "package"}], "removed": [{"name": "removedThing"}]}`)
	if code != 0 || !strings.HasSuffix(out, "\nRESULT ok\n") {
		t.Errorf("exit %d, output:\n%s\nwant exit 0 and RESULT ok", code, out)
	}
}
