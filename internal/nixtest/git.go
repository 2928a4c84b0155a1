package nixtest

import (
	"os"
	"path/filepath"
	"testing"
)

// MakeForeignRepo makes the git repository at dir belong to someone else
// in git's eyes, so that git refuses it with "detected dubious ownership"
// (what a person meets after `sudo git init`, or in a directory another
// user shares). As root it gives the whole tree to uid 12345, which is the
// real thing; otherwise it returns GIT_TEST_ASSUME_DIFFERENT_OWNER=1, git's
// own switch for the same check, for the caller to add to git's
// environment. (Debian's git 2.39 has both.)
func MakeForeignRepo(t testing.TB, dir string) (extraEnv []string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return []string{"GIT_TEST_ASSUME_DIFFERENT_OWNER=1"}
	}
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 12345, 12345)
	})
	if err != nil {
		t.Fatalf("give %s to another user: %v", dir, err)
	}
	return nil
}
