package nixrun

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/nixlog"
)

// writeConfig makes a directory that looks rendered: flake.nix and answers.
func writeConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "flake.nix"), []byte("{ outputs = _: { }; }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "nixboard.json"), []byte(`{"homeBase":{"username":"ada"},"hostname":"box","system":"x86_64-linux","platform":"linux"}`), 0o644)
	return dir
}

// fakeBin puts empty executables with the given names in a new directory.
func fakeBin(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755)
	}
	return dir
}

func envValue(env []string, key string) (string, int) {
	v, n := "", 0
	for _, kv := range env {
		if k, val, _ := strings.Cut(kv, "="); k == key {
			v, n = val, n+1
		}
	}
	return v, n
}

func TestNewPlan(t *testing.T) {
	dir := writeConfig(t)
	withHM := fakeBin(t, "home-manager", "nix", "git")
	onlyNix := fakeBin(t, "nix")
	notExec := t.TempDir()
	os.WriteFile(filepath.Join(notExec, "home-manager"), []byte("x"), 0o644)
	tests := []struct {
		name      string
		env       []string
		extra     []string
		wantArgv  []string
		wantCfg   string
		installed bool
	}{
		{
			name:      "installed home-manager, own NIX_CONFIG kept",
			env:       []string{"HOME=/h", "PATH=" + withHM, "NIX_CONFIG=max-jobs = 4\n"},
			wantArgv:  []string{withHM + "/home-manager", "switch", "--flake", dir + "#ada@box", "-b", DefaultBackupExt, "--log-format", "internal-json", "-v"},
			wantCfg:   "max-jobs = 4\n" + FlakesConfig,
			installed: true,
		},
		{
			name:     "first run through nix run, extra args passed through",
			env:      []string{"HOME=/h", "PATH=" + notExec + ":relative:" + onlyNix},
			extra:    []string{"--override-input", "nixpkgs", "path:/x"},
			wantArgv: []string{onlyNix + "/nix", "run", dir + "#home-manager", "--", "switch", "--flake", dir + "#ada@box", "-b", DefaultBackupExt, "--log-format", "internal-json", "-v", "--override-input", "nixpkgs", "path:/x"},
			wantCfg:  FlakesConfig,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPlan(SwitchOptions{Dir: dir, Env: tt.env, ExtraArgs: tt.extra})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(p.Argv, "\x00") != strings.Join(tt.wantArgv, "\x00") {
				t.Errorf("argv =\n%q\nwant\n%q", p.Argv, tt.wantArgv)
			}
			if cfg, n := envValue(p.Env, "NIX_CONFIG"); cfg != tt.wantCfg || n != 1 {
				t.Errorf("NIX_CONFIG = %q (%d times), want %q once", cfg, n, tt.wantCfg)
			}
			if p.Installed != tt.installed {
				t.Errorf("Installed = %v", p.Installed)
			}
			if p.ProfileDir != "/h/.local/state/nix/profiles" || p.LogDir != "/h/.local/state/nixboard/logs" {
				t.Errorf("profile dir %q, log dir %q", p.ProfileDir, p.LogDir)
			}
		})
	}
	p, _ := NewPlan(SwitchOptions{Dir: dir, Env: []string{"HOME=/h", "XDG_STATE_HOME=/s", "PATH=" + onlyNix}})
	if p.ProfileDir != "/s/nix/profiles" || p.LogDir != "/s/nixboard/logs" {
		t.Errorf("XDG_STATE_HOME ignored: %q %q", p.ProfileDir, p.LogDir)
	}
	if s := p.String(); !strings.HasPrefix(s, "'NIX_CONFIG=extra-experimental-features = nix-command flakes' "+onlyNix+"/nix run") {
		t.Errorf("String() = %q", s)
	}
}

