package nixlog

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestState(lim Limits) (*State, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	return NewState(Options{Limits: lim, Now: c.now}), c
}

func feedAll(s *State, log string) {
	for _, l := range strings.Split(strings.TrimPrefix(log, "\n"), "\n") {
		s.Feed([]byte(l))
	}
}

const drvA = "/nix/store/g7phq9rq0apbrmbivjrsxnvak2dzamga-a-1.0.drv"
const drvB = "/nix/store/7737db75i7yhkfi5gbxd4yxc6w5mv8xw-b-2.0.drv"

func TestStateBuilds(t *testing.T) {
	s, clock := newTestState(Limits{})
	feedAll(s, `
@nix {"action":"start","id":1,"level":0,"text":"","type":102}
@nix {"action":"start","id":2,"level":0,"text":"","type":104}
@nix {"action":"result","fields":[0,2,0,0],"id":2,"type":105}
@nix {"action":"start","fields":["`+drvA+`","",1,1],"id":5,"level":3,"text":"building '`+drvA+`'","type":105}
@nix {"action":"result","fields":["configurePhase"],"id":5,"type":104}
@nix {"action":"result","fields":["line 1"],"id":5,"type":101}
@nix {"action":"result","fields":["line 2"],"id":5,"type":101}`)
	h := s.Header()
	if h.Phase != PhaseBuilding || h.BuildsRunning != 1 || h.BuildsExpected != 2 || h.BuildsDone != 0 {
		t.Errorf("header while building: %+v", h)
	}
	run := s.Running()
	if len(run) != 1 || run[0].Name != "a-1.0" || run[0].Phase != "configurePhase" || run[0].Type != ActBuild {
		t.Errorf("running: %+v", run)
	}
	clock.t = clock.t.Add(3 * time.Second)
	feedAll(s, `
@nix {"action":"result","fields":[1,2,0,0],"id":2,"type":105}
@nix {"action":"stop","id":5}
@nix {"action":"start","fields":["`+drvB+`","",1,1],"id":6,"level":3,"text":"building '`+drvB+`'","type":105}
@nix {"action":"result","fields":["b says hi"],"id":6,"type":101}
@nix {"action":"result","fields":[2,2,0,0],"id":2,"type":105}
@nix {"action":"stop","id":6}
@nix {"action":"stop","id":2}
@nix {"action":"stop","id":1}`)
	sum := s.Summary()
	if sum.Built != 2 || sum.Failed != 0 || sum.Downloaded != 0 || sum.Elapsed != 3*time.Second {
		t.Errorf("summary: %+v", sum)
	}
	builds := s.Builds()
	if len(builds) != 2 || builds[0].Status != BuildSucceeded || builds[0].Lines != 2 || builds[0].Phase != "configurePhase" || builds[1].Name != "b-2.0" {
		t.Errorf("builds: %+v", builds)
	}
	if got := s.BuildLog(5, 0); strings.Join(got, "|") != "line 1|line 2" {
		t.Errorf("build log of a: %q", got)
	}
	if got := s.BuildLog(6, 1); strings.Join(got, "|") != "b says hi" {
		t.Errorf("build log of b: %q", got)
	}
	tail := s.LogTail(3)
	if len(tail) != 3 || tail[2].Text != "b says hi" || tail[2].Activity != 6 || tail[2].Kind != KindResult {
		t.Errorf("tail: %+v", tail)
	}
	if h := s.Header(); h.Phase != PhaseBuilding || h.BuildsRunning != 0 || h.BuildsDone != 2 {
		t.Errorf("header after builds: %+v", h)
	}
	s.Finish(true)
	if h := s.Header(); h.Phase != PhaseDone {
		t.Errorf("phase after Finish(true): %v", h.Phase)
	}
}

func TestStateFailedBuild(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `
@nix {"action":"start","id":2,"level":0,"text":"","type":104}
@nix {"action":"start","fields":["`+drvA+`","",1,1],"id":5,"level":3,"text":"building '`+drvA+`'","type":105}
@nix {"action":"result","fields":["about to fail"],"id":5,"type":101}
@nix {"action":"stop","id":5}
@nix {"action":"result","fields":[0,1,0,1],"id":2,"type":105}
@nix {"action":"stop","id":2}
@nix {"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"\u001b[31;1merror:\u001b[0m builder for '\u001b[35;1m`+drvA+`\u001b[0m' failed with exit code 3","raw_msg":"builder for '`+drvA+`' failed with exit code 3"}`)
	sum := s.Summary()
	if sum.Built != 0 || sum.Failed != 1 {
		t.Errorf("summary: %+v", sum)
	}
	if b := s.Builds(); len(b) != 1 || b[0].Status != BuildFailed {
		t.Errorf("builds: %+v", b)
	}
	d := Diagnose(s, fmt.Errorf("exit status 1"))
	if d.OK || d.Reason != "building a-1.0 failed" || len(d.Hints) == 0 || !strings.Contains(d.Hints[0].Detail, "about to fail") || d.Hints[0].Fix != "nix log "+drvA {
		t.Errorf("diagnosis: %+v", d)
	}
}

