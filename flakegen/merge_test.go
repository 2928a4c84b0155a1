package flakegen

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// The person's own input, added at the end of flake.nix's inputs, as
// someone adding a flake of their own would. Evaluation replaces it with
// the fixture team base (tests never reach GitHub).
const ownInput = "    mytools.url = \"github:alice/mytools\";\n"

// addOwnInput edits flake.nix in dir by hand: one more input.
func addOwnInput(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, FlakeFile))
	if err != nil {
		t.Fatal(err)
	}
	const end = "    };\n  };\n\n  outputs ="
	if !strings.Contains(string(b), end) {
		t.Fatalf("flake.nix has no end of inputs to add to:\n%s", b)
	}
	edited := strings.Replace(string(b), end, "    };\n"+ownInput+"  };\n\n  outputs =", 1)
	writeFile(t, dir, FlakeFile, edited)
	return edited
}

// conflictingEdit edits the line nixboard changes with the release: the
// nixpkgs input.
func conflictingEdit(t *testing.T, dir string) string {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(dir, FlakeFile))
	const line = `nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";`
	if !strings.Contains(string(b), line) {
		t.Fatalf("flake.nix has no %s", line)
	}
	edited := strings.Replace(string(b), line, `nixpkgs.url = "github:alice/nixpkgs/nixos-26.05";`, 1)
	writeFile(t, dir, FlakeFile, edited)
	return edited
}

