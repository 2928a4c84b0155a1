//go:build !linux

package nixrun

// proc names one process; other systems rely on the process group alone.
type proc struct{}

func descendants(int) []proc { return nil }

func killProcs([]proc) {}
