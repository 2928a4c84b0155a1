package flaketest

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/assets"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// systems are the systems the flake must serve, in the order it lists them.
var systems = []string{"x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"}

// repoRoot is the checkout holding flake.nix, two levels above this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "flake.nix")); err != nil {
		t.Fatalf("no flake.nix at the repository root: %v", err)
	}
	return root
}

// evalFlake runs `nix eval` on the repository's flake output attr and
// returns stdout. apply, when not empty, is passed as --apply; raw selects
// --raw instead of --json.
func evalFlake(t testing.TB, attr, apply string, raw bool) []byte {
	t.Helper()
	args := []string{"eval"}
	if raw {
		args = append(args, "--raw")
	} else {
		args = append(args, "--json")
	}
	if apply != "" {
		args = append(args, "--apply", apply)
	}
	out, stderr, err := onFlake(t, args, "#"+attr)
	if err != nil {
		t.Fatalf("nix %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// onFlake runs nix with args, then the options that replace the flake's
// nixpkgs input with the fixture and never write a lock file, then the
// repository's flake followed by suffix (e.g. "#packages"). The flake is
// read through git, as `nix run` of a checkout does, so flake.nix must be
// tracked.
func onFlake(t testing.TB, args []string, suffix string) (stdout []byte, stderr string, err error) {
	t.Helper()
	nix := nixtest.Require(t)
	nixtest.RequireGit(t)
	fixture, err := filepath.Abs(filepath.Join("testdata", "fixture-nixpkgs"))
	if err != nil {
		t.Fatal(err)
	}
	args = append(slices.Clone(args), "--no-write-lock-file", "--override-input", "nixpkgs", "path:"+fixture, repoRoot(t)+suffix)
	cmd := exec.Command(nix, args...)
	cmd.Env = nixtest.Env()
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	out, err := cmd.Output()
	return out, errBuf.String(), err
}

// TestFlakeCheckAcceptsTheOutputs runs `nix flake check --no-build`, which
// evaluates every output on every system and checks its kind: packages and
// devShells are derivations, apps are apps, the overlay is a function of
// final and prev. Nix 2.14 and later check only the current system unless
// given --all-systems, which older Nix does not know.
func TestFlakeCheckAcceptsTheOutputs(t *testing.T) {
	_, stderr, err := onFlake(t, []string{"flake", "check", "--no-build", "--all-systems"}, "")
	if err != nil && strings.Contains(stderr, "unrecognised flag '--all-systems'") {
		_, stderr, err = onFlake(t, []string{"flake", "check", "--no-build"}, "")
	}
	if err != nil {
		t.Fatalf("nix flake check: %v\n%s", err, stderr)
	}
}

func decode(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// pkgArgs is what the fixture's buildGoModule records of its arguments.
type pkgArgs struct {
	Name    string `json:"name"`
	DrvPath string `json:"drvPath"`
	OutPath string `json:"outPath"`
	Fixture struct {
		Pname       string   `json:"pname"`
		Version     string   `json:"version"`
		Src         string   `json:"src"`
		SubPackages []string `json:"subPackages"`
		VendorHash  string   `json:"vendorHash"`
		Ldflags     []string `json:"ldflags"`
		DoCheck     bool     `json:"doCheck"`
		Go          string   `json:"go"`
		Meta        struct {
			MainProgram string `json:"mainProgram"`
		} `json:"meta"`
	} `json:"fixtureArgs"`
}

// summarizePackages keeps what the tests check of each package, leaving out
// outPath: nix prints a set holding outPath as that path alone.
const summarizePackages = `ps: builtins.mapAttrs (system: set: builtins.mapAttrs (name: p: {
  inherit (p) name drvPath fixtureArgs; }) set) ps`

var (
	sriSHA256 = regexp.MustCompile(`^sha256-[A-Za-z0-9+/]{43}=$`)
	drvPath   = regexp.MustCompile(`^/nix/store/[0-9a-z]{32}-nixboard-.+\.drv$`)
	xFlag     = regexp.MustCompile(`-X ?(main\.[A-Za-z_]+)=`)
)

// TestPackagesBuildNixboardOnEverySystem checks packages.<system>.default
// and .nixboard on the four systems: a derivation of cmd/nixboard from the
// flake's own source, a vendor hash in SRI form, the Go go.mod asks for
// (the fixture's default Go is older), and the version stamps of the
// release build.
func TestPackagesBuildNixboardOnEverySystem(t *testing.T) {
	var got map[string]map[string]pkgArgs
	decode(t, evalFlake(t, "packages", summarizePackages, false), &got)

	if names := sortedKeys(got); !slices.Equal(names, sorted(systems)) {
		t.Fatalf("packages has systems %v, want %v", names, sorted(systems))
	}
	releaseNames := releaseStamps(t)
	for _, system := range systems {
		set := got[system]
		if names := sortedKeys(set); !slices.Equal(names, []string{"default", "nixboard"}) {
			t.Errorf("packages.%s has %v, want [default nixboard]", system, names)
		}
		p := set["default"]
		if p.DrvPath != set["nixboard"].DrvPath {
			t.Errorf("packages.%s: default (%s) and nixboard (%s) differ", system, p.DrvPath, set["nixboard"].DrvPath)
		}
		if !drvPath.MatchString(p.DrvPath) {
			t.Errorf("packages.%s.default.drvPath = %q, want a nixboard .drv in the store", system, p.DrvPath)
		}
		f := p.Fixture
		if f.Pname != "nixboard" || p.Name != "nixboard-"+f.Version {
			t.Errorf("packages.%s.default: pname %q, name %q, version %q", system, f.Pname, p.Name, f.Version)
		}
		if !slices.Equal(f.SubPackages, []string{"cmd/nixboard"}) {
			t.Errorf("packages.%s.default.subPackages = %v, want [cmd/nixboard]", system, f.SubPackages)
		}
		if !sriSHA256.MatchString(f.VendorHash) {
			t.Errorf("packages.%s.default.vendorHash = %q, want sha256-<base64> (scripts/update-vendor-hash.sh)", system, f.VendorHash)
		}
		if f.Go != "1.26.8" {
			t.Errorf("packages.%s.default built with the fixture's Go %q, want go_1_26 (1.26.8): the default Go is older than go.mod's", system, f.Go)
		}
		if f.DoCheck {
			t.Errorf("packages.%s.default runs the tests in the build sandbox, where they cannot work", system)
		}
		if f.Meta.MainProgram != "nixboard" {
			t.Errorf("packages.%s.default.meta.mainProgram = %q", system, f.Meta.MainProgram)
		}
		// The source is the flake itself: the checkout's tracked files.
		if b, err := os.ReadFile(filepath.Join(f.Src, "cmd", "nixboard", "cli.go")); err != nil || len(b) == 0 {
			t.Errorf("packages.%s.default.src %q has no cmd/nixboard/cli.go: %v", system, f.Src, err)
		}
		checkStamps(t, system, f.Version, f.Ldflags, releaseNames)
	}
}

// checkStamps checks the -X flags: main.version is the package version,
// main.date a time, main.commit set, and every variable the release build
// stamps is stamped here too.
func checkStamps(t *testing.T, system, version string, ldflags []string, releaseNames []string) {
	t.Helper()
	stamps := map[string]string{}
	for _, f := range ldflags {
		if name, value, ok := strings.Cut(strings.TrimPrefix(f, "-X "), "="); ok && strings.HasPrefix(f, "-X ") {
			stamps[name] = value
		}
	}
	if stamps["main.version"] != version {
		t.Errorf("packages.%s.default stamps main.version=%q, want the package version %q (ldflags %q)", system, stamps["main.version"], version, ldflags)
	}
	if stamps["main.commit"] == "" {
		t.Errorf("packages.%s.default stamps no main.commit (ldflags %q)", system, ldflags)
	}
	if _, err := time.Parse(time.RFC3339, stamps["main.date"]); err != nil {
		t.Errorf("packages.%s.default stamps main.date=%q, not RFC 3339: %v", system, stamps["main.date"], err)
	}
	for _, name := range releaseNames {
		if _, ok := stamps[name]; !ok {
			t.Errorf("the release build (.goreleaser.yaml) stamps %s, packages.%s.default does not (ldflags %q)", name, system, ldflags)
		}
	}
}

// releaseStamps returns the variables .goreleaser.yaml stamps with -X, and
// checks that main.version, which the CLI prints, is declared in
// cmd/nixboard: the linker ignores -X of a name that does not exist, so a
// rename would otherwise go unnoticed.
func releaseStamps(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	var names []string
	if b, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml")); err == nil {
		for _, m := range xFlag.FindAllStringSubmatch(string(b), -1) {
			names = append(names, m[1])
		}
	}
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, filepath.Join(root, "cmd", "nixboard"), func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !declaresVar(pkgs["main"], "version") {
		t.Error("cmd/nixboard declares no package-level var version for -X main.version")
	}
	return names
}

func declaresVar(pkg *ast.Package, name string) bool {
	if pkg == nil {
		return false
	}
	for _, f := range pkg.Files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				for _, n := range s.(*ast.ValueSpec).Names {
					if n.Name == name {
						return true
					}
				}
			}
		}
	}
	return false
}

