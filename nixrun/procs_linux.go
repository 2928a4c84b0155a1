package nixrun

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// proc names one process by its pid and start time, so a pid the kernel
// reused for another process is never signalled.
type proc struct {
	pid   int
	start string
}

// procStat returns the parent pid and the start time of pid.
func procStat(pid int) (ppid int, start string, ok bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, "", false
	}
	// The command name may hold spaces and parentheses; the fields after
	// the last ")" are: state ppid pgrp session ... starttime (field 22).
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, "", false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 || f[0] == "Z" {
		return 0, "", false
	}
	ppid, _ = strconv.Atoi(f[1])
	return ppid, f[19], true
}

// descendants lists every live process below root, whatever its process
// group or session: nix starts its builders with setsid, so they are not in
// the switch's process group, but they are its descendants while nix lives.
func descendants(root int) []proc {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]proc{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, start, ok := procStat(pid); ok {
			children[ppid] = append(children[ppid], proc{pid, start})
		}
	}
	var out []proc
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c.pid)
		}
	}
	return out
}

// killProcs kills each listed process (and the group it leads, if any)
// that is still the same process.
func killProcs(ps []proc) {
	for _, p := range ps {
		if _, start, ok := procStat(p.pid); ok && start == p.start {
			_ = syscall.Kill(-p.pid, syscall.SIGKILL)
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
}
