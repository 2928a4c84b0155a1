package switchtest

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// gateDeadline bounds each wait of these tests, for a loaded machine; the
// waits end at their events.
const gateDeadline = 2 * time.Minute

// TestGateHoldsADownloadAndABuildAtOnce builds the fixture's generation
// with the real nix (in both modes) against a gated fixture: the cache
// holds git's download halfway and hm_.bashrc's build waits on its fifo,
// and nix's own log then says both run at the same time, the download
// with bytes done and expected. Once released, the build succeeds.
func TestGateHoldsADownloadAndABuildAtOnce(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
		f := New(t, Config{Gate: true, Mode: mode})
		args := append([]string{"build", "--no-link", "--log-format", "internal-json", "-v"}, f.ExtraArgs...)
		args = append(args, "path:"+f.Dir+"#homeConfigurations.\""+f.Name+"\".activationPackage")
		cmd := exec.Command("nix", args...)
		cmd.Env = f.Env
		log := newActivityLog()
		cmd.Stderr = log
		// A builder nix leaves behind must not hold the test on its
		// stderr.
		cmd.WaitDelay = 10 * time.Second
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() {
			err := cmd.Wait()
			close(log.done)
			exited <- err
		}()
		t.Cleanup(func() {
			// A failed test must not leave nix behind: release, then wait.
			f.Release()
			select {
			case <-log.done:
			case <-time.After(gateDeadline):
				cmd.Process.Kill()
			}
		})

		if err := f.AwaitGatedDownload(gateDeadline); err != nil {
			t.Fatalf("%v\nnix's log:\n%s", err, log.text())
		}
		stop := make(chan struct{})
		go func() {
			<-log.done
			close(stop)
		}()
		pid, err := f.AwaitGatedBuild(stop, gateDeadline)
		if err != nil {
			t.Fatalf("%v\nnix's log:\n%s", err, log.text())
		}
		if _, ok := ProcOf(pid); !ok {
			t.Errorf("the held build (pid %d) is not running", pid)
		}
		// Nix logs the two a moment before the builder and the cache see
		// them: wait for its log to say both run, with bytes moving.
		if !log.await(gateDeadline, func(l *activityLog) bool {
			d, ok := l.running(actCopyPath, GatedPackage)
			_, b := l.running(actBuild, GatedBuild)
			return ok && b && d.done > 0 && d.expected > d.done
		}) {
			t.Fatalf("nix's log never showed %s downloading (some bytes of all) while %s builds:\n%s", GatedPackage, GatedBuild, log.text())
		}
		d, _ := log.running(actCopyPath, GatedPackage)
		t.Logf("held: %s at %d of %d bytes, %s (pid %d)", GatedPackage, d.done, d.expected, GatedBuild, pid)
		f.Release()
		if err := <-exited; err != nil {
			t.Fatalf("nix build after the release: %v\n%s", err, log.text())
		}
		for _, name := range []string{GatedPackage, GatedBuild} {
			if _, ok := log.running(map[string]int{GatedPackage: actCopyPath, GatedBuild: actBuild}[name], name); ok {
				t.Errorf("%s still running at the end", name)
			}
		}
		f.CheckMode(t)
	})
}

// The activity types of nix's internal-json log this test follows.
const (
	actCopyPath = 100
	actBuild    = 105
	resProgress = 105
)

// activityLog follows nix's internal-json log: which activities run, and
// their progress.
type activityLog struct {
	mu      sync.Mutex
	acts    map[int64]*activity
	lines   []string
	partial []byte
	notify  chan struct{}
	done    chan struct{}
}

type activity struct {
	typ            int
	text           string
	done, expected int64
	stopped        bool
}

func newActivityLog() *activityLog {
	return &activityLog{acts: map[int64]*activity{}, notify: make(chan struct{}, 1), done: make(chan struct{})}
}

// Write takes nix's stderr, line by line.
func (l *activityLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.line(string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	l.mu.Unlock()
	select {
	case l.notify <- struct{}{}:
	default:
	}
	return len(p), nil
}

// line folds one line of the log (l.mu held).
func (l *activityLog) line(line string) {
	l.lines = append(l.lines, line)
	js, ok := strings.CutPrefix(line, "@nix ")
	if !ok {
		return
	}
	var ev struct {
		Action string            `json:"action"`
		ID     int64             `json:"id"`
		Type   int               `json:"type"`
		Text   string            `json:"text"`
		Fields []json.RawMessage `json:"fields"`
	}
	if json.Unmarshal([]byte(js), &ev) != nil {
		return
	}
	switch ev.Action {
	case "start":
		l.acts[ev.ID] = &activity{typ: ev.Type, text: ev.Text}
	case "stop":
		if a := l.acts[ev.ID]; a != nil {
			a.stopped = true
		}
	case "result":
		if a := l.acts[ev.ID]; a != nil && ev.Type == resProgress && len(ev.Fields) >= 2 {
			json.Unmarshal(ev.Fields[0], &a.done)
			json.Unmarshal(ev.Fields[1], &a.expected)
		}
	}
}

// running returns the running activity of type typ whose text names name.
func (l *activityLog) running(typ int, name string) (activity, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, a := range l.acts {
		if a.typ == typ && !a.stopped && strings.Contains(a.text, name) {
			return *a, true
		}
	}
	return activity{}, false
}

// await waits until cond holds, checking it whenever a line arrives, at
// most timeout.
func (l *activityLog) await(timeout time.Duration, cond func(*activityLog) bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for !cond(l) {
		select {
		case <-l.notify:
		case <-l.done:
			return cond(l)
		case <-timer.C:
			return cond(l)
		}
	}
	return true
}

func (l *activityLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
