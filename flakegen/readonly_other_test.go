//go:build !linux

package flakegen

import (
	"os"
	"testing"
)

// readOnlyDir returns a directory the test process cannot write to. Root
// ignores permission bits, and read-only mounts are Linux's here, so root
// skips the test on other systems.
func readOnlyDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() == 0 {
		t.Skip("root can write to any directory, and a read-only mount needs Linux")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	return dir
}
