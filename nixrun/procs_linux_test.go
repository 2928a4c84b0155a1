package nixrun

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// TestInterruptKillsDescendantsOutsideTheGroup: a child that left the
// process group with setsid (as nix's builders do) and ignores SIGINT,
// under a parent that ignores SIGINT too, is still killed.
func TestInterruptKillsDescendantsOutsideTheGroup(t *testing.T) {
	if _, err := exec.LookPath("setsid"); err != nil {
		t.Skip("setsid not installed")
	}
	t.Parallel()
	marker := "nixboard-setsid-" + strconv.Itoa(os.Getpid())
	script := `trap '' INT; setsid env NIXBOARD_MARK=` + marker + ` /bin/sh -c 'trap "" INT; echo started; exec sleep 60' & while :; do sleep 1; done`
	r, err := Start(context.Background(), Plan{Argv: []string{"/bin/sh", "-c", script}, Env: []string{"PATH=/usr/bin:/bin"}, Dir: t.TempDir(), LogDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			if _, err := r.Next(); err != nil {
				return
			}
		}
	}()
	var sleeper proc
	for i := 0; i < 100 && sleeper.pid == 0; i++ {
		time.Sleep(20 * time.Millisecond)
		for _, p := range descendants(r.Pid()) {
			env, _ := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/environ")
			cmd, _ := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/cmdline")
			if bytes.Contains(env, []byte(marker)) && bytes.HasPrefix(cmd, []byte("sleep")) {
				sleeper = p
			}
		}
	}
	if sleeper.pid == 0 {
		t.Fatal("the setsid child never started")
	}
	r.Interrupt()
	r.Wait()
	// Interrupt returns once what it killed has exited: no waiting here.
	if cur, ok := procStat(sleeper.pid); ok && cur.start == sleeper.start {
		t.Errorf("the child outside the process group (pid %d) survived the interrupt", sleeper.pid)
	}
}
