package flakegen

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	large, changed := largeEdit(10000)
	pairs = append(pairs, pair{string(large), string(changed)})
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

// A large file changed in a few places gives a diff of those few lines,
// in one hunk each, at a cost in memory of the order of the file: the
// hand-written diff this replaced allocated a table of (n+1)x(m+1) ints,
// 783 MiB for these 10,000 lines. The bound is on bytes allocated, which
// do not depend on the machine's load; speed is BenchmarkUnifiedDiff's.
func TestUnifiedDiffLargeFile(t *testing.T) {
	old, new := largeEdit(10000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d := UnifiedDiff("a/x", "b/x", old, new)
	runtime.ReadMemStats(&after)
	const limit = 32 << 20
	if got := after.TotalAlloc - before.TotalAlloc; got > limit {
		t.Errorf("diff of a %d-byte file allocated %d MiB, more than %d MiB", len(old), got>>20, limit>>20)
	}
	var hunks, removed, added int
	for _, l := range strings.Split(strings.TrimSuffix(d, "\n"), "\n")[2:] {
		switch l[0] {
		case '@':
			hunks++
		case '-':
			removed++
		case '+':
			added++
		}
	}
	// largeEdit changes one line, inserts two, deletes one and changes the
	// last: four places, three old lines out and four new lines in.
	if hunks != 4 || removed != 3 || added != 4 {
		t.Errorf("%d hunks, %d lines removed, %d added; want 4, 3, 4:\n%s", hunks, removed, added, d)
	}
}
