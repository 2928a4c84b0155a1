package flakegen

// Tests of issue #9's "Writes": each arranges a real failure (a bind mount,
// a full file system, a git lock, a parent repository's .gitignore, a hand
// edit, a killed run's leftovers) and checks the directory byte for byte.
// They use only what Plan and Apply offered before the issue, so each one
// also runs, and fails, against the code before the fix.

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// tree returns every entry under dir except .git, directories with a
// trailing slash and files with their content, for byte-for-byte
// comparisons that also notice new empty directories.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case rel == ".":
		case d.IsDir() && d.Name() == ".git":
			return filepath.SkipDir
		case d.IsDir():
			out[rel+"/"] = ""
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, dir string, before map[string]string) {
	t.Helper()
	after := tree(t, dir)
	var keys []string
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, inBefore := before[k]
		a, inAfter := after[k]
		switch {
		case !inAfter:
			t.Errorf("%s disappeared", k)
		case !inBefore:
			t.Errorf("%s appeared", k)
		case a != b:
			t.Errorf("%s changed", k)
		}
	}
}

// requireMount fails under CI=true (where tests run as root) and skips
// elsewhere when the test cannot mount.
func requireMount(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("mount: %v (CI runs the tests as root)", err)
	}
	t.Skipf("cannot mount here (not root?): %v", err)
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// A rename refused part-way (here EBUSY: nixboard.json is a mount point)
// used to leave flake.nix pinning the new release while nixboard.json
// still named the old one. Apply puts flake.nix back and says so.
func TestRenameRefusedPartWayChangesNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("bind mounts are Linux's")
	}
	dir := appliedSample(t)
	before := tree(t, dir)
	answers := filepath.Join(dir, AnswersFile)
	src := filepath.Join(t.TempDir(), "nixboard.json")
	if err := os.WriteFile(src, []byte(before[AnswersFile]), 0o644); err != nil {
		t.Fatal(err)
	}
	requireMount(t, syscall.Mount(src, answers, "", syscall.MS_BIND, ""))
	t.Cleanup(func() { syscall.Unmount(answers, 0) })

	a := sample()
	a.Release = "unstable"
	p := mustPlan(t, dir, a)
	if got := actions(p); got[FlakeFile] != ActionUpdate || got[AnswersFile] != ActionUpdate {
		t.Fatalf("actions = %v", got)
	}
	err := p.Apply(t.Context())
	if err == nil {
		t.Fatal("Apply succeeded with nixboard.json a mount point")
	}
	msg := err.Error()
	for _, want := range []string{"writing nixboard.json failed", "device or resource busy", "nothing was changed", "flake.nix, already replaced, was put back"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	sameTree(t, dir, before)
	if got, _ := os.ReadFile(src); string(got) != before[AnswersFile] {
		t.Error("the mounted nixboard.json changed")
	}
}