func TestStateDownloads(t *testing.T) {
	s, clock := newTestState(Limits{})
	feedAll(s, `
@nix {"action":"start","id":1,"level":0,"text":"","type":102}
@nix {"action":"start","id":3,"level":0,"text":"","type":103}
@nix {"action":"result","fields":[101,124],"id":1,"type":106}
@nix {"action":"result","fields":[100,120],"id":1,"type":106}
@nix {"action":"result","fields":[0,1,1,0],"id":3,"type":105}
@nix {"action":"start","fields":["/nix/store/ilr1gz6m8rmy18n4q2ia564w73digxvi-b-2.0","http://127.0.0.1:1"],"id":8,"level":0,"text":"","type":108}
@nix {"action":"start","fields":["/nix/store/ilr1gz6m8rmy18n4q2ia564w73digxvi-b-2.0","http://127.0.0.1:1","local"],"id":9,"level":3,"text":"copying path '/nix/store/ilr1gz6m8rmy18n4q2ia564w73digxvi-b-2.0' from 'http://127.0.0.1:1'","type":100}
@nix {"action":"start","fields":["http://127.0.0.1:1/nar/x.nar.xz"],"id":10,"level":4,"text":"downloading 'http://127.0.0.1:1/nar/x.nar.xz'","type":101}
@nix {"action":"result","fields":[60,124,0,0],"id":10,"type":105}`)
	clock.t = clock.t.Add(2 * time.Second)
	h := s.Header()
	if h.Phase != PhaseDownloading || h.DownloadsRunning != 1 || h.DownloadsExpected != 1 || h.BytesDone != 60 || h.BytesExpected != 124 || h.Rate != 30 {
		t.Errorf("header while downloading: %+v", h)
	}
	run := s.Running()
	if len(run) != 2 || run[0].Name != "b-2.0" || run[1].Type != ActFileTransfer || run[1].Done != 60 || run[1].Expected != 124 {
		t.Errorf("running: %+v", run)
	}
	feedAll(s, `
@nix {"action":"result","fields":[124,124,0,0],"id":10,"type":105}
@nix {"action":"stop","id":10}
@nix {"action":"stop","id":9}
@nix {"action":"stop","id":8}
@nix {"action":"result","fields":[1,1,0,0],"id":3,"type":105}
@nix {"action":"stop","id":3}
@nix {"action":"stop","id":1}`)
	sum := s.Summary()
	if sum.Downloaded != 1 || sum.Bytes != 124 || sum.Built != 0 {
		t.Errorf("summary: %+v", sum)
	}
	if h := s.Header(); h.DownloadsDone != 1 || h.BytesExpected != 124 || h.BytesDone != 124 {
		t.Errorf("header after downloads: %+v", h)
	}
}

// TestStateFailedDownloadThenBuilt: a substitution that failed and was
// built instead counts as built, not downloaded.
func TestStateFailedDownloadThenBuilt(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `
@nix {"action":"start","id":2,"level":0,"text":"","type":104}
@nix {"action":"start","id":3,"level":0,"text":"","type":103}
@nix {"action":"start","fields":["/nix/store/ilr1gz6m8rmy18n4q2ia564w73digxvi-a-1.0","https://cache.example.org","local"],"id":9,"level":3,"text":"copying path","type":100}
@nix {"action":"msg","level":1,"msg":"\u001b[35;1mwarning:\u001b[0m \u001b[31;1merror:\u001b[0m unable to download 'https://cache.example.org/nar/x.nar.xz': HTTP error 500; retrying in 326 ms"}
@nix {"action":"stop","id":9}
@nix {"action":"result","fields":[0,1,0,1],"id":3,"type":105}
@nix {"action":"start","fields":["`+drvA+`","",1,1],"id":5,"level":3,"text":"building","type":105}
@nix {"action":"stop","id":5}
@nix {"action":"result","fields":[1,1,0,0],"id":2,"type":105}
@nix {"action":"stop","id":3}
@nix {"action":"stop","id":2}`)
	if sum := s.Summary(); sum.Built != 1 || sum.Downloaded != 0 {
		t.Errorf("summary: %+v", sum)
	}
}

