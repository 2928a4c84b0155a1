package nixlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestRunHeader: the header of a saved log keeps the command line and the
// variables that decide what nix does, and no secret: a variable whose
// name looks secret, a NIX_CONFIG access token and a password in a URL are
// left out, and every other variable is listed by name only.
func TestRunHeader(t *testing.T) {
	env := []string{
		"PATH=/usr/bin:/bin", "HOME=/home/ada", "USER=ada", "XDG_CONFIG_HOME=/home/ada/.config",
		"NIX_CONFIG=max-jobs = 4\naccess-tokens = github.com=ghp_SECRETTOKEN\nextra-experimental-features = nix-command flakes",
		"NIX_PATH=nixpkgs=https://ada:hunter2@example.com/nixpkgs.tar.gz",
		"GITHUB_TOKEN=ghp_OTHERSECRET", "AWS_SECRET_ACCESS_KEY=abc", "EDITOR=nvim", "NIX_AUTH_THING=zzz",
	}
	line := HeaderMarker([]string{"/bin/home-manager", "switch", "--flake", "/d#ada@box"}, "/d", env)
	text := string(line)
	for _, secret := range []string{"ghp_SECRETTOKEN", "hunter2", "ghp_OTHERSECRET", "=abc", "nvim", "zzz"} {
		if strings.Contains(text, secret) {
			t.Errorf("the header holds %q:\n%s", secret, text)
		}
	}
	if !bytes.HasSuffix(line, []byte("\n")) || bytes.Count(line, []byte("\n")) != 1 {
		t.Errorf("the header is not one line: %q", text)
	}
	h, ok := ParseRunHeader(bytes.TrimSuffix(line, []byte("\n")))
	if !ok {
		t.Fatalf("ParseRunHeader(%q) failed", text)
	}
	if !slices.Equal(h.Argv, []string{"/bin/home-manager", "switch", "--flake", "/d#ada@box"}) || h.Dir != "/d" {
		t.Errorf("argv %q, dir %q", h.Argv, h.Dir)
	}
	for k, want := range map[string]string{
		"PATH": "/usr/bin:/bin", "HOME": "/home/ada", "USER": "ada", "XDG_CONFIG_HOME": "/home/ada/.config",
		"NIX_CONFIG": "max-jobs = 4\naccess-tokens = <redacted>\nextra-experimental-features = nix-command flakes",
		"NIX_PATH":   "nixpkgs=https://<redacted>@example.com/nixpkgs.tar.gz",
	} {
		if h.Env[k] != want {
			t.Errorf("env %s = %q, want %q", k, h.Env[k], want)
		}
	}
	if !slices.Equal(h.Names, []string{"AWS_SECRET_ACCESS_KEY", "EDITOR", "GITHUB_TOKEN", "NIX_AUTH_THING"}) {
		t.Errorf("names = %q", h.Names)
	}
}

// TestReplayReadsPastTheHeader: a saved log that starts with its header
// replays as before: the header reaches the state as the first line, which
// folds nothing from it into the log, and the replay keeps it.
func TestReplayReadsPastTheHeader(t *testing.T) {
	var log bytes.Buffer
	log.Write(HeaderMarker([]string{"home-manager", "switch"}, "/d", []string{"HOME=/h"}))
	log.Write(TimeMarker(0))
	log.WriteString("Starting Home Manager activation\n")
	log.WriteString("Activating linkGeneration\nActivating onFilesChange\n")
	log.Write(ExitMarker(0))
	rep := NewReplay(bytes.NewReader(log.Bytes()), ReplayOptions{})
	s := NewState(Options{})
	for {
		batch, err := rep.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		s.FeedLines(batch)
	}
	if d := DiagnoseReplay(s); !d.OK {
		t.Errorf("diagnosis %+v", d)
	}
	if h := rep.Header(); h == nil || h.Dir != "/d" {
		t.Errorf("replay header = %+v", h)
	}
	for _, l := range s.LogTail(0) {
		if strings.Contains(l.Text, "header") {
			t.Errorf("the log pane shows the header: %q", l.Text)
		}
	}
	// Fed straight to a state, the header is folded into nothing.
	s2 := NewState(Options{})
	if err := ReadLog(bytes.NewReader(log.Bytes()), s2); err != nil {
		t.Fatal(err)
	}
	for _, l := range s2.LogTail(0) {
		if strings.Contains(l.Text, "header") {
			t.Errorf("the log pane shows the header: %q", l.Text)
		}
	}
	if st := s2.Stats(); st.Malformed != 0 {
		t.Errorf("the header counts as malformed: %+v", st)
	}
}

