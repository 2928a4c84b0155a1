package gitrepo_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/gitrepo"
)

var labels = gitrepo.MergeLabels{Ours: "f (yours)", Base: "f (last rendered)", Theirs: "f (new)"}

// TestMergeFileClean: changes on both sides, apart from each other, are
// both applied, with no conflict.
func TestMergeFileClean(t *testing.T) {
	g := mustFind(t, gitEnv(t, t.TempDir()))
	base := "one\ntwo\nthree\nfour\nfive\n"
	ours := "one\nTWO (mine)\nthree\nfour\nfive\n"
	theirs := "one\ntwo\nthree\nfour\nFIVE (new)\n"
	got, conflicts, err := g.MergeFile(t.Context(), t.TempDir(), []byte(base), []byte(ours), []byte(theirs), labels)
	if err != nil || conflicts != 0 {
		t.Fatalf("MergeFile = %d conflicts, %v", conflicts, err)
	}
	if want := "one\nTWO (mine)\nthree\nfour\nFIVE (new)\n"; string(got) != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
}

// TestMergeFileConflicts: each conflicting change is counted and written
// between diff3 markers that carry the labels, and the temporary files are
// gone afterwards.
func TestMergeFileConflicts(t *testing.T) {
	g := mustFind(t, gitEnv(t, t.TempDir()))
	tmp := t.TempDir()
	base := "a\nb\nc\nd\ne\nf\ng\n"
	ours := "a\nB1\nc\nd\ne\nF1\ng\n"
	theirs := "a\nB2\nc\nd\ne\nF2\ng\n"
	got, conflicts, err := g.MergeFile(t.Context(), tmp, []byte(base), []byte(ours), []byte(theirs), labels)
	if err != nil || conflicts != 2 {
		t.Fatalf("MergeFile = %d conflicts, %v; want 2", conflicts, err)
	}
	want := "a\n<<<<<<< f (yours)\nB1\n||||||| f (last rendered)\nb\n=======\nB2\n>>>>>>> f (new)\nc\nd\ne\n" +
		"<<<<<<< f (yours)\nF1\n||||||| f (last rendered)\nf\n=======\nF2\n>>>>>>> f (new)\ng\n"
	if string(got) != want {
		t.Errorf("merged:\n%s\nwant:\n%s", got, want)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left behind in the temporary directory: %v", left)
	}
}

// TestMergeFileFailure: an exit status above 127 is git failing, not a
// count of conflicts. A stand-in for git that prints something and exits
// 255 (what git merge-file does on an error) makes it happen on purpose.
func TestMergeFileFailure(t *testing.T) {
	script := filepath.Join(t.TempDir(), "git")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'error: something broke' >&2\necho partial\nexit 255\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	g := gitrepo.Git{Path: script}
	got, conflicts, err := g.MergeFile(t.Context(), t.TempDir(), []byte("a\n"), []byte("b\n"), []byte("c\n"), labels)
	var ge *gitrepo.Error
	if !errors.As(err, &ge) || ge.ExitCode != 255 || !strings.Contains(err.Error(), "something broke") {
		t.Fatalf("err = %v, want git's failure with exit status 255", err)
	}
	if got != nil || conflicts != 0 {
		t.Errorf("MergeFile returned %q and %d conflicts along with the failure", got, conflicts)
	}
}