func TestStateActivation(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `
@nix {"action":"start","id":2,"level":0,"text":"","type":104}
@nix {"action":"stop","id":2}
Starting Home Manager activation
Activating checkFilesChanged
Activating checkLinkTargets
Existing file '/home/u/.bashrc' is in the way of '/nix/store/x-home-manager-files/.bashrc', will be moved to '/home/u/.bashrc.backup'
Activating writeBoundary`)
	if h := s.Header(); h.Phase != PhaseActivating || h.ActivationStep != "writeBoundary" {
		t.Errorf("header: %+v", h)
	}
	if a := s.Activation(); a.Complete || len(a.Errors) != 0 {
		t.Errorf("activation before linkGeneration: %+v", a)
	}
	if d := DiagnoseReplay(s); d.OK || d.Reason != ReasonLogEnds {
		t.Errorf("cut replay: %+v", d)
	}
	feedAll(s, "Activating linkGeneration\n\x1b[1mActivating onFilesChange\x1b[0m")
	a := s.Activation()
	if !a.Complete || strings.Join(a.Steps, ",") != "checkFilesChanged,checkLinkTargets,writeBoundary,linkGeneration,onFilesChange" {
		t.Errorf("activation: %+v", a)
	}
	if d := DiagnoseReplay(s); !d.OK || d.Reason != "" {
		t.Errorf("complete replay: %+v", d)
	}
	// An exit marker overrides the guess.
	s.Feed(ExitMarker(1)[:len(ExitMarker(1))-1])
	if d := DiagnoseReplay(s); d.OK {
		t.Errorf("replay with exit status 1: %+v", d)
	}
}

func TestStateRobust(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `
@nix {"action":"start","id":1,"level":3,"text":"something new","type":150}
@nix {"action":"result","fields":["?"],"id":1,"type":250}
@nix {"action":"result","fields":[1,2],"id":999,"type":105}
@nix {"action":"result","fields":["orphan line"],"id":999,"type":101}
@nix {"action":"stop","id":424242}
@nix {"action":"result","fields":[],"id":1,"type":104}
@nix {"action":"result","id":1,"type":105}
@nix {"action":"start","id":1,"level":3,"text":"restarted","type":105}
@nix {"action":"result","fields":[5],"id":1,"type":106}
@nix {"action":"msg","level":0,"newfield":[1],"msg":"x"}
@nix {broken
@nix
`+"\r")
	st := s.Stats()
	if st.UnknownTypes != 2 || st.Malformed != 1 || st.UnknownFields != 1 || st.Lines != 13 {
		t.Errorf("stats: %+v", st)
	}
	if tail := s.LogTail(0); len(tail) == 0 {
		t.Error("no tail")
	}
}

func TestStateBounded(t *testing.T) {
	lim := Limits{TailLines: 50, BuildLines: 10, FinishedBuilds: 5, Messages: 3, LineBytes: 40}
	s, _ := newTestState(lim)
	s.Feed([]byte(`@nix {"action":"start","id":1,"level":0,"text":"","type":104}`))
	for b := uint64(10); b < 40; b++ {
		drv := fmt.Sprintf("/nix/store/%032d-p%d.drv", b, b)
		s.Feed([]byte(fmt.Sprintf(`@nix {"action":"start","fields":[%q,"",1,1],"id":%d,"level":3,"text":"building","type":105}`, drv, b)))
		for i := 0; i < 100; i++ {
			s.Feed([]byte(fmt.Sprintf(`@nix {"action":"result","fields":["%s %d"],"id":%d,"type":101}`, strings.Repeat("x", 60), i, b)))
		}
		s.Feed([]byte(fmt.Sprintf(`@nix {"action":"msg","level":1,"msg":"warning %d"}`, b)))
		if b == 12 {
			s.Feed([]byte(fmt.Sprintf(`@nix {"action":"msg","level":0,"msg":"builder for '%s' failed with exit code 1"}`, drv)))
		}
		s.Feed([]byte(fmt.Sprintf(`@nix {"action":"stop","id":%d}`, b)))
	}
	builds := s.Builds()
	if len(builds) != 5 {
		t.Fatalf("kept %d builds, want 5", len(builds))
	}
	if builds[0].ID != 12 || builds[0].Status != BuildFailed {
		t.Errorf("the failed build was not kept first: %+v", builds[0])
	}
	if log := s.BuildLog(12, 0); len(log) != 10 || len(log[9]) != 40 {
		t.Errorf("build log: %d lines, last %q", len(log), log[len(log)-1])
	}
	if n := len(s.LogTail(0)); n != 50 {
		t.Errorf("tail kept %d lines", n)
	}
	if m := s.Messages(LvlWarn); len(m) != 3 || m[2].Text != "warning 39" {
		t.Errorf("messages: %+v", m)
	}
	if sum := s.Summary(); sum.Built != 29 || sum.Failed != 1 {
		t.Errorf("summary: %+v", sum)
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, sanitized, stripped string }{
		{"plain", "plain", "plain"},
		{"\x1b[31;1merror:\x1b[0m x", "\x1b[31;1merror:\x1b[0m x", "error: x"},
		{"a\x1b[2Jb\x1b[10;20Hc", "abc", "abc"},
		{"\x1b[?1049halt\x1b[?1049l", "alt", "alt"},
		{"\x1b]0;pwned title\x07t", "t", "t"},
		{"\x1b]52;c;ZXZpbA==\x1b\\clip", "clip", "clip"},
		{"\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link", "link"},
		{"\x1bPq#0;2;0;0;0\x1b\\dcs", "dcs", "dcs"},
		{"\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\ok", "ok", "ok"},
		{"\x1b7save\x1b8\x1bc\x1b(Bx", "savex", "savex"},
		{"bell\x07 back\x08 cr\r del\x7f", "bell back cr del", "bell back cr del"},
		{"\u009b2J\u009d0;t\u009cc1", "c1", "c1"},
		{"\x1b[38;2;255;0;0mrgb\x1b[m", "\x1b[38;2;255;0;0mrgb\x1b[m", "rgb"},
		{"\x1b[>4;2m", "", ""},
		{"a\tb", "a       b", "a\tb"},
		{"bad\xffutf8", "bad\uFFFDutf8", "bad\uFFFDutf8"},
		{"unterminated \x1b]0;title", "unterminated ", "unterminated "},
		{"esc at end\x1b", "esc at end", "esc at end"},
		{"two\nlines", "two\nlines", "two\nlines"},
		{"é 😀", "é 😀", "é 😀"},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.sanitized {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.sanitized)
		}
		if got := StripANSI(tt.in); got != tt.stripped {
			t.Errorf("StripANSI(%q) = %q, want %q", tt.in, got, tt.stripped)
		}
	}
}

