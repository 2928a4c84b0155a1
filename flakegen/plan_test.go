package flakegen

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// testEnv is the environment the tests plan with: the test process's own,
// so git is the one on its PATH.
func testEnv() []string { return os.Environ() }

func mustPlan(t *testing.T, dir string, a Answers) *Plan {
	t.Helper()
	p, err := NewPlan(t.Context(), dir, a, testEnv())
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	return p
}

// appliedSample returns a new directory with sample() rendered and applied.
func appliedSample(t *testing.T) string {
	t.Helper()
	nixtest.RequireGit(t)
	dir := t.TempDir()
	if err := mustPlan(t, dir, sample()).Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	return dir
}

func actions(p *Plan) map[string]Action {
	m := map[string]Action{}
	for _, f := range p.Files {
		m[f.Path] = f.Action
	}
	return m
}

func change(t *testing.T, p *Plan, path string) FileChange {
	t.Helper()
	for _, f := range p.Files {
		if f.Path == path {
			return f
		}
	}
	t.Fatalf("no %s in plan", path)
	return FileChange{}
}

// snapshot records every file under dir with its content and mtime.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			st, _ := os.Stat(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = st.ModTime().String() + "\x00" + string(b)
		}
		return nil
	})
	return out
}

func gitTracked(t *testing.T, dir string) []string {
	t.Helper()
	out, err := exec.Command("git", "-C", dir, "ls-files").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	files := strings.Fields(string(out))
	sort.Strings(files)
	return files
}

