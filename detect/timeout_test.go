package detect_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/detect/detecttest"
)

// hangingID is a machine whose `id` never answers: it waits until the
// probe's deadline, as a command does when the probe timeout is too short.
type hangingID struct{ detect.Machine }

func (m hangingID) Run(ctx context.Context, name string, args ...string) (detect.Output, error) {
	if filepath.Base(name) == "id" {
		<-ctx.Done()
		return detect.Output{}, ctx.Err()
	}
	return m.Machine.Run(ctx, name, args...)
}

// TestTimedOutUserName: without USER and LOGNAME, the name comes from
// `id -un`; when that probe times out the check says so (and is a warning:
// nothing is known to be wrong), instead of saying that `id -un` gave
// nothing.
func TestTimedOutUserName(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"NIXBOARD_ROOT": root, "NIXBOARD_GOOS": "linux", "HOME": "/home/u", "PATH": "/bin"}
	m, err := detect.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	r := detect.Run(context.Background(), hangingID{m}, detect.Options{Timeout: 500 * time.Millisecond})
	c := find(r, "user.name")
	if c.Status != detect.StatusWarn || !strings.Contains(c.Message, "did not answer in time") || strings.Contains(c.Message, "gave nothing") {
		t.Errorf("user.name = %+v, want a warning that `id -un` did not answer in time", c)
	}
	if !strings.Contains(c.Message, "--timeout") || !strings.Contains(c.Fix, "USER=") {
		t.Errorf("user.name = %+v: it offers neither a longer timeout nor setting USER", c)
	}
}

// TestTimedOutIDKeepsDaemonVerdict: with the daemon down, whether the
// switch is stopped depends on being root, which `id -u` tells. When that
// probe times out and nothing else knows the uid, the daemon check says
// the probe timed out and does not turn into a failure of its own: the
// verdict of a run does not depend on how fast `id` was this time.
func TestTimedOutIDKeepsDaemonVerdict(t *testing.T) {
	t.Parallel()
	env := detecttest.Env(t, "daemon-down")
	delete(env, "USER")
	delete(env, "LOGNAME")
	m, err := detect.FromEnv(detecttest.Getenv(env))
	if err != nil {
		t.Fatal(err)
	}
	r := detect.Run(context.Background(), hangingID{m}, detect.Options{Timeout: 500 * time.Millisecond})
	c := find(r, "nix.daemon")
	if c.Status != detect.StatusWarn || !strings.Contains(c.Message, "did not answer in time") {
		t.Errorf("nix.daemon = %+v, want a warning that says `id -u` timed out", c)
	}
	for _, c := range r.Checks {
		if c.Status == detect.StatusFail {
			t.Errorf("a timed-out probe made a failure: %+v", c)
		}
	}
}

// TestLastRunUserNameFollowsUSER: the last run's answers name another user
// than $USER. home-manager's activation (checkUsername) stops unless $USER
// equals home.username, so doctor warns and the defaults take $USER.
func TestLastRunUserNameFollowsUSER(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "home/u/.config/home-manager")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	answers := `{"version":1,"homeBase":{"username":"bob","homeDirectory":"/home/u"},"hostname":"box","system":"x86_64-linux","platform":"linux"}`
	os.WriteFile(filepath.Join(dir, "nixboard.json"), []byte(answers), 0o644)
	os.MkdirAll(filepath.Join(root, "home/u"), 0o755)
	env := map[string]string{"NIXBOARD_ROOT": root, "NIXBOARD_GOOS": "linux", "HOME": "/home/u", "USER": "u", "PATH": "/bin"}
	m, err := detect.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	r := detect.Run(context.Background(), m, detect.Options{})
	if c := find(r, "homeManager.answers"); c.Status != detect.StatusOK {
		t.Fatalf("the answers file was not read: %+v", c)
	}
	c := find(r, "user.name")
	if c.Status != detect.StatusWarn || !strings.Contains(c.Message, "bob") || !strings.Contains(c.Message, "USER is u") {
		t.Errorf("user.name = %+v, want a warning naming both users", c)
	}
	if got := r.Defaults.HomeBase.Username; got != "u" {
		t.Errorf("defaults username = %q, want u ($USER)", got)
	}
}
