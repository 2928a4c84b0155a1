package flakegen

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// diffCases are the edge cases of a line diff, each with what GNU diff -u
// --label a/x --label b/x prints for it.
var diffCases = []struct {
	name, old, new, want string
}{
	{"two hunks", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nl\n", "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nl\nk\n",
		"@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n@@ -9,3 +9,4 @@\n i\n j\n l\n+k\n"},
	{"one hunk when 6 lines apart", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\nX\n3\n4\n5\n6\n7\n8\nY\n10\n11\n12\n",
		"@@ -1,12 +1,12 @@\n 1\n-2\n+X\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+Y\n 10\n 11\n 12\n"},
	{"from an empty file", "", "a\nb\n", "@@ -0,0 +1,2 @@\n+a\n+b\n"},
	{"to an empty file", "a\nb\n", "", "@@ -1,2 +0,0 @@\n-a\n-b\n"},
	{"from empty to one line without newline", "", "a", "@@ -0,0 +1 @@\n+a\n\\ No newline at end of file\n"},
	{"newline added at the end", "a", "a\n", "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"},
	{"newline removed at the end", "x\ny\n", "x\ny", "@@ -1,2 +1,2 @@\n x\n-y\n+y\n\\ No newline at end of file\n"},
	{"both without newline, last line kept", "a\nb\nc", "A\nb\nc",
		"@@ -1,3 +1,3 @@\n-a\n+A\n b\n c\n\\ No newline at end of file\n"},
	{"line added at the top", "1\n2\n3\n4\n5\n", "0\n1\n2\n3\n4\n5\n", "@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"},
}

func TestUnifiedDiff(t *testing.T) {
	for _, c := range diffCases {
		want := "--- a/x\n+++ b/x\n" + c.want
		if got := UnifiedDiff("a/x", "b/x", []byte(c.old), []byte(c.new)); got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", c.name, got, want)
		}
	}
	for _, s := range []string{"", "a", "a\nb\n"} {
		if d := UnifiedDiff("a/x", "b/x", []byte(s), []byte(s)); d != "" {
			t.Errorf("diff of equal %q: %q", s, d)
		}
	}
}

// Every diff, the edge cases and a few hundred random ones, is a patch
// that real git applies to the old content to give exactly the new one.
func TestUnifiedDiffAppliesWithGit(t *testing.T) {
	nixtest.RequireGit(t)
	t.Parallel()
	r := rand.New(rand.NewSource(1))
	randomText := func() string {
		var b strings.Builder
		n := r.Intn(20)
		for i := range n {
			b.WriteByte(byte('a' + r.Intn(4)))
			if i < n-1 || r.Intn(3) > 0 {
				b.WriteByte('\n')
			}
		}
		return b.String()
	}
	type pair struct{ old, new string }
	var pairs []pair
	for _, c := range diffCases {
		pairs = append(pairs, pair{c.old, c.new})
	}
	for len(pairs) < 300 {
		if p := (pair{randomText(), randomText()}); p.old != p.new {
			pairs = append(pairs, p)
		}
	}
	dir := t.TempDir()
	var patch strings.Builder
	for i, p := range pairs {
		name := fmt.Sprint(i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(p.old), 0o644); err != nil {
			t.Fatal(err)
		}
		patch.WriteString(UnifiedDiff("a/"+name, "b/"+name, []byte(p.old), []byte(p.new)))
	}
	cmd := exec.Command("git", "apply", "-")
	cmd.Dir = dir
	// Outside any repository, so the paths are relative to dir even when
	// the temporary directory is inside a work tree.
	cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir))
	cmd.Stdin = strings.NewReader(patch.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s", err, out)
	}
	for i, p := range pairs {
		got, err := os.ReadFile(filepath.Join(dir, fmt.Sprint(i)))
		if err != nil || string(got) != p.new {
			t.Errorf("%q -> %q: git apply gave %q (%v) from\n%s", p.old, p.new, got, err,
				UnifiedDiff("a/x", "b/x", []byte(p.old), []byte(p.new)))
		}
	}
}
