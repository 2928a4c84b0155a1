package flakegen

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// faultyOps fails the calls fail picks (by operation and file name) and
// does the others for real.
type faultyOps struct {
	osOps
	fail func(op, name string) error
}

func (f faultyOps) check(op, path string) error {
	return f.fail(op, filepath.Base(path))
}

func (f faultyOps) mkdir(path string) error {
	if err := f.check("mkdir", path); err != nil {
		return err
	}
	return f.osOps.mkdir(path)
}

func (f faultyOps) writeTemp(full string, content []byte) (string, error) {
	if err := f.check("writeTemp", full); err != nil {
		return "", err
	}
	return f.osOps.writeTemp(full, content)
}

func (f faultyOps) writeNew(path string, content []byte) error {
	if err := f.check("writeNew", path); err != nil {
		return err
	}
	return f.osOps.writeNew(path, content)
}

func (f faultyOps) link(oldname, newname string) error {
	if err := f.check("link", oldname); err != nil {
		return err
	}
	return f.osOps.link(oldname, newname)
}

func (f faultyOps) rename(oldname, newname string) error {
	if err := f.check("rename", newname); err != nil {
		return err
	}
	return f.osOps.rename(oldname, newname)
}

func (f faultyOps) remove(path string) error {
	if err := f.check("remove", path); err != nil {
		return err
	}
	return f.osOps.remove(path)
}

// failOn fails op on the file named name, every time.
func failOn(op, name string, err error) func(string, string) error {
	return func(o, n string) error {
		if o == op && n == name {
			return &os.PathError{Op: op, Path: n, Err: err}
		}
		return nil
	}
}

func applyError(t *testing.T, err error) *ApplyError {
	t.Helper()
	var ae *ApplyError
	if !errors.As(err, &ae) {
		t.Fatalf("Apply() = %v, want an ApplyError", err)
	}
	return ae
}

// Every kind of change (update, backup of a foreign file, stale removal of
// an edited file moved aside, create) rolls back when the last step fails.
func TestRollbackPutsEveryKindOfChangeBack(t *testing.T) {
	dir := appliedSample(t)
	os.Remove(filepath.Join(dir, HomeFile)) // created again
	writeFile(t, dir, GitignoreFile, "foreign\n")
	base := filepath.Join(dir, BaseModuleFile)
	b, _ := os.ReadFile(base)
	os.WriteFile(base, append(b, "# mine\n"...), 0o644) // edited, moved aside
	writeFile(t, dir, ".flake.nix.nixboard-tmp-5", "left by a killed run")
	before := tree(t, dir)

	a := teamBase(sample())
	a.Release = "unstable"
	p := mustPlan(t, dir, a)
	got := actions(p)
	if got[FlakeFile] != ActionUpdate || got[HomeFile] != ActionCreate || got[GitignoreFile] != ActionBackup || got[BaseModuleFile] != ActionBackup || got[".flake.nix.nixboard-tmp-5"] != ActionRemove {
		t.Fatalf("actions = %v", got)
	}
	// The stale temporary file is the last step.
	p.ops = faultyOps{fail: failOn("remove", ".flake.nix.nixboard-tmp-5", syscall.EBUSY)}
	ae := applyError(t, p.Apply(t.Context()))
	if !ae.RolledBack || ae.Path != ".flake.nix.nixboard-tmp-5" || !errors.Is(ae, syscall.EBUSY) {
		t.Errorf("error = %+v", ae)
	}
	if want := "flake.nix, nixboard.json, home.nix, .gitignore, .nixboard/last-rendered/flake.nix, .nixboard/last-rendered/nixboard.json, nixboard/base.nix, .nixboard/last-rendered/nixboard/base.nix"; strings.Join(ae.Restored, ", ") != want {
		t.Errorf("restored = %v, want %s", ae.Restored, want)
	}
	if !strings.Contains(ae.Error(), "nothing was changed (flake.nix, nixboard.json, home.nix,") || strings.Contains(ae.Error(), "also left") {
		t.Errorf("message: %s", ae.Error())
	}
	sameTree(t, dir, before)
}

