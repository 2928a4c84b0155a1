//go:build !linux

package nixrun

import (
	"syscall"
	"time"
)

// proc names one process; other systems rely on the process group alone.
type proc struct{}

func descendants(int) []proc { return nil }

// stopTree kills the process group; other systems have no /proc to find
// the processes that left it, nor a way to wait for them.
func stopTree(pgid int, _ []proc, _ time.Duration) {
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
}
