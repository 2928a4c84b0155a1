package wizardlogic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// DirInside keeps the demo's configuration directory inside its temporary
// directory, by path and by where links in it lead.
func TestDirInside(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		dir, root string
		ok        bool
	}{
		{"/home/someone/.config/home-manager", "", true},
		{root, root, true},
		{filepath.Join(root, "home-manager"), root, true},
		{filepath.Join(root, "a", "b", "c"), root, true},
		{outside, root, false},
		{filepath.Join(root, "..", filepath.Base(outside)), root, false},
		{root + "-sibling", root, false},
		{"/", root, false},
		{filepath.Join(root, "link"), root, false},
		{filepath.Join(root, "link", "home-manager"), root, false},
	} {
		err := DirInside(c.dir, c.root)
		if (err == nil) != c.ok {
			t.Errorf("DirInside(%q, %q) = %v, want ok %v", c.dir, c.root, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "the demo writes only inside its temporary directory "+c.root) {
			t.Errorf("DirInside(%q): the error does not say where the demo writes: %v", c.dir, err)
		}
	}
}
