//go:build !unix

package detect

import "os/exec"

// killGroup leaves cmd as it is: without process groups only the command
// itself is killed when its context ends, and WaitDelay bounds the rest.
func killGroup(*exec.Cmd) {}
