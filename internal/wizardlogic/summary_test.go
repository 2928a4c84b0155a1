package wizardlogic

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// The review (and so the wizard's --dry-run) lists what stops the write,
// as refused rows, before anything is written.
func TestPlanRowsListGitProblems(t *testing.T) {
	nixtest.RequireGit(t)
	root := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", root).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	os.WriteFile(filepath.Join(root, ".git", "index.lock"), nil, 0o644)
	a := flakegen.DefaultFor("linux", "x86_64-linux")
	a.HomeBase.Username, a.HomeBase.HomeDirectory, a.Hostname = "alice", "/home/alice", "laptop"
	p, err := flakegen.NewPlan(t.Context(), filepath.Join(root, "hm"), a, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	rows := PlanRows(p)
	if len(rows) == 0 || rows[0].Action != "refuse" || rows[0].Path != "git" || !strings.Contains(rows[0].Note, "index.lock exists") {
		t.Errorf("first row = %+v", rows[0])
	}
}