// TestEvalErrorCodeFrame: the hint of an evaluation error carries its code
// frame on its own, for the screens that show no Detail.
func TestEvalErrorCodeFrame(t *testing.T) {
	s := NewState(Options{})
	f, err := os.Open("testdata/logs/nix-2.26/eval-error.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := ReadLog(f, s); err != nil {
		t.Fatal(err)
	}
	d := DiagnoseReplay(s)
	if len(d.Hints) == 0 {
		t.Fatalf("no hint: %+v", d)
	}
	want := []string{"at broken.nix:3:11:", "     2| {", `     3|   y = x + "foo";`, "      |           ^", "     4| }"}
	if !slices.Equal(d.Hints[0].Code, want) {
		t.Errorf("code frame = %q, want %q", d.Hints[0].Code, want)
	}
}

// TestActivationWarningInResult: the warning the base layer's Windows
// Terminal check prints during the activation is in the result's hints,
// not only in the log.
func TestActivationWarningInResult(t *testing.T) {
	const warning = "Windows Terminal does not use a Nerd Font; install JetBrainsMono Nerd Font on Windows and pick it in the profile's Appearance settings"
	s := NewState(Options{})
	for _, l := range []string{
		"Starting Home Manager activation",
		"Activating writeBoundary",
		"Activating nixboardTerminalCheck",
		ActivationWarningPrefix + warning,
		"Activating linkGeneration",
		"Activating onFilesChange",
	} {
		s.Feed([]byte(l))
	}
	s.Feed(ExitMarker(0)[:len(ExitMarker(0))-1])
	d := DiagnoseReplay(s)
	if !d.OK || len(d.Hints) != 1 || !strings.Contains(d.Hints[0].Title, warning) {
		t.Errorf("diagnosis %+v, want OK with the terminal check's warning as a hint", d)
	}
}

// TestToolPhase: a run that starts with `nix run DIR#home-manager` (its
// header says so) is building the home-manager command until another nix
// client (home-manager's own build: activity ids carry the pid) starts
// evaluating; a nix-daemon's worker, with a pid of its own, does not end
// it. The header says so instead of "evaluating, built N of N".
func TestToolPhase(t *testing.T) {
	const first, daemon, second = uint64(4242) << 32, uint64(4300) << 32, uint64(4343) << 32
	event := func(format string, id uint64) []byte {
		return []byte(fmt.Sprintf(format, id))
	}
	for _, tt := range []struct {
		name string
		argv []string
		tool bool
	}{
		{"nix run", []string{"/nix/bin/nix", "run", "/home/ada/.config/home-manager#home-manager", "--", "switch"}, true},
		{"home-manager", []string{"/bin/home-manager", "switch", "--flake", "/d#ada@box"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := NewState(Options{})
			h := HeaderMarker(tt.argv, "/d", nil)
			s.Feed(h[:len(h)-1])
			s.Feed(event(`@nix {"action":"start","id":%d,"level":3,"parent":0,"text":"building '/nix/store/x-home-manager.drv'","type":105,"fields":["/nix/store/x-home-manager.drv","",1,1]}`, first+1))
			s.Feed(event(`@nix {"action":"stop","id":%d}`, first+1))
			if got := s.Header(); got.Tool != tt.tool || strings.HasPrefix(ProgressWords(got), ToolPhase+", ") != tt.tool || strings.Contains(ProgressWords(got), "evaluating") {
				t.Errorf("while nix run builds: tool %v, %q", got.Tool, ProgressWords(got))
			}
			// A nix-daemon's worker has a pid of its own: still the tool.
			s.Feed(event(`@nix {"action":"start","id":%d,"level":4,"parent":0,"text":"querying info about missing paths","type":0}`, daemon+1))
			s.Feed(event(`@nix {"action":"start","id":%d,"level":3,"parent":0,"text":"","type":102}`, daemon+2))
			if got := s.Header(); got.Tool != tt.tool {
				t.Errorf("after the daemon's worker spoke: tool %v, %q", got.Tool, ProgressWords(got))
			}
			s.Feed(event(`@nix {"action":"start","id":%d,"level":4,"parent":0,"text":"evaluating derivation","type":0}`, second+1))
			if got := s.Header(); got.Tool || strings.Contains(ProgressWords(got), ToolPhase) {
				t.Errorf("after home-manager's nix started: tool %v, %q", got.Tool, ProgressWords(got))
			}
		})
	}
}
