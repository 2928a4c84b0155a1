//go:build unix

package detect

import (
	"io/fs"
	"syscall"
)

// fileOwner is the uid that owns a file, where the machine's file info
// carries it (the host's does; a fixture root's and the demo's do not).
func fileOwner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st == nil {
		return 0, false
	}
	return int(st.Uid), true
}
