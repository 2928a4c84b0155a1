package proc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// proc names one process by its pid and start time, so a pid the kernel
// reused for another process is never signalled.
type proc struct {
	pid   int
	start string
	// leads is true when the process led a process group of its own when
	// it was listed (a builder that called setsid does).
	leads bool
}

// id names the process as pid and start time.
func (p proc) id() string { return strconv.Itoa(p.pid) + "@" + p.start }

// procInfo is what /proc/PID/stat says about one live process.
type procInfo struct {
	proc
	ppid, pgrp int
}

// procStat reads /proc/PID/stat; ok is false for a process that is gone
// or a zombie (it has exited; only its parent's wait is missing).
func procStat(pid int) (procInfo, bool) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return procInfo{}, false
	}
	// The command name may hold spaces and parentheses; the fields after
	// the last ")" are: state ppid pgrp session ... starttime (field 22).
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procInfo{}, false
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return procInfo{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	pgrp, _ := strconv.Atoi(f[2])
	return procInfo{proc: proc{pid: pid, start: f[19], leads: pgrp == pid}, ppid: ppid, pgrp: pgrp}, true
}

// allProcs lists every live process.
func allProcs() []procInfo {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []procInfo
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := procStat(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// descendants lists every live process below root, whatever its process
// group or session: nix starts its builders with setsid, so they are not in
// the switch's process group, but they are its descendants while nix lives.
func descendants(root int) []proc {
	return below(allProcs(), []int{root}, nil)
}

// below lists the processes of ps below the roots, breadth first, skipping
// those in seen (and adding what it lists to seen when seen is not nil).
func below(ps []procInfo, roots []int, seen map[int]bool) []proc {
	children := map[int][]proc{}
	for _, p := range ps {
		children[p.ppid] = append(children[p.ppid], p.proc)
	}
	var out []proc
	queue := roots
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if seen != nil {
				if seen[c.pid] {
					continue
				}
				seen[c.pid] = true
			}
			out = append(out, c)
			queue = append(queue, c.pid)
		}
	}
	return out
}

// stopTree kills what is left of a process: every process of the group
// pgid (when group is set; an attached process has no group of its own,
// and pgid is then only the root whose descendants go), the processes noted
// earlier (tree, listed while the leader still was their parent), every
// process of a group one of them led (a builder that called setsid leads
// one, and what it started stays in it when the builder is gone: an orphan
// below nothing of ours), and everything below any of them; then it waits
// until each of them has exited. Processes that appear meanwhile (started
// by one that was not killed yet) are found by looking again, until a look
// finds none or wait is over. A process that was noted but is now another
// process (its pid reused) is left alone.
func stopTree(pgid int, group bool, tree []proc, wait time.Duration) {
	deadline := time.Now().Add(wait)
	groups := map[int]bool{}
	if group {
		groups[pgid] = true
	}
	for _, p := range tree {
		if p.leads {
			groups[p.pid] = true
		}
	}
	killed := map[string]bool{} // pid and start time of each process killed
	for {
		targets := stopTargets(pgid, groups, tree, killed)
		if len(targets) == 0 {
			return
		}
		for _, p := range targets {
			killed[p.id()] = true
		}
		killAndWait(targets, groups, time.Until(deadline))
		if time.Now().After(deadline) {
			return
		}
	}
}

// stopTargets lists the live processes stopTree stops: the noted ones
// still alive, the members of groups, and everything below pgid and
// them, leaving out those already killed (which have exited).
func stopTargets(pgid int, groups map[int]bool, tree []proc, killed map[string]bool) []proc {
	ps := allProcs()
	alive := map[int]procInfo{}
	for _, p := range ps {
		alive[p.pid] = p
	}
	seen := map[int]bool{}
	var targets []proc
	add := func(p proc) {
		if !seen[p.pid] {
			seen[p.pid] = true
			targets = append(targets, p)
		}
	}
	for _, p := range tree {
		if cur, ok := alive[p.pid]; ok && cur.start == p.start {
			add(p)
		}
	}
	for _, p := range ps {
		if groups[p.pgrp] {
			add(p.proc)
		}
	}
	roots := []int{pgid}
	for _, p := range targets {
		roots = append(roots, p.pid)
	}
	for _, p := range below(ps, roots, seen) {
		targets = append(targets, p)
	}
	var out []proc
	for _, p := range targets {
		if !killed[p.id()] {
			out = append(out, p)
		}
	}
	return out
}

// killAndWait sends SIGKILL to targets and to the groups, and waits until
// each target has exited, at most wait.
func killAndWait(targets []proc, groups map[int]bool, wait time.Duration) {
	// A pidfd holds on to the process itself: once the start time read
	// after opening it still matches, a signal sent through it cannot
	// reach another process, and it becomes readable when the process
	// has exited, which is what is waited for.
	var fds []int
	var unwatched []proc
	for _, p := range targets {
		fd, err := unix.PidfdOpen(p.pid, 0)
		if err != nil {
			if errors.Is(err, unix.ESRCH) {
				continue
			}
			// No pidfds (a kernel older than 5.3): signal by pid.
			if cur, ok := procStat(p.pid); ok && cur.start == p.start {
				_ = syscall.Kill(p.pid, syscall.SIGKILL)
				unwatched = append(unwatched, p)
			}
			continue
		}
		if cur, ok := procStat(p.pid); !ok || cur.start != p.start {
			unix.Close(fd)
			continue
		}
		fds = append(fds, fd)
	}
	// A group id stays taken while the group has members, so signalling a
	// group whose leader is gone reaches only what is left of it.
	for g := range groups {
		_ = syscall.Kill(-g, syscall.SIGKILL)
	}
	for _, fd := range fds {
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
	}
	waitExited(fds, unwatched, wait)
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// waitExited waits until every pidfd is readable (its process exited) and
// every unwatched process is gone from /proc, at most wait.
func waitExited(fds []int, unwatched []proc, wait time.Duration) {
	deadline := time.Now().Add(wait)
	pending := append([]int(nil), fds...)
	for len(pending) > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			return
		}
		pfds := make([]unix.PollFd, len(pending))
		for i, fd := range pending {
			pfds[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
		}
		n, err := unix.Poll(pfds, int(left.Milliseconds())+1)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return
		}
		if n <= 0 {
			continue
		}
		var still []int
		for i, p := range pfds {
			if p.Revents == 0 {
				still = append(still, pending[i])
			}
		}
		pending = still
	}
	// Without pidfds there is nothing to wait on but /proc itself.
	for _, p := range unwatched {
		for {
			cur, ok := procStat(p.pid)
			if !ok || cur.start != p.start || time.Now().After(deadline) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