// TestAppsRunTheBuiltPackage checks apps.<system>.default: an app whose
// program is bin/nixboard of that system's package.
func TestAppsRunTheBuiltPackage(t *testing.T) {
	var apps map[string]map[string]struct {
		Type    string `json:"type"`
		Program string `json:"program"`
	}
	decode(t, evalFlake(t, "apps", `as: builtins.mapAttrs (s: set: builtins.mapAttrs (n: a: { inherit (a) type program; }) set) as`, false), &apps)
	var outs map[string]string
	decode(t, evalFlake(t, "packages", `ps: builtins.mapAttrs (s: set: set.default.outPath) ps`, false), &outs)
	if names := sortedKeys(apps); !slices.Equal(names, sorted(systems)) {
		t.Fatalf("apps has systems %v, want %v", names, sorted(systems))
	}
	for _, system := range systems {
		if names := sortedKeys(apps[system]); !slices.Equal(names, []string{"default"}) {
			t.Errorf("apps.%s has %v, want [default]", system, names)
		}
		a := apps[system]["default"]
		if a.Type != "app" || a.Program != outs[system]+"/bin/nixboard" {
			t.Errorf("apps.%s.default = %+v, want an app running %s/bin/nixboard", system, a, outs[system])
		}
	}
}

// TestDevShellHasTheTestTools checks devShells.<system>.default: a shell
// with the Go go.mod asks for and the tools the tests need.
func TestDevShellHasTheTestTools(t *testing.T) {
	var shells map[string]map[string]struct {
		DrvPath string `json:"drvPath"`
		Fixture struct {
			Packages []string `json:"packages"`
		} `json:"fixtureArgs"`
	}
	decode(t, evalFlake(t, "devShells", `ds: builtins.mapAttrs (s: set: builtins.mapAttrs (n: d: { inherit (d) drvPath fixtureArgs; }) set) ds`, false), &shells)
	if names := sortedKeys(shells); !slices.Equal(names, sorted(systems)) {
		t.Fatalf("devShells has systems %v, want %v", names, sorted(systems))
	}
	want := []string{"go-1.26.8", "git-fixture", "tmux-fixture", "zsh-fixture", "fish-fixture"}
	for _, system := range systems {
		d, ok := shells[system]["default"]
		if !ok || !strings.HasSuffix(d.DrvPath, ".drv") {
			t.Errorf("devShells.%s.default missing or not a derivation: %+v", system, shells[system])
			continue
		}
		for _, p := range want {
			if !slices.Contains(d.Fixture.Packages, p) {
				t.Errorf("devShells.%s.default has %v, missing %s", system, d.Fixture.Packages, p)
			}
		}
	}
}