func TestNewPlanErrors(t *testing.T) {
	dir := writeConfig(t)
	nix := fakeBin(t, "nix")
	empty := t.TempDir()
	noName := t.TempDir()
	os.WriteFile(filepath.Join(noName, "flake.nix"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(noName, "nixboard.json"), []byte(`{"homeBase":{"username":""},"hostname":"box"}`), 0o644)
	for _, tt := range []struct {
		opts SwitchOptions
		want string
	}{
		{SwitchOptions{}, "no configuration directory"},
		{SwitchOptions{Dir: empty, Env: []string{"PATH=" + nix}}, "has no flake.nix"},
		{SwitchOptions{Dir: dir, Env: []string{"PATH=" + empty}}, "neither home-manager nor nix is on PATH"},
		{SwitchOptions{Dir: noName, Env: []string{"PATH=" + nix}}, "homeBase.username is empty"},
	} {
		if _, err := NewPlan(tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewPlan(%+v) = %v, want %q", tt.opts, err, tt.want)
		}
	}
	// An explicit name needs no answers file.
	if p, err := NewPlan(SwitchOptions{Dir: noName, ConfigName: "u@h", Env: []string{"HOME=/h", "PATH=" + nix}}); err != nil || p.Flake != noName+"#u@h" {
		t.Errorf("explicit name: %v %v", p.Flake, err)
	}
	// Without HOME in the given environment the plan fails rather than
	// take the process's own (or write logs under the working directory).
	if _, err := NewPlan(SwitchOptions{Dir: noName, ConfigName: "u@h", Env: []string{"PATH=" + nix}}); err == nil || !strings.Contains(err.Error(), "HOME is not set") {
		t.Errorf("no HOME: err = %v, want HOME is not set", err)
	}
}

func TestPrepareTracksFilesAndMakesProfileDir(t *testing.T) {
	git := nixtest.RequireGit(t)
	dir := writeConfig(t)
	os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("secret\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "secret"), []byte("x"), 0o644)
	state := t.TempDir()
	p, err := NewPlan(SwitchOptions{Dir: dir, Env: []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + state, "PATH=" + filepath.Dir(git) + ":/usr/bin:/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	p.Argv[0] = "/bin/true"
	if err := Prepare(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("git", "-C", dir, "ls-files").Output()
	if got := strings.Fields(string(out)); strings.Join(got, " ") != ".gitignore flake.nix nixboard.json" {
		t.Errorf("tracked = %v", got)
	}
	if fi, err := os.Stat(filepath.Join(state, "nix/profiles")); err != nil || !fi.IsDir() {
		t.Errorf("profile dir not made: %v", err)
	}
}

func TestRunStreamsBothStreamsAndSavesTheLog(t *testing.T) {
	logDir := t.TempDir()
	began := time.Now()
	script := `echo out1; echo err1 >&2; printf 'crlf\r\n'; sleep 0.12; echo out2; head -c $((LONG)) /dev/zero | tr '\0' y; echo; printf 'last'; exit 3`
	r, err := Start(context.Background(), Plan{Argv: []string{"/bin/sh", "-c", script}, Env: []string{"PATH=/usr/bin:/bin", "LONG=" + strconv.Itoa(nixlog.MaxLineBytes+10)}, Dir: t.TempDir(), LogDir: logDir})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var ats []time.Duration
	for {
		batch, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		for _, l := range batch {
			got = append(got, string(l.Text))
			ats = append(ats, l.At)
		}
	}
	// The first line is the run's header, for the state.
	if len(got) == 0 || !strings.HasPrefix(got[0], `@nixboard {"action":"header"`) {
		t.Fatalf("the first line is not the header: %q", got[:min(1, len(got))])
	}
	got, ats = got[1:], ats[1:]
	if err := r.Wait(); err == nil || r.ExitStatus() != 3 {
		t.Errorf("exit = %v, status %d; want status 3", err, r.ExitStatus())
	}
	ran := time.Since(began)
	// stdout and stderr share one pipe (internal/proc): the lines keep
	// the order they were written in.
	if len(got) != 6 || got[0] != "out1" || got[1] != "err1" || got[2] != "crlf" ||
		got[3] != "out2" || len(got[4]) != nixlog.MaxLineBytes || got[5] != "last" {
		t.Fatalf("lines = %d %q", len(got), got[:min(4, len(got))])
	}
	if !(ats[3] >= 100*time.Millisecond) {
		t.Errorf("times %v", ats)
	}
	data, _ := os.ReadFile(r.LogPath())
	if !strings.HasPrefix(r.LogPath(), logDir+"/switch-") {
		t.Errorf("log path %s", r.LogPath())
	}
	text := string(data)
	// The log starts with how the run was started.
	first, _, _ := strings.Cut(text, "\n")
	if h, ok := nixlog.ParseRunHeader([]byte(first)); !ok || len(h.Argv) != 3 || h.Argv[2] != script || h.Env["PATH"] != "/usr/bin:/bin" || !slices.Contains(h.Names, "LONG") {
		t.Errorf("the saved log's first line is not its header: %q", first)
	}
	for _, want := range []string{"out1\n", "err1\n", "out2\n", "last\n", string(nixlog.ExitMarker(3))} {
		if !strings.Contains(text, want) {
			t.Errorf("saved log lacks %q", want)
		}
	}
	if n := strings.Count(text, strings.TrimSuffix(string(nixlog.TimeMarker(0)), "0}\n")); n < 3 {
		t.Errorf("saved log has %d time markers, want one at the start, one after the pause and one at the end", n)
	}
	// The saved log replays with its recorded pace: out2 after ~120ms.
	clock := &sleepClock{now: time.Unix(0, 0)}
	rep := nixlog.NewReplay(bytes.NewReader(data), nixlog.ReplayOptions{Speed: 2, Now: clock.Now, Sleep: clock.Sleep})
	var lines []string
	for {
		batch, err := rep.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		for _, l := range batch {
			lines = append(lines, string(l.Text))
		}
	}
	if len(lines) != 8 || lines[7] != strings.TrimSuffix(string(nixlog.ExitMarker(3)), "\n") {
		t.Errorf("replayed %d lines, last %q", len(lines), lines[len(lines)-1])
	}
	// At speed 2 the replay sleeps half of the recorded pauses: about
	// half of the script's 120ms, and no more than half of how long the
	// run took, however slow a loaded machine made it.
	if clock.slept < 50*time.Millisecond || clock.slept > ran/2 {
		t.Errorf("replay at speed 2 slept %v, want at least 50ms and at most half of the run's %v", clock.slept, ran)
	}
}

// sleepClock is a fake clock whose Sleep only moves it on.
type sleepClock struct {
	now   time.Time
	slept time.Duration
}

func (c *sleepClock) Now() time.Time { return c.now }
func (c *sleepClock) Sleep(d time.Duration) {
	c.now = c.now.Add(d)
	c.slept += d
}

func TestStartFailureLeavesNoLog(t *testing.T) {
	logDir := t.TempDir()
	_, err := Start(context.Background(), Plan{Argv: []string{filepath.Join(t.TempDir(), "missing")}, Dir: t.TempDir(), LogDir: logDir})
	if err == nil {
		t.Fatal("started a missing program")
	}
	if entries, _ := os.ReadDir(logDir); len(entries) != 0 {
		t.Errorf("a run that never started left %d log files", len(entries))
	}
}

// TestRunDiagnose judges real runs: an exit status fails with its reason,
// and a run stopped by Interrupt fails as "interrupted", whatever its
// exit status says.
func TestRunDiagnose(t *testing.T) {
	for _, tt := range []struct {
		script    string
		interrupt bool
		ok        bool
		reason    string
	}{
		{"echo fine", false, true, ""},
		{"exit 3", false, false, "exited with status 3"},
		{"echo started; sleep 30", true, false, "interrupted"},
	} {
		r, err := Start(context.Background(), Plan{Argv: []string{"/bin/sh", "-c", tt.script}, Env: []string{"PATH=/usr/bin:/bin"}, Dir: t.TempDir(), LogDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		s := nixlog.NewState(nixlog.Options{})
		batch, err := r.Next()
		s.FeedLines(batch)
		if tt.interrupt {
			r.Interrupt()
		}
		for err == nil {
			batch, err = r.Next()
			s.FeedLines(batch)
		}
		d := r.Diagnose(s)
		if d.OK != tt.ok || !strings.Contains(d.Reason, tt.reason) {
			t.Errorf("%q (interrupt %v): %+v, want ok=%v reason %q", tt.script, tt.interrupt, d, tt.ok, tt.reason)
		}
	}
}
