//go:build !linux

package proc

import (
	"syscall"
	"time"
)

// proc names one process; other systems rely on the process group alone.
type proc struct{}

func descendants(int) []proc { return nil }

// stopTree kills the process group (or, for an attached process, the
// process alone); other systems have no /proc to find the processes that
// left it, nor a way to wait for them.
func stopTree(pgid int, group bool, _ []proc, _ time.Duration) {
	if group {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return
	}
	_ = syscall.Kill(pgid, syscall.SIGKILL)
}
