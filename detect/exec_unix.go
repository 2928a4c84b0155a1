//go:build unix

package detect

import (
	"os/exec"
	"syscall"
)

// killGroup makes cmd the leader of its own process group and, when its
// context ends, kills the whole group, so a stub script's children (a sleep)
// die with it instead of keeping its output open.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