func readFile(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// evalFlake evaluates dir's homeConfigurations with real nix, every input
// replaced by a fixture, and returns the homeBase that reached the fixture
// standing in for home-manager, and the inputs nix locked.
func evalFlake(t *testing.T, dir string) (homeBase map[string]any, inputs []string) {
	t.Helper()
	overrides := []string{"--no-write-lock-file",
		"--override-input", "nixpkgs", "path:" + fixture(t, "fixture-nixpkgs"),
		"--override-input", "home-manager", "path:" + fixture(t, "fixture-home-manager"),
		"--override-input", "mytools", "path:" + fixture(t, "fixture-base")}
	out := runNix(t, "nix", append([]string{"eval", "--json", dir + "#homeConfigurations"}, overrides...)...)
	var got map[string]struct {
		AnswersModule struct {
			HomeBase map[string]any `json:"homeBase"`
		} `json:"answersModule"`
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got) != 1 {
		t.Fatalf("homeConfigurations = %s (%v)", out, err)
	}
	for _, c := range got {
		homeBase = c.AnswersModule.HomeBase
	}
	meta := runNix(t, "nix", append([]string{"flake", "metadata", "--json", dir}, overrides...)...)
	var m struct {
		Locks struct {
			Nodes map[string]struct {
				Inputs map[string]any `json:"inputs"`
			} `json:"nodes"`
		} `json:"locks"`
	}
	if err := json.Unmarshal(meta, &m); err != nil {
		t.Fatalf("flake metadata: %v: %s", err, meta)
	}
	for name := range m.Locks.Nodes["root"].Inputs {
		inputs = append(inputs, name)
	}
	return homeBase, inputs
}

// The proof: render; edit flake.nix by hand (add an input) and
// home.nix; toggle two flags (and, on the second run, the release, which
// changes flake.nix's lines near the edit) and render again: the edits are
// still there, the flags changed, home.nix is byte for byte the person's,
// and the merged flake evaluates with fixture inputs. The run after that
// merges again and still keeps the edit.
func TestEditsSurviveReRuns(t *testing.T) {
	nixtest.Require(t)
	dir := appliedSample(t)
	addOwnInput(t, dir)
	mine := "{ pkgs, ... }: {\n  # my own packages\n  home.packages = [ ];\n}\n"
	writeFile(t, dir, HomeFile, mine)

	// Two flags: flake.nix renders the same, so it stays as edited.
	a := sample()
	a.HomeBase.EnableTmux = false
	a.HomeBase.EnableContainerSupport = false
	p := mustPlan(t, dir, a)
	if c := change(t, p, FlakeFile); c.Action != ActionUnchanged || !strings.Contains(c.Reason, "renders nothing new") {
		t.Errorf("flake.nix: %s (%s)", c.Action, c.Reason)
	}
	if c := change(t, p, AnswersFile); c.Action != ActionUpdate {
		t.Errorf("nixboard.json: %s (%s)", c.Action, c.Reason)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	hb, inputs := evalFlake(t, dir)
	if hb["enableTmux"] != false || hb["enableContainerSupport"] != false || hb["enableGit"] != true {
		t.Errorf("flags reaching home-manager: %v", hb)
	}
	if !strings.Contains(strings.Join(inputs, " "), "mytools") {
		t.Errorf("inputs = %v, want the person's mytools too", inputs)
	}

	// The release changes flake.nix: merged, the edit kept.
	for i, release := range []string{"unstable", "26.05"} {
		a.Release = release
		if release == "unstable" {
			a.HomeBase.EnableNeovim = false
		}
		p := mustPlan(t, dir, a)
		c := change(t, p, FlakeFile)
		if c.Action != ActionMerge || !strings.Contains(c.Reason, "merged") {
			t.Fatalf("run %d: flake.nix: %s (%s)", i, c.Action, c.Reason)
		}
		if !strings.Contains(string(c.Content()), ownInput) || !strings.Contains(c.Diff, "nixpkgs.url") {
			t.Errorf("run %d: merge lacks the edit or the release:\n%s\ndiff:\n%s", i, c.Content(), c.Diff)
		}
		if err := p.Apply(t.Context()); err != nil {
			t.Fatal(err)
		}
		flake := readFile(t, dir, FlakeFile)
		wantURL := map[string]string{"unstable": `"github:NixOS/nixpkgs/nixpkgs-unstable"`, "26.05": `"github:NixOS/nixpkgs/nixos-26.05"`}[release]
		if !strings.Contains(flake, ownInput) || !strings.Contains(flake, "nixpkgs.url = "+wantURL+";") {
			t.Errorf("run %d: flake.nix:\n%s", i, flake)
		}
		// The merged file is not nixboard's own: the next run merges.
		if OwnershipOf([]byte(flake)) != Edited {
			t.Errorf("run %d: merged flake.nix reads as %v", i, OwnershipOf([]byte(flake)))
		}
		if rec := readFile(t, dir, RecordPath(FlakeFile)); rec != string(c.Rendered()) {
			t.Errorf("run %d: the record is not the new rendering", i)
		}
		if got := readFile(t, dir, HomeFile); got != mine {
			t.Errorf("run %d: home.nix changed:\n%s", i, got)
		}
		hb, inputs := evalFlake(t, dir)
		if hb["enableNeovim"] != false || hb["enableTmux"] != false {
			t.Errorf("run %d: flags reaching home-manager: %v", i, hb)
		}
		if !strings.Contains(strings.Join(inputs, " "), "mytools") {
			t.Errorf("run %d: inputs = %v", i, inputs)
		}
	}
	if backups, _ := filepath.Glob(filepath.Join(dir, "*.nixboard-backup*")); len(backups) != 0 {
		t.Errorf("backups: %v", backups)
	}

	// The same answers once more: nothing changes at all.
	before := snapshot(t, dir)
	again := mustPlan(t, dir, a)
	if again.Changed() {
		t.Errorf("unchanged answers change files: %v", actions(again))
	}
	if err := again.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(snapshot(t, dir), before) {
		t.Error("a re-run with unchanged answers changed files")
	}
}

// conflictPlan renders sample(), edits the nixpkgs line by hand and plans
// the unstable release, which changes that line: a conflict.
func conflictPlan(t *testing.T) (dir, edited string, p *Plan) {
	t.Helper()
	dir = appliedSample(t)
	edited = conflictingEdit(t, dir)
	a := sample()
	a.Release = "unstable"
	return dir, edited, mustPlan(t, dir, a)
}

// A conflicting edit is never written over: the plan holds the merge with
// markers, the file and the new rendering, and Apply refuses and writes
// nothing until it is resolved.
func TestConflictRefusesUntilResolved(t *testing.T) {
	dir, edited, p := conflictPlan(t)
	c := change(t, p, FlakeFile)
	if c.Action != ActionConflict || c.ConflictCount() != 1 || !strings.Contains(c.Reason, "keep") || !strings.Contains(c.Reason, "markers") {
		t.Fatalf("flake.nix: %s, %d conflicts (%s)", c.Action, c.ConflictCount(), c.Reason)
	}
	if string(c.Current()) != edited || !strings.Contains(string(c.Rendered()), "nixpkgs-unstable") {
		t.Error("the plan does not carry the person's file and the new rendering")
	}
	m := string(c.Merged())
	for _, w := range []string{"<<<<<<< flake.nix (yours)\n", "github:alice/nixpkgs", "||||||| flake.nix (as nixboard last rendered it, .nixboard/last-rendered/flake.nix)\n", "=======\n", "nixpkgs-unstable", ">>>>>>> flake.nix (as nixboard renders it now)\n"} {
		if !strings.Contains(m, w) {
			t.Errorf("merge lacks %q:\n%s", w, m)
		}
	}
	if len(p.Conflicts()) != 1 || p.HasMarkers() {
		t.Errorf("Conflicts = %d, HasMarkers = %v", len(p.Conflicts()), p.HasMarkers())
	}
	before := snapshot(t, dir)
	err := p.Apply(t.Context())
	var refused *RefusedError
	if !errors.As(err, &refused) || len(refused.Conflicts) != 1 || !strings.Contains(err.Error(), "flake.nix: you edited it") {
		t.Fatalf("Apply = %v, want a refusal naming the conflict", err)
	}
	if !reflect.DeepEqual(snapshot(t, dir), before) {
		t.Error("Apply changed files despite the conflict")
	}
	if err := p.Resolve(AnswersFile, TakeNew); err == nil {
		t.Error("Resolve of a file without a conflict succeeded")
	}
	if err := p.Resolve("nope.nix", KeepTheirs); err == nil {
		t.Error("Resolve of a file not in the plan succeeded")
	}
}

// Each of the three choices does what it says.
func TestConflictResolutions(t *testing.T) {
	t.Run("keep", func(t *testing.T) {
		dir, edited, p := conflictPlan(t)
		if err := p.Resolve(FlakeFile, KeepTheirs); err != nil {
			t.Fatal(err)
		}
		if err := p.Apply(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, dir, FlakeFile); got != edited {
			t.Errorf("flake.nix changed:\n%s", got)
		}
		if p.HasMarkers() {
			t.Error("HasMarkers after keep")
		}
		// The record is the new rendering: the next run does not ask again.
		a := sample()
		a.Release = "unstable"
		if c := change(t, mustPlan(t, dir, a), FlakeFile); c.Action != ActionUnchanged {
			t.Errorf("next run: flake.nix %s (%s)", c.Action, c.Reason)
		}
	})
	t.Run("new", func(t *testing.T) {
		dir, edited, p := conflictPlan(t)
		// A choice can be changed before Apply.
		if err := p.Resolve(FlakeFile, WriteMarkers); err != nil {
			t.Fatal(err)
		}
		if err := p.Resolve(FlakeFile, TakeNew); err != nil {
			t.Fatal(err)
		}
		c := change(t, p, FlakeFile)
		if c.Action != ActionBackup || c.BackupPath != FlakeFile+".nixboard-backup" {
			t.Fatalf("flake.nix: %+v", c)
		}
		if err := p.Apply(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, dir, FlakeFile); got != string(c.Rendered()) || OwnershipOf([]byte(got)) != Ours {
			t.Errorf("flake.nix is not the new rendering:\n%s", got)
		}
		if got := readFile(t, dir, c.BackupPath); got != edited {
			t.Errorf("backup is not the person's file:\n%s", got)
		}
		if p.HasMarkers() {
			t.Error("HasMarkers after new")
		}
	})
	t.Run("markers", func(t *testing.T) {
		dir, edited, p := conflictPlan(t)
		if err := p.Resolve(FlakeFile, WriteMarkers); err != nil {
			t.Fatal(err)
		}
		c := change(t, p, FlakeFile)
		if c.Action != ActionMarkers || !p.HasMarkers() || !strings.Contains(c.Reason, "before you switch") {
			t.Fatalf("flake.nix: %s, HasMarkers %v (%s)", c.Action, p.HasMarkers(), c.Reason)
		}
		if err := p.Apply(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, dir, FlakeFile); got != string(c.Merged()) || !strings.Contains(got, "<<<<<<< flake.nix (yours)") {
			t.Errorf("flake.nix is not the merge with markers:\n%s", got)
		}
		if got := readFile(t, dir, c.BackupPath); got != edited {
			t.Errorf("backup is not the person's file:\n%s", got)
		}
	})
}

// A record that is not nixboard's own rendering (someone edited it) is no
// base for a merge: the edited file is backed up and replaced as without a
// record.
func TestEditedRecordIsNoMergeBase(t *testing.T) {
	dir := appliedSample(t)
	edited := addOwnInput(t, dir)
	rec := readFile(t, dir, RecordPath(FlakeFile))
	writeFile(t, dir, RecordPath(FlakeFile), rec+"# touched\n")
	a := sample()
	a.Release = "unstable"
	p := mustPlan(t, dir, a)
	c := change(t, p, FlakeFile)
	if c.Action != ActionBackup || !strings.Contains(c.Reason, "no record") {
		t.Fatalf("flake.nix: %s (%s)", c.Action, c.Reason)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, dir, c.BackupPath); got != edited {
		t.Error("the edited file is not in the backup")
	}
}

// When git merge-file fails (exit status above 127), the edited file is
// refused with git's message and nothing is written, rather than backed up
// or replaced. A git that passes every other command to the real one and
// fails merge-file stands in for the failure.
func TestMergeFailureRefuses(t *testing.T) {
	git := nixtest.RequireGit(t)
	dir := appliedSample(t)
	edited := addOwnInput(t, dir)
	bin := t.TempDir()
	script := "#!/bin/sh\nif [ \"$1\" = merge-file ]; then echo 'error: merge-file broke' >&2; exit 255; fi\nexec " + git + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	a := sample()
	a.Release = "unstable"
	p, err := NewPlan(t.Context(), dir, a, []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c := change(t, p, FlakeFile)
	if c.Action != ActionRefuse || !strings.Contains(c.Reason, "merge-file broke") {
		t.Fatalf("flake.nix: %s (%s)", c.Action, c.Reason)
	}
	if err := p.Apply(t.Context()); err == nil {
		t.Error("Apply went ahead")
	}
	if readFile(t, dir, FlakeFile) != edited {
		t.Error("flake.nix changed")
	}
}