// A full disk after the directories are made (the free-space check passed,
// then something else filled the disk) removes them again.
func TestNoSpaceMidwayRemovesCreatedDirectories(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	p := mustPlan(t, dir, sample())
	p.ops = faultyOps{fail: failOn("writeTemp", "answers.nix", syscall.ENOSPC)}
	ae := applyError(t, p.Apply(t.Context()))
	if !ae.RolledBack || ae.Path != AnswersModuleFile || !strings.Contains(ae.Error(), "writing nixboard/answers.nix failed") || !strings.Contains(ae.Error(), "no space left on device; nothing was changed") {
		t.Errorf("error: %v", ae)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// When putting a file back fails too, the error says what each file holds
// and the commands that finish the job, and running them does.
func TestFailedRollbackSaysWhatIsWhereAndHowToFix(t *testing.T) {
	dir := appliedSample(t)
	before := tree(t, dir)
	a := sample()
	a.Release = "unstable"
	p := mustPlan(t, dir, a)
	// flake.nix is renamed into place first; the second rename onto it is
	// the rollback putting the original back, and that one fails.
	flakeRenames := 0
	p.ops = faultyOps{fail: func(op, name string) error {
		switch {
		case op == "rename" && name == AnswersFile:
			return &os.PathError{Op: op, Path: name, Err: syscall.EBUSY}
		case op == "rename" && name == FlakeFile:
			if flakeRenames++; flakeRenames == 2 {
				return &os.PathError{Op: op, Path: name, Err: syscall.EIO}
			}
		}
		return nil
	}}
	ae := applyError(t, p.Apply(t.Context()))
	if ae.RolledBack {
		t.Fatalf("RolledBack with flake.nix not put back: %v", ae)
	}
	msg := ae.Error()
	var undo string
	for _, f := range ae.Files {
		switch f.Path {
		case FlakeFile:
			if !strings.HasPrefix(f.State, "has the new content; the old one is in .flake.nix.nixboard-tmp-undo-") || !strings.HasPrefix(f.Fix, "mv .flake.nix.nixboard-tmp-undo-") {
				t.Errorf("flake.nix: %+v", f)
			}
			undo = f.Fix
		case AnswersFile:
			if f.State != "as it was" || f.Fix != "" {
				t.Errorf("nixboard.json: %+v", f)
			}
		}
	}
	for _, want := range []string{"writing nixboard.json failed", "half-written:\n  flake.nix: has the new content", "\n  nixboard.json: as it was", "to put it all back, run in " + dir + ":\n  " + undo + "\n"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	cmd := exec.Command("sh", "-c", undo)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", undo, err, out)
	}
	sameTree(t, dir, before)
}

// A file system without hard links still gets its backups and the copies
// to undo from, written as new files.
func TestRollbackWithoutHardLinks(t *testing.T) {
	dir := appliedSample(t)
	writeFile(t, dir, FlakeFile, "{ outputs = _: { }; }\n")
	before := tree(t, dir)
	a := sample()
	a.Release = "unstable"
	p := mustPlan(t, dir, a)
	p.ops = faultyOps{fail: func(op, name string) error {
		if op == "link" {
			return &os.LinkError{Op: "link", Old: name, New: name, Err: syscall.EPERM}
		}
		return failOn("rename", AnswersFile, syscall.EBUSY)(op, name)
	}}
	ae := applyError(t, p.Apply(t.Context()))
	if !ae.RolledBack || strings.Join(ae.Restored, ",") != FlakeFile {
		t.Errorf("error: %v", ae)
	}
	sameTree(t, dir, before)

	// And without a failure the backup is the foreign file, whole.
	p = mustPlan(t, dir, a)
	p.ops = faultyOps{fail: func(op, name string) error {
		if op == "link" {
			return &os.LinkError{Op: "link", Old: name, New: name, Err: syscall.EPERM}
		}
		return nil
	}}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "flake.nix.nixboard-backup")); string(b) != "{ outputs = _: { }; }\n" {
		t.Errorf("backup = %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*nixboard-tmp*")); len(left) > 0 {
		t.Errorf("left: %v", left)
	}
}
