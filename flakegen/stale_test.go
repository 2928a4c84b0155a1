package flakegen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

func teamBase(a Answers) Answers {
	a.Base = &BaseFlake{Flake: "github:timblaktu/nixcfg", Module: "homeManagerModules.base"}
	return a
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// Switching from the built-in base layer to a team base flake deletes
// nixboard's own, unedited nixboard/base.nix and untracks it; switching back
// creates it again.
func TestSwitchToTeamBaseRemovesBuiltinBase(t *testing.T) {
	dir := appliedSample(t)
	before, _ := os.ReadFile(filepath.Join(dir, BaseModuleFile))

	p := mustPlan(t, dir, teamBase(sample()))
	c := change(t, p, BaseModuleFile)
	if c.Action != ActionRemove || !c.Stale || !c.Changes() || !p.Changed() {
		t.Fatalf("base.nix: %+v", c)
	}
	if !strings.Contains(c.Reason, `team base flake (base.flake "github:timblaktu/nixcfg")`) || !strings.Contains(c.Reason, "nobody edited it") {
		t.Errorf("reason = %q", c.Reason)
	}
	if !strings.HasPrefix(c.Diff, "--- a/nixboard/base.nix\n+++ /dev/null\n@@ -1,") || !strings.Contains(c.Diff, "\n-# nixboard's built-in base layer") {
		t.Errorf("diff:\n%.300s", c.Diff)
	}
	if n := len(p.Files); p.Files[n-2].Path != BaseModuleFile || p.Files[n-1].Path != RecordPath(BaseModuleFile) {
		t.Errorf("stale file and its record not listed last: %v", actions(p))
	}
	if c := change(t, p, RecordPath(BaseModuleFile)); c.Action != ActionRemove || !c.Stale {
		t.Errorf("record of base.nix: %+v", c)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(dir, BaseModuleFile)) {
		t.Error("nixboard/base.nix still there")
	}
	if slices.Contains(gitTracked(t, dir), BaseModuleFile) {
		t.Errorf("nixboard/base.nix still tracked: %v", gitTracked(t, dir))
	}
	if backups, _ := filepath.Glob(filepath.Join(dir, "nixboard", "*backup*")); len(backups) > 0 {
		t.Errorf("backup of an unedited file: %v", backups)
	}

	// Nothing more to do on a second run: the removed file is not listed.
	again := mustPlan(t, dir, teamBase(sample()))
	if again.Changed() || slices.ContainsFunc(again.Files, func(f FileChange) bool { return f.Stale }) {
		t.Errorf("second plan: %v", actions(again))
	}

	back := mustPlan(t, dir, sample())
	if got := change(t, back, BaseModuleFile); got.Action != ActionCreate || got.Stale {
		t.Errorf("switching back: %+v", got)
	}
	if err := back.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, BaseModuleFile)); string(now) != string(before) {
		t.Error("base.nix not re-created as before")
	}
	if !slices.Contains(gitTracked(t, dir), BaseModuleFile) {
		t.Error("re-created base.nix not tracked")
	}
}

// An edited nixboard/base.nix is moved aside, not deleted, and untracked.
func TestStaleEditedBaseIsMovedAside(t *testing.T) {
	dir := appliedSample(t)
	base := filepath.Join(dir, BaseModuleFile)
	b, _ := os.ReadFile(base)
	edited := string(b) + "# my tweak\n"
	os.WriteFile(base, []byte(edited), 0o644)

	p := mustPlan(t, dir, teamBase(sample()))
	c := change(t, p, BaseModuleFile)
	if c.Action != ActionBackup || !c.Stale || c.BackupPath != BaseModuleFile+".nixboard-backup" || !strings.Contains(c.Reason, "edited after nixboard wrote it") {
		t.Fatalf("base.nix: %+v", c)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if exists(base) {
		t.Error("edited base.nix left in place")
	}
	if got, _ := os.ReadFile(base + ".nixboard-backup"); string(got) != edited {
		t.Errorf("backup = %.80q", got)
	}
	for _, f := range gitTracked(t, dir) {
		if strings.HasPrefix(f, BaseModuleFile) {
			t.Errorf("%s is tracked", f)
		}
	}
}

// A nixboard/base.nix nixboard did not write is never deleted.
func TestStaleForeignFileIsKept(t *testing.T) {
	nixtest.RequireGit(t)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "nixboard"), 0o755)
	mine := "{ ... }: { }\n"
	writeFile(t, dir, BaseModuleFile, mine)
	os.Symlink("/etc/hostname", filepath.Join(dir, "linked"))

	p := mustPlan(t, dir, teamBase(sample()))
	c := change(t, p, BaseModuleFile)
	if c.Action != ActionKeep || !c.Stale || c.Changes() || c.Diff != "" || !strings.Contains(c.Reason, "nixboard did not write it") {
		t.Fatalf("base.nix: %+v", c)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, BaseModuleFile)); string(got) != mine {
		t.Error("foreign base.nix changed")
	}
	if slices.Contains(gitTracked(t, dir), BaseModuleFile) {
		t.Error("nixboard added a foreign file it does not render to git")
	}
}

// A stale file that changes between plan and apply stops the apply.
func TestStaleChangedAfterPlan(t *testing.T) {
	dir := appliedSample(t)
	p := mustPlan(t, dir, teamBase(sample()))
	base := filepath.Join(dir, BaseModuleFile)
	os.WriteFile(base, []byte("edited meanwhile\n"), 0o644)
	if err := p.Apply(t.Context()); err == nil || !strings.Contains(err.Error(), "changed after the plan") {
		t.Fatalf("Apply() = %v", err)
	}
	if got, _ := os.ReadFile(base); string(got) != "edited meanwhile\n" {
		t.Error("file changed after the plan was touched")
	}
}

// What the flake itself sees after the switch, asked of real nix: its
// source (the git-tracked files) has no nixboard/base.nix, and it still
// evaluates with the team base.
func TestStaleBaseInvisibleToNix(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := appliedSample(t)
	a := teamBase(sample())
	if err := mustPlan(t, dir, a).Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	overrides := []string{"--no-write-lock-file",
		"--override-input", "nixpkgs", "path:" + fixture(t, "fixture-nixpkgs"),
		"--override-input", "home-manager", "path:" + fixture(t, "fixture-home-manager"),
		"--override-input", "base", "path:" + fixture(t, "fixture-base")}
	var meta struct{ Path string }
	out := runNix(t, "nix", append([]string{"flake", "metadata", "--json", dir}, overrides...)...)
	if err := json.Unmarshal(out, &meta); err != nil || meta.Path == "" {
		t.Fatalf("flake metadata: %v %s", err, out)
	}
	if exists(filepath.Join(meta.Path, AnswersModuleFile)) == false {
		t.Fatalf("flake source %s lacks %s: wrong path?", meta.Path, AnswersModuleFile)
	}
	if exists(filepath.Join(meta.Path, BaseModuleFile)) {
		t.Errorf("the flake still sees %s", BaseModuleFile)
	}
	names := runNix(t, "nix", append([]string{"eval", "--json", dir + "#homeConfigurations", "--apply", "builtins.attrNames"}, overrides...)...)
	if strings.TrimSpace(string(names)) != `["alice@laptop"]` {
		t.Errorf("homeConfigurations = %s", names)
	}
}
