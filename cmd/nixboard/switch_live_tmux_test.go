package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
)

// liveDeadline bounds each wait of the live-screen test, for a loaded
// machine (five helpers share two cores); every wait ends at its event.
const liveDeadline = 2 * time.Minute

// TestSwitchLiveScreenDownloadAndBuild runs the built nixboard on a
// terminal (tmux) at 80x24 and at 120x40, in both modes, through a
// FIXTURE switch whose cache holds git's download halfway and whose
// hm_.bashrc build waits on a fifo (switchtest.Config.Gate), so the live
// screen shows a download and a build running at the same time. On that
// frame it checks what must be visible whatever the running pane's
// layout: no row wider than the terminal (tmux joins a row the terminal
// wrapped; the renderer cuts a too-wide row at the edge instead, so the
// header, download and build rows must still end with their clocks),
// nothing scrolled off (the header on the first row, the key help on the
// last), the header's phase and counts, a row naming the
// download with its bytes, "X of Y" with 0 < X < Y, a row naming the
// build, and the held build's own line in the log pane. Released, the
// switch ends: the result screen says so, q closes it, nixboard exits 0
// and its summary line is left on the terminal.
func TestSwitchLiveScreenDownloadAndBuild(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			t.Parallel()
			nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
				testSwitchLiveScreen(t, mode, size[0], size[1])
			})
		})
	}
}

// sizeOfRe is a download's "X of Y" as the screen writes sizes
// (nixlog.Size).
var sizeOfRe = regexp.MustCompile(`(\d+(?:\.\d+)?) (B|KiB|MiB) of (\d+(?:\.\d+)?) (B|KiB|MiB)`)

// bytesOf reads a size nixlog.Size wrote.
func bytesOf(n, unit string) float64 {
	v, _ := strconv.ParseFloat(n, 64)
	switch unit {
	case "KiB":
		v *= 1 << 10
	case "MiB":
		v *= 1 << 20
	}
	return v
}

// liveFrame is what the test reads off one frame of the running screen.
type liveFrame struct {
	rows []string
	// download is the row naming the held download with "X of Y", and
	// done/expected its bytes; build is the row naming the held build
	// (not a log line, which names its .drv in the store).
	download, build string
	done, expected  float64
	// title is the first row (the header's title, with the phase and
	// the clock); header is the first rows, where the header's figures
	// are, however it wraps them.
	title, header string
}

func readLiveFrame(scr string) liveFrame {
	f := liveFrame{rows: strings.Split(strings.TrimRight(scr, "\n"), "\n")}
	if len(f.rows) > 0 {
		f.title = f.rows[0]
	}
	f.header = strings.Join(f.rows[:min(3, len(f.rows))], "\n")
	for _, r := range f.rows {
		if m := sizeOfRe.FindStringSubmatch(r); m != nil && f.download == "" && strings.Contains(r, switchtest.GatedPackage) {
			f.download = r
			f.done, f.expected = bytesOf(m[1], m[2]), bytesOf(m[3], m[4])
		}
		if f.build == "" && strings.Contains(r, switchtest.GatedBuild) && !strings.Contains(r, "/nix/store/") {
			f.build = r
		}
	}
	return f
}

// clockEndRe is a row that ends with a clock (nixlog.Clock).
var clockEndRe = regexp.MustCompile(`\d:\d\d\s*$`)

// downloadsRe and buildsRe are the header's figures: the held download
// leaves 2 of the 3 downloaded, the held build 1 (hm_.profile) built. The
// builds' total is not checked: nix first expects the three downloaded
// packages' derivations as builds too (8), and the header keeps the
// largest total nix gave while the builds run.
var (
	downloadsRe = regexp.MustCompile(`download(ed|ing) 2 of 3\b`)
	buildsRe    = regexp.MustCompile(`buil(t|ding) 1 of \d+`)
)

// settled says the frame shows the run held where the gate holds it: the
// download and the build rows, and the header's figures once everything
// else that can finish did.
func (f liveFrame) settled() bool {
	return f.download != "" && f.build != "" && downloadsRe.MatchString(f.header) && buildsRe.MatchString(f.header)
}