// TestStatePlainBuilds: builds and downloads that nix-env or nix-build
// announce in plain text (after the activation, for instance) count too.
func TestStatePlainBuilds(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `
@nix {"action":"start","id":2,"level":0,"text":"","type":104}
@nix {"action":"start","fields":["`+drvA+`","",1,1],"id":5,"level":3,"text":"building '`+drvA+`'","type":105}
@nix {"action":"stop","id":5}
@nix {"action":"result","fields":[1,1,0,0],"id":2,"type":105}
@nix {"action":"stop","id":2}
Starting Home Manager activation
Activating installPackages
building '/nix/store/1ilaybh4wlqzrvnlzvi8rk7h5v2s3b0l-user-environment.drv'...
building '`+drvB+`'...
copying path '/nix/store/ilr1gz6m8rmy18n4q2ia564w73digxvi-b-2.0' from 'https://cache.nixos.org'...
error: builder for '`+drvB+`' failed with exit code 1
Activating linkGeneration
Activating onFilesChange`)
	sum := s.Summary()
	if sum.Built != 2 || sum.Failed != 1 || sum.Downloaded != 1 {
		t.Errorf("summary %+v, want 2 built (one in JSON, one plain), 1 failed, 1 downloaded", sum)
	}
	if a := s.Activation(); a.Complete || len(a.Errors) != 1 {
		t.Errorf("activation %+v", a)
	}
}

// TestStateManyRunningBuilds: builds beyond maxBuildsWithLogs running at
// once are counted but keep no lines, so memory stays bounded.
func TestStateManyRunningBuilds(t *testing.T) {
	s, _ := newTestState(Limits{})
	for b := 1; b <= 100; b++ {
		s.Feed([]byte(fmt.Sprintf(`@nix {"action":"start","fields":["/nix/store/%032d-p.drv","",1,1],"id":%d,"level":3,"text":"building","type":105}`, b, b)))
		s.Feed([]byte(fmt.Sprintf(`@nix {"action":"result","fields":["line of %d"],"id":%d,"type":101}`, b, b)))
	}
	if h := s.Header(); h.BuildsRunning != 100 {
		t.Errorf("header %+v", h)
	}
	if got := s.BuildLog(maxBuildsWithLogs, 0); len(got) != 1 {
		t.Errorf("build %d keeps %q", maxBuildsWithLogs, got)
	}
	if got := s.BuildLog(maxBuildsWithLogs+1, 0); len(got) != 0 {
		t.Errorf("build %d keeps %q", maxBuildsWithLogs+1, got)
	}
	for b := 1; b <= 100; b++ {
		s.Feed([]byte(fmt.Sprintf(`@nix {"action":"stop","id":%d}`, b)))
	}
	s.Feed([]byte(`@nix {"action":"start","fields":["/nix/store/00000000000000000000000000000999-p.drv","",1,1],"id":999,"level":3,"text":"building","type":105}`))
	s.Feed([]byte(`@nix {"action":"result","fields":["kept again"],"id":999,"type":101}`))
	if got := s.BuildLog(999, 0); len(got) != 1 || s.Summary().Built != 100 {
		t.Errorf("after the rush: %q, %+v", got, s.Summary())
	}
}
