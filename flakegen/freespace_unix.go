//go:build linux || darwin

package flakegen

import "syscall"

// freeSpaceAt reports the space an unprivileged user may still use on the
// file system of dir.
func freeSpaceAt(dir string) (freeSpace, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return freeSpace{}, false
	}
	bs := uint64(st.Bsize)
	// Files is 0 on file systems without an inode limit (btrfs, some
	// network file systems).
	return freeSpace{bytes: uint64(st.Bavail) * bs, blockSize: bs, inodes: uint64(st.Ffree), inodesKnown: st.Files > 0}, true
}