// TestOverlayAddsNixboard applies overlays.default to a package set made
// in the expression (final = prev, with a Go new enough and a
// buildGoModule that returns its arguments): the overlay must add exactly
// nixboard, built from final with buildGoModule.
func TestOverlayAddsNixboard(t *testing.T) {
	const apply = `o: let
  pkgs = { go.version = "99.0"; buildGoModule = args: args; };
  added = o pkgs pkgs;
in { names = builtins.attrNames added; inherit (added.nixboard) pname subPackages; }`
	var got struct {
		Names       []string `json:"names"`
		Pname       string   `json:"pname"`
		SubPackages []string `json:"subPackages"`
	}
	decode(t, evalFlake(t, "overlays.default", apply, false), &got)
	if !slices.Equal(got.Names, []string{"nixboard"}) || got.Pname != "nixboard" ||
		!slices.Equal(got.SubPackages, []string{"cmd/nixboard"}) {
		t.Errorf("overlays.default adds %+v, want nixboard built from cmd/nixboard", got)
	}
}

// TestHomeManagerModulesAreTheEmbeddedBaseLayer checks that
// homeManagerModules.base, and .default with it, is byte for byte the base
// layer the binary embeds (assets/base/base.nix through package assets).
func TestHomeManagerModulesAreTheEmbeddedBaseLayer(t *testing.T) {
	var names []string
	decode(t, evalFlake(t, "homeManagerModules", "builtins.attrNames", false), &names)
	if !slices.Equal(names, []string{"base", "default"}) {
		t.Errorf("homeManagerModules has %v, want [base default]", names)
	}
	embedded := assets.Read("base/base.nix")
	for _, name := range []string{"base", "default"} {
		path := string(evalFlake(t, "homeManagerModules."+name, "", true))
		if !strings.HasPrefix(path, "/nix/store/") {
			t.Errorf("homeManagerModules.%s resolves to %q, want a file in the store", name, path)
			continue
		}
		exported, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(exported, embedded) {
			t.Errorf("homeManagerModules.%s (%s, %d bytes) differs from the embedded base/base.nix (%d bytes)", name, path, len(exported), len(embedded))
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sorted(s []string) []string {
	return slices.Sorted(slices.Values(s))
}