func testSwitchLiveScreen(t *testing.T, mode nixtest.Mode, w, h int) {
	nixtest.RequireTmux(t)
	nixtest.Require(t)
	bin := buildNixboard(t)
	f := switchtest.New(t, switchtest.Config{InstallHomeManager: true, Gate: true, Mode: mode})
	status := statusFifo(t)
	var script strings.Builder
	script.WriteString("exec env -i" + fixtureEnvWords(f, "USER"))
	// After nixboard exits, its status goes into the fifo and the shell
	// waits for a key that never comes, so the terminal stays to be read.
	script.WriteString(" TERM=xterm-256color /bin/sh -c " + shq(shq(bin)+` switch --tui --dir "$0" -- "$@"; echo $? > `+shq(status)+`; read _`) + " " + shq(f.Dir))
	for _, a := range f.ExtraArgs {
		script.WriteString(" " + shq(a))
	}
	script.WriteString("\n")
	s := newTmux(t, w, h, script.String())

	if err := f.AwaitGatedDownload(liveDeadline); err != nil {
		t.Fatalf("%v; screen:\n%s", err, s.screen())
	}
	pid, err := f.AwaitGatedBuild(nil, liveDeadline)
	if err != nil {
		t.Fatalf("%v; screen:\n%s", err, s.screen())
	}
	build, ok := switchtest.ProcOf(pid)
	if !ok {
		t.Fatalf("the held build (pid %d) is gone", pid)
	}
	// Both are held now; the screen shows them on its next frames.
	scr := s.waitUntil("a download and a build running at once", liveDeadline, func(scr string) bool {
		return readLiveFrame(scr).settled()
	})
	// -J joins a row the terminal wrapped because it was too wide.
	joined := s.tmux("capture-pane", "-p", "-J", "-t", "t")
	if !build.Alive() {
		t.Errorf("the held build ended before the frame was read")
	}
	t.Logf("frame at %dx%d (%s):\n%s", w, h, mode, scr)
	fr := readLiveFrame(scr)

	checkScreenWidth(t, joined, w)
	if n := len(strings.Split(strings.TrimRight(joined, "\n"), "\n")); n > h {
		t.Errorf("the frame has %d rows on a terminal of %d", n, h)
	}
	if !strings.Contains(fr.title, "nixboard switch "+f.Name) || !strings.Contains(fr.title, "building") {
		t.Errorf("the first row is not the header with the phase (building): %q", fr.title)
	}
	if !strings.Contains(fr.rows[len(fr.rows)-1], "ctrl+c stop") {
		t.Errorf("the last row is not the key help: %q", fr.rows[len(fr.rows)-1])
	}
	// The renderer cuts a row wider than the terminal at its edge, so a
	// too-wide row shows as one that lost its right end: the header's and
	// each running activity's clock (m:ss) must still be there.
	for what, row := range map[string]string{"header": fr.title, "download": fr.download, "build": fr.build} {
		if !clockEndRe.MatchString(row) {
			t.Errorf("the %s row lost its clock at the right end (cut at the edge?): %q", what, row)
		}
	}
	if !(fr.done > 0 && fr.done < fr.expected) {
		t.Errorf("the download row does not show bytes moving (0 < done < expected): %q", fr.download)
	}
	if !strings.Contains(scr, "fixture: held until the test releases it") {
		t.Errorf("the log pane does not show the held build's line")
	}

	f.Release()
	scr = s.waitFor("switch ok", liveDeadline)
	t.Logf("result screen:\n%s", scr)
	if !strings.Contains(scr, "switch ok: built 5, downloaded 3") {
		t.Errorf("the result screen does not count 5 builds and 3 downloads:\n%s", scr)
	}
	checkScreenWidth(t, s.tmux("capture-pane", "-p", "-J", "-t", "t"), w)
	s.tmux("send-keys", "-t", "t", "q")
	if code := waitStatus(t, s, status, liveDeadline); code != "0" {
		t.Errorf("nixboard switch exited %s, want 0; screen:\n%s", code, s.screen())
	}
	scr = s.screen()
	t.Logf("terminal after the screen closed:\n%s", scr)
	if !strings.Contains(scr, "switch ok: built 5, downloaded 3") {
		t.Errorf("the summary line is not on the terminal after the screen closed:\n%s", scr)
	}
	if strings.Contains(scr, "q quit") || strings.Contains(scr, "Result") {
		t.Errorf("the terminal was not restored (the screen is still there):\n%s", scr)
	}
	f.CheckMode(t)
}
