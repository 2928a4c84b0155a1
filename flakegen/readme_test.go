package flakegen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// TestREADMEAnswersExample keeps the answers file shown in the README, which
// people copy, a file nixboard accepts.
func TestREADMEAnswersExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "### The answers file")
	if !ok {
		t.Fatal("README.md has no section on the answers file")
	}
	_, rest, ok = strings.Cut(rest, "```json\n")
	example, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("the answers file section has no json example")
	}
	a, err := Parse([]byte(example))
	if err != nil {
		t.Fatalf("the README's example is refused: %v", err)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("the README's example does not validate: %v", err)
	}
	if a.Base != nil || a.HomeBase.ShellAliases["ll"] != "ls -l" {
		t.Errorf("the example lost keys on the way: %+v", a)
	}
}

// readmeBlock returns the fenced block of lang that follows heading in the
// README.
func readmeBlock(t *testing.T, heading, lang string) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), heading)
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	_, rest, ok = strings.Cut(rest, "```"+lang+"\n")
	block, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatalf("no %s block after %q", lang, heading)
	}
	return block
}

// The team answers file the README shows is accepted as it stands.
func TestREADMETeamAnswersExample(t *testing.T) {
	a, err := Parse([]byte(readmeBlock(t, "## A team's own base layer", "json")))
	if err != nil {
		t.Fatalf("the README's team example is refused: %v", err)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("the README's team example does not validate: %v", err)
	}
	if a.Base == nil || string(a.Base.Values["git.signingKey"]) != `"0A1F"` || !a.Base.IsPackageList("extraTools") {
		t.Errorf("the example lost values on the way: %+v", a.Base)
	}
}

// The team flake the README shows parses and evaluates offline, with
// nixboard's own flake as its input: an app nixboard on every system whose
// script runs nixboard's package with --base, and a nixboard output the
// wizard accepts.
func TestREADMETeamFlakeEvaluates(t *testing.T) {
	nixtest.Require(t)
	nixtest.RequireGit(t)
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "base.nix"), []byte("{ ... }: { }\n"), 0o644)
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(readmeBlock(t, "one-line start", "nix")), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"eval", "--json", "--no-write-lock-file", "path:" + dir + "#apps",
		"--apply", `apps: builtins.mapAttrs (s: a: { inherit (a.nixboard) type program; }) apps`,
		"--override-input", "nixpkgs", "path:" + fixture(t, "fixture-team-nixpkgs"),
		"--override-input", "nixboard", "git+file://" + repo,
		"--override-input", "nixboard/nixpkgs", "path:" + filepath.Join(repo, "internal", "flaketest", "testdata", "fixture-nixpkgs")}
	var apps map[string]struct{ Type, Program string }
	if err := json.Unmarshal(runNix(t, "nix", args...), &apps); err != nil {
		t.Fatal(err)
	}
	if len(apps) != 4 {
		t.Errorf("apps on %d systems, want 4: %v", len(apps), apps)
	}
	for system, app := range apps {
		if app.Type != "app" || !strings.HasPrefix(app.Program, "/nix/store/") || !strings.HasSuffix(app.Program, "-nixboard-team") {
			t.Errorf("%s: app %+v", system, app)
		}
	}
	// The script's derivation (the program's string context) runs
	// nixboard's package with --base.
	drvs := runNix(t, "nix", "eval", "--json", "--no-write-lock-file", "path:"+dir+"#apps.x86_64-linux.nixboard.program",
		"--apply", "p: builtins.attrNames (builtins.getContext p)",
		"--override-input", "nixpkgs", "path:"+fixture(t, "fixture-team-nixpkgs"),
		"--override-input", "nixboard", "git+file://"+repo,
		"--override-input", "nixboard/nixpkgs", "path:"+filepath.Join(repo, "internal", "flaketest", "testdata", "fixture-nixpkgs"))
	var paths []string
	if err := json.Unmarshal(drvs, &paths); err != nil || len(paths) != 1 {
		t.Fatalf("program's context %s: %v", drvs, err)
	}
	drv, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(drv), "/bin/nixboard --base github:team/nixcfg") || !strings.Contains(string(drv), "-nixboard-0-unstable-") {
		t.Errorf("the script does not run nixboard's package with --base:\n%s", drv)
	}
	hints := runNix(t, "nix", "eval", "--json", "--no-write-lock-file", "path:"+dir+"#nixboard",
		"--override-input", "nixpkgs", "path:"+fixture(t, "fixture-team-nixpkgs"),
		"--override-input", "nixboard", "git+file://"+repo,
		"--override-input", "nixboard/nixpkgs", "path:"+filepath.Join(repo, "internal", "flaketest", "testdata", "fixture-nixpkgs"))
	var h map[string]any
	if err := json.Unmarshal(hints, &h); err != nil || h["welcome"] != "Welcome to the platform team's setup." || h["release"] != "26.05" {
		t.Errorf("nixboard output %s: %v", hints, err)
	}
}
