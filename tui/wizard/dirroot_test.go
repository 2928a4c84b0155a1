package wizard

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The directory question refuses a directory outside DirRoot (with its
// reason) and takes one inside; accessible mode asks the same question.
func TestPlaceFormRefusesDirOutsideRoot(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	a := fakeReport("/home/alice").Defaults
	_, p := buildQuestionsForm(a, filepath.Join(root, "home-manager"), "/home/alice", root, 0, false, nil)
	if err := p.checks[keyDir](outside); err == nil || !strings.Contains(err.Error(), "temporary directory") {
		t.Errorf("the question takes %s outside %s: %v", outside, root, err)
	}
	if err := p.checks[keyDir]("~/.config/home-manager"); err == nil {
		t.Errorf("the question takes ~/.config/home-manager outside %s", root)
	}
	if err := p.checks[keyDir](filepath.Join(root, "x")); err != nil {
		t.Errorf("the question refuses a directory inside: %v", err)
	}
	dir := filepath.Join(root, "home-manager")
	p.Dir = outside
	p.apply(&a, &dir)
	if dir != filepath.Join(root, "home-manager") {
		t.Errorf("apply took the outside directory: %s", dir)
	}
}

// Accessible mode: a directory outside DirRoot is refused at the question
// and asked again; nothing is written outside.
func TestAccessibleDemoRefusesDirOutsideRoot(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	r := fakeReport("/home/alice")
	opts := testOptions(t, r)
	opts.Dir = filepath.Join(root, "home-manager")
	opts.DirRoot = root
	a := r.Defaults
	opts.Answers = &a
	// Identity (3 fields kept), then the directory: outside, refused and
	// asked again, then kept; the rest kept, no diffs, and no to writing.
	input := "\n\n\n" + outside + "\n\n\n" + strings.Repeat("\n", 3) + "0\n" + strings.Repeat("\n", 4) + "n\n"
	var out bytes.Buffer
	RunAccessible(context.Background(), strings.NewReader(input), plainWriter(&out), opts)
	if !strings.Contains(out.String(), "the demo writes only inside its temporary directory") {
		t.Errorf("accessible mode did not refuse %s:\n%s", outside, out.String())
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("something was written outside: %v", entries)
	}
}