func TestApplyFreshDirectory(t *testing.T) {
	nixtest.RequireGit(t)
	dir := filepath.Join(t.TempDir(), "home-manager")
	p := mustPlan(t, dir, sample())
	if !p.GitInit {
		t.Error("GitInit = false for a new directory")
	}
	for _, f := range p.Files {
		if f.Action != ActionCreate || !strings.HasPrefix(f.Diff, "--- /dev/null\n+++ b/"+f.Path+"\n@@ -0,0 +1,") {
			t.Errorf("%s: %s, diff %.60q", f.Path, f.Action, f.Diff)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("NewPlan created the directory")
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", ".nixboard/last-rendered/.gitignore", ".nixboard/last-rendered/flake.nix", AnswersRecordFile,
		".nixboard/last-rendered/nixboard/answers.nix", ".nixboard/last-rendered/nixboard/base.nix",
		"flake.nix", "home.nix", "nixboard.json", "nixboard/answers.nix", "nixboard/base.nix"}
	if got := gitTracked(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("tracked = %v, want %v", got, want)
	}
	for _, f := range p.Files {
		got, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil || string(got) != string(f.Content()) {
			t.Errorf("%s not written as planned: %v", f.Path, err)
		}
		if f.kind == Generated && OwnershipOf(got) != Ours {
			t.Errorf("%s: ownership %v", f.Path, OwnershipOf(got))
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*nixboard-tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestRerenderUnchangedWritesNothing(t *testing.T) {
	dir := appliedSample(t)
	// Move every mtime into the past, so any rewrite would show.
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.Contains(p, ".git/") {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	before := snapshot(t, dir)
	p := mustPlan(t, dir, sample())
	if p.Changed() || p.GitInit {
		t.Errorf("plan changes something: %v GitInit=%v", actions(p), p.GitInit)
	}
	for _, f := range p.Files {
		want := ActionUnchanged
		if f.Path == HomeFile {
			want = ActionKeep
		}
		if f.Action != want || f.Diff != "" {
			t.Errorf("%s: %s (diff %q)", f.Path, f.Action, f.Diff)
		}
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	after := snapshot(t, dir)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s was rewritten", k)
		}
	}
	if len(after) != len(before) {
		t.Errorf("files before %d, after %d", len(before), len(after))
	}
}

func TestChangedAnswersUpdateOwnFiles(t *testing.T) {
	dir := appliedSample(t)
	a := sample()
	a.HomeBase.EnableTmux = false
	a.Release = "unstable"
	p := mustPlan(t, dir, a)
	got := actions(p)
	if got[AnswersFile] != ActionUpdate || got[FlakeFile] != ActionUpdate || got[BaseModuleFile] != ActionUnchanged {
		t.Errorf("actions = %v", got)
	}
	if d := change(t, p, AnswersFile).Diff; !strings.Contains(d, `-    "enableTmux": true,`) || !strings.Contains(d, `+    "enableTmux": false,`) {
		t.Errorf("answers diff:\n%s", d)
	}
	if d := change(t, p, FlakeFile).Diff; !strings.Contains(d, `+    nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable";`) {
		t.Errorf("flake diff:\n%s", d)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if backups, _ := filepath.Glob(filepath.Join(dir, "*.nixboard-backup*")); len(backups) != 0 {
		t.Errorf("backups of nixboard's own files: %v", backups)
	}
}

func TestForeignFlakeIsBackedUp(t *testing.T) {
	nixtest.RequireGit(t)
	dir := t.TempDir()
	foreign := "{ outputs = { self }: { }; }\n"
	writeFile(t, dir, "flake.nix", foreign)
	writeFile(t, dir, "flake.nix.nixboard-backup", "an older backup\n")
	p := mustPlan(t, dir, sample())
	c := change(t, p, FlakeFile)
	if c.Action != ActionBackup || c.BackupPath != "flake.nix.nixboard-backup.1" || !strings.Contains(c.Reason, "not written by nixboard") {
		t.Fatalf("flake.nix: %+v", c)
	}
	if !strings.Contains(c.Diff, "-{ outputs = { self }: { }; }") {
		t.Errorf("diff:\n%s", c.Diff)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "flake.nix.nixboard-backup.1")); string(b) != foreign {
		t.Errorf("backup = %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "flake.nix.nixboard-backup")); string(b) != "an older backup\n" {
		t.Errorf("older backup changed: %q", b)
	}
	for _, f := range gitTracked(t, dir) {
		if strings.Contains(f, "backup") {
			t.Errorf("backup %s is tracked", f)
		}
	}
}

// Without a record of what nixboard rendered last (a directory an older
// nixboard wrote), an edited generated file cannot be merged: it is backed
// up and replaced, and the reason says why.
func TestEditedFilesAreBackedUpAndHomeNixKept(t *testing.T) {
	dir := appliedSample(t)
	if err := os.Remove(filepath.Join(dir, RecordPath(BaseModuleFile))); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, BaseModuleFile)
	b, _ := os.ReadFile(base)
	edited := strings.Replace(string(b), "historyLimit = mkDefault 50000;", "historyLimit = mkDefault 99;", 1)
	os.WriteFile(base, []byte(edited), 0o644)
	answers := filepath.Join(dir, AnswersFile)
	a, _ := os.ReadFile(answers)
	handEdited := strings.Replace(string(a), "  ", "    ", -1)
	os.WriteFile(answers, []byte(handEdited), 0o644)
	mine := "{ ... }: { programs.htop.enable = true; }\n"
	writeFile(t, dir, HomeFile, mine)

	next := sample()
	next.HomeBase.EnableTmux = false
	p := mustPlan(t, dir, next)
	for path, want := range map[string]Action{BaseModuleFile: ActionBackup, AnswersFile: ActionBackup, HomeFile: ActionKeep} {
		c := change(t, p, path)
		if c.Action != want {
			t.Errorf("%s: %s, want %s", path, c.Action, want)
		}
		if c.Reason == "" {
			t.Errorf("%s: no reason", path)
		}
	}
	if r := change(t, p, BaseModuleFile).Reason; !strings.Contains(r, "edited after nixboard wrote it") || !strings.Contains(r, "no record of what it rendered last (.nixboard/last-rendered/nixboard/base.nix") {
		t.Errorf("reason = %q", r)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(base + ".nixboard-backup"); string(got) != edited {
		t.Error("edited base.nix not kept in its backup")
	}
	if got, _ := os.ReadFile(answers + ".nixboard-backup"); string(got) != handEdited {
		t.Error("edited nixboard.json not kept in its backup")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, HomeFile)); string(got) != mine {
		t.Error("home.nix was changed")
	}
}

func TestRefusalWritesNothing(t *testing.T) {
	nixtest.RequireGit(t)
	dir := t.TempDir()
	os.Symlink("/etc/hostname", filepath.Join(dir, "flake.nix"))
	writeFile(t, dir, "nixboard", "a file where a directory must go\n")
	before := snapshot(t, dir)
	p := mustPlan(t, dir, sample())
	refused := p.Refused()
	if len(refused) != 3 { // flake.nix and both files under nixboard/
		t.Fatalf("refused = %+v", refused)
	}
	err := p.Apply(t.Context())
	var rerr *RefusedError
	if !errors.As(err, &rerr) || !strings.Contains(err.Error(), "nothing was written") || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("Apply() = %v", err)
	}
	after := snapshot(t, dir)
	if len(after) != len(before) {
		t.Errorf("files appeared: %v", after)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		t.Error("git init ran")
	}
}

func TestInvalidAnswersWriteNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	a := sample()
	a.HomeBase.Username = "no body"
	_, err := NewPlan(t.Context(), dir, a, testEnv())
	var verr ValidationErrors
	if !errors.As(err, &verr) {
		t.Fatalf("NewPlan = %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Error("directory created")
	}
}

func TestChangeAfterPlanAborts(t *testing.T) {
	nixtest.RequireGit(t)
	dir := t.TempDir()
	p := mustPlan(t, dir, sample())
	writeFile(t, dir, "flake.nix", "written meanwhile\n")
	err := p.Apply(t.Context())
	if err == nil || !strings.Contains(err.Error(), "changed after the plan") {
		t.Fatalf("Apply() = %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("entries = %v", entries)
	}
}

func TestReadOnlyDirectory(t *testing.T) {
	nixtest.RequireGit(t)
	dir := readOnlyDir(t)
	before := snapshot(t, dir)
	p := mustPlan(t, dir, sample())
	err := p.Apply(t.Context())
	if err == nil || !strings.Contains(err.Error(), "flake.nix") {
		t.Fatalf("Apply() in a read-only directory = %v", err)
	}
	// The error says that nothing was written, and what to do.
	for _, want := range []string{"nothing was changed", "cannot be written to", "--dir", "ls -ld"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if after := snapshot(t, dir); len(after) != len(before) {
		t.Errorf("files changed: %v", after)
	}
}

func TestExistingRepositoryIsReused(t *testing.T) {
	nixtest.RequireGit(t)
	root := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", root).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	dir := filepath.Join(root, ".config", "home-manager")
	p := mustPlan(t, dir, sample())
	if p.GitInit {
		t.Error("GitInit inside an existing work tree")
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		t.Error("nested repository created")
	}
	if got := gitTracked(t, root); len(got) != 11 || !strings.HasPrefix(got[0], ".config/home-manager/") {
		t.Errorf("tracked = %v", got)
	}
}

func TestTeamBaseDropsBuiltinBase(t *testing.T) {
	a := sample()
	a.Base = &BaseFlake{Flake: "github:timblaktu/nixcfg", Module: "homeManagerModules.base"}
	files, err := Render(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == BaseModuleFile {
			t.Error("built-in base rendered with a team base")
		}
		if f.Path == FlakeFile {
			s := string(f.Content)
			if !strings.Contains(s, `base.url = "github:timblaktu/nixcfg";`) || !strings.Contains(s, "(attrPath inputs.base answers.base.module)") || strings.Contains(s, "./nixboard/base.nix") {
				t.Errorf("flake.nix:\n%s", s)
			}
		}
	}
}

func TestOwnershipOf(t *testing.T) {
	own := withMarker([]byte("body\n"))
	if OwnershipOf(own) != Ours {
		t.Error("own file not recognised")
	}
	if OwnershipOf(append(own, "more\n"...)) != Edited {
		t.Error("edit not detected")
	}
	if OwnershipOf([]byte("# just a comment\n{}")) != Foreign || OwnershipOf(nil) != Foreign {
		t.Error("foreign file claimed")
	}
}