// nixboard.json edited in place with its canonical formatting used to pass
// for nixboard's own file and was overwritten without a backup. An edit is
// now anything other than what nixboard last wrote.
func TestCanonicallyEditedAnswersAreBackedUp(t *testing.T) {
	dir := appliedSample(t)
	answers := filepath.Join(dir, AnswersFile)
	mine := sample()
	mine.HomeBase.ShellAliases["k"] = "kubectl"
	edited := MarshalAnswers(mine)
	if err := os.WriteFile(answers, edited, 0o644); err != nil {
		t.Fatal(err)
	}

	next := sample()
	next.HomeBase.EnableTmux = false
	p := mustPlan(t, dir, next)
	c := change(t, p, AnswersFile)
	if c.Action != ActionBackup || c.BackupPath != AnswersFile+".nixboard-backup" || !strings.Contains(c.Reason, "edited after nixboard last wrote it") {
		t.Fatalf("nixboard.json: %s %q (%s)", c.Action, c.Reason, c.BackupPath)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(answers + ".nixboard-backup"); string(got) != string(edited) {
		t.Errorf("backup = %q", got)
	}

	// What nixboard wrote this time is its own again: the next change
	// replaces it without a backup.
	again := sample()
	p = mustPlan(t, dir, again)
	if c := change(t, p, AnswersFile); c.Action != ActionUpdate {
		t.Errorf("nixboard's own nixboard.json: %s %q", c.Action, c.Reason)
	}
}

// Without the record of what nixboard last wrote (a directory an older
// nixboard wrote) an edit cannot be told from nixboard's own file, so the
// file is backed up rather than risked.
func TestAnswersWithoutRecordAreBackedUp(t *testing.T) {
	dir := appliedSample(t)
	record := filepath.Join(dir, ".nixboard", "last-rendered", "nixboard.json")
	if b, err := os.ReadFile(record); err != nil || string(b) != string(MarshalAnswers(sample())) {
		t.Fatalf("record after Apply: %q, %v", b, err)
	}
	if !strings.Contains(gitIn(t, dir, "ls-files"), ".nixboard/last-rendered/nixboard.json") {
		t.Error("the record is not tracked by git")
	}
	os.Remove(record)
	next := sample()
	next.HomeBase.EnableTmux = false
	p := mustPlan(t, dir, next)
	if c := change(t, p, AnswersFile); c.Action != ActionBackup || !strings.Contains(c.Reason, "no record") {
		t.Errorf("nixboard.json without a record: %s %q", c.Action, c.Reason)
	}
}

// Temporary files a killed run left next to the targets are deleted by the
// next run and never show in git status.
func TestStaleTemporariesAreRemovedAndIgnored(t *testing.T) {
	dir := appliedSample(t)
	leftovers := []string{".flake.nix.nixboard-tmp-1234567", "nixboard/.base.nix.nixboard-tmp-42", ".nixboard.json.nixboard-tmp-undo-9"}
	for _, l := range leftovers {
		writeFile(t, dir, l, "half a file from a killed run")
	}
	p := mustPlan(t, dir, sample())
	for _, l := range leftovers {
		if c := change(t, p, l); c.Action != ActionRemove || !strings.Contains(c.Reason, "interrupted") {
			t.Errorf("%s: %s %q", l, c.Action, c.Reason)
		}
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, l := range leftovers {
		if exists(filepath.Join(dir, l)) {
			t.Errorf("%s is still there", l)
		}
	}
	// The rendered .gitignore keeps the next killed run's files out of git.
	writeFile(t, dir, "nixboard/.answers.nix.nixboard-tmp-77", "x")
	writeFile(t, dir, ".flake.nix.nixboard-tmp-78", "x")
	if st := gitIn(t, dir, "status", "--porcelain", "--untracked-files=all"); strings.Contains(st, "nixboard-tmp") {
		t.Errorf("git status shows temporary files:\n%s", st)
	}
}

// A full file system used to leave the directories Apply had created.
// Nothing is created when the files cannot be written.
func TestFullDiskCreatesNothing(t *testing.T) {
	nixtest.RequireGit(t)
	if runtime.GOOS != "linux" {
		t.Skip("tmpfs is Linux's")
	}
	root := t.TempDir()
	requireMount(t, syscall.Mount("tmpfs", root, "tmpfs", 0, "size=8k"))
	t.Cleanup(func() { syscall.Unmount(root, 0) })
	dir := filepath.Join(root, "config", "home-manager")
	p := mustPlan(t, dir, sample())
	err := p.Apply(t.Context())
	if err == nil {
		t.Fatal("Apply succeeded on an 8 kB file system")
	}
	if !strings.Contains(err.Error(), "disk space") || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("error = %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// repoWithConfig returns a git repository and a configuration directory in
// it (not created).
func repoWithConfig(t *testing.T) (root, dir string) {
	nixtest.RequireGit(t)
	root = t.TempDir()
	gitIn(t, root, "init", "-q")
	return root, filepath.Join(root, "home-manager")
}

// A lock on the index used to be found by git add after every file was
// replaced. It is found while planning, and nothing is written.
func TestIndexLockStopsThePlan(t *testing.T) {
	root, dir := repoWithConfig(t)
	lock := filepath.Join(root, ".git", "index.lock")
	writeFile(t, root, ".git/index.lock", "")
	before := tree(t, root)
	p := mustPlan(t, dir, sample())
	err := p.Apply(t.Context())
	if err == nil || !strings.Contains(err.Error(), "nothing was written") || !strings.Contains(err.Error(), lock+" exists") {
		t.Fatalf("Apply() = %v", err)
	}
	sameTree(t, root, before)
}

// A directory a parent repository ignores used to be written, then git add
// refused every file. It is found while planning, with the rule to change.
func TestDirectoryIgnoredByParentRepositoryStopsThePlan(t *testing.T) {
	root, dir := repoWithConfig(t)
	writeFile(t, root, ".gitignore", "notes\nhome-manager/\n")
	before := tree(t, root)
	p := mustPlan(t, dir, sample())
	err := p.Apply(t.Context())
	if err == nil {
		t.Fatal("Apply succeeded in an ignored directory")
	}
	for _, want := range []string{"nothing was written", "ignores the configuration directory", `"home-manager/" in .gitignore line 2`, "!/home-manager/"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	sameTree(t, root, before)

	// One ignored file is named.
	writeFile(t, root, ".gitignore", "*.json\n")
	err = mustPlan(t, dir, sample()).Apply(t.Context())
	if err == nil || !strings.Contains(err.Error(), "ignores nixboard.json, .nixboard/last-rendered/nixboard.json (") {
		t.Errorf("Apply() with *.json ignored = %v", err)
	}
}

// When git fails after the files are written (here a lock taken after the
// plan was made), the error names the files git does not track and the
// command that tracks them, and that command works.
func TestGitFailureAfterWritingSaysWhatToRun(t *testing.T) {
	root, dir := repoWithConfig(t)
	p := mustPlan(t, dir, sample())
	lock := writeFile(t, root, ".git/index.lock", "")
	err := p.Apply(t.Context())
	if err == nil {
		t.Fatal("Apply succeeded with the index locked")
	}
	msg := err.Error()
	want := "git add -- flake.nix nixboard.json nixboard/base.nix nixboard/answers.nix home.nix .gitignore .nixboard/last-rendered/flake.nix .nixboard/last-rendered/nixboard.json .nixboard/last-rendered/nixboard/base.nix .nixboard/last-rendered/nixboard/answers.nix .nixboard/last-rendered/.gitignore"
	for _, w := range []string{"the files are written, but git add failed", "git does not track flake.nix, nixboard.json,", "once the problem is fixed, run in " + dir + ":\n  " + want} {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%s", w, msg)
		}
	}
	os.Remove(lock)
	cmd := exec.Command("sh", "-c", want)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", want, err, out)
	}
	if got := strings.Count(gitIn(t, root, "ls-files"), "\n"); got != 11 {
		t.Errorf("%d files tracked after the advice", got)
	}
}

// On 64 kB the files fit (the code before the fix wrote them all) but git
// init does not: found while planning, and nothing is written.
func TestNoSpaceForGitInitWritesNothing(t *testing.T) {
	nixtest.RequireGit(t)
	if runtime.GOOS != "linux" {
		t.Skip("tmpfs is Linux's")
	}
	root := t.TempDir()
	requireMount(t, syscall.Mount("tmpfs", root, "tmpfs", 0, "size=64k"))
	t.Cleanup(func() { syscall.Unmount(root, 0) })
	dir := filepath.Join(root, "home-manager")
	p := mustPlan(t, dir, sample())
	if !p.GitInit {
		t.Fatal("GitInit = false on a new file system")
	}
	err := p.Apply(t.Context())
	if err == nil || !strings.Contains(err.Error(), "disk space: the file system of "+dir+" has 64 kB free") {
		t.Fatalf("Apply() = %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
