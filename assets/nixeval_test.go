package assets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// checkedNames is packages.json: the nixpkgs attributes the base layer and
// templates may name, and the ones they must not.
type checkedNames struct {
	About  []string `json:"about"`
	Checks []struct {
		Date     string   `json:"date"`
		Branches []string `json:"branches"`
		Method   string   `json:"method"`
		Limits   string   `json:"limits"`
	} `json:"checks"`
	Names []struct {
		Name   string `json:"name"`
		Kind   string `json:"kind"`
		Where  string `json:"where"`
		Commit string `json:"commit"`
		Note   string `json:"note"`
	} `json:"names"`
	Removed []struct {
		Name    string `json:"name"`
		Date    string `json:"date"`
		Where   string `json:"where"`
		Instead string `json:"instead"`
	} `json:"removed"`
}

func loadCheckedNames(t testing.TB) checkedNames {
	t.Helper()
	b, err := os.ReadFile("packages.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c checkedNames
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("packages.json: %v", err)
	}
	return c
}

// nixList spells names as a Nix list of { name; kind; } sets for the
// fixture in testdata/eval-module.nix. Removed names are included as
// packages, so a module that still uses one evaluates and the test can say
// which removed name it used instead of a bare "attribute missing".
func nixList(c checkedNames) string {
	var b strings.Builder
	b.WriteString("[")
	for _, n := range c.Names {
		fmt.Fprintf(&b, " { name = %s; kind = %s; }", nixString(n.Name), nixString(n.Kind))
	}
	for _, n := range c.Removed {
		fmt.Fprintf(&b, " { name = %s; kind = \"package\"; }", nixString(n.Name))
	}
	b.WriteString(" ]")
	return b.String()
}

// wslConfig is the config the fixture evaluates a module with: WSL, every
// homeBase flag on, so every helper is defined.
const wslConfig = `{
  nixboard.platform = "wsl";
  programs.man.package = null;
  homeBase = {
    username = "alice"; homeDirectory = "/home/alice"; stateVersion = "26.05";
    basePackages = [ ]; additionalPackages = [ ]; shellAliases = { }; environmentVariables = { };
    defaultEditor = "nvim";
    enableGit = true; enableTmux = true; enableNeovim = true; enableDevelopment = true;
    enableTerminal = true; enableSystem = true; enableShellUtils = true; enableEspIdf = true;
    enableOneDriveUtils = true; enableClaudeCode = true; enableContainerSupport = true;
    terminalVerification = { enable = true; verbose = true; warnOnMisconfiguration = true; };
  };
}`

// evaluation is what testdata/eval-module.nix returns for a module.
type evaluation struct {
	Used     []string        `json:"used"`
	Resolved json.RawMessage `json:"resolved"`
}

// evalModule evaluates module (a path) with real nix against the fixture's
// stand-in pkgs holding exactly the names in c. It returns nix's combined
// output as the error when evaluation fails, e.g. because the module names
// an attribute c does not list.
func evalModule(t testing.TB, c checkedNames, module string) (evaluation, error) {
	t.Helper()
	nixtest.Require(t)
	fixture, err := filepath.Abs(filepath.Join("testdata", "eval-module.nix"))
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(module)
	if err != nil {
		t.Fatal(err)
	}
	expr := fmt.Sprintf("import %s { module = %s; names = %s; config = %s; }",
		nixPath(fixture), nixPath(abs), nixList(c), wslConfig)
	cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
	cmd.Env = nixtest.Env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return evaluation{}, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	var ev evaluation
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	return ev, nil
}

// nixPath spells an absolute path as a Nix path expression.
func nixPath(p string) string {
	return "(/. + " + nixString(p) + ")"
}

// nixString spells s as a Nix string literal. (flakegen.NixString is the
// product's own; importing it here would be an import cycle.)
func nixString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
