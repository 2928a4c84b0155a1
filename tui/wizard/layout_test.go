package wizard

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/proc"
)

// size is a terminal size.
type size struct{ w, h int }

func (s size) String() string { return fmt.Sprintf("%dx%d", s.w, s.h) }

// The sizes every screen is drawn at: the smallest it must work at, the
// usual one and a wide one.
var layoutSizes = []size{{60, 15}, {80, 24}, {120, 40}}

// A resize from wide to the smallest and back to a middle size.
var resizeSizes = []size{{120, 40}, {60, 15}, {100, 30}}

// wideWords are the words of the step's text drawn so wide that nothing
// wraps: the whole words a narrower frame may show.
func wideWords(d *driver) map[string]bool {
	const wide = 1000
	var text string
	if p, ok := d.m.current().(pagedScreen); ok {
		text = p.body(d.m, wide)
	} else {
		text = d.m.current().view(d.m, wide, 200)
	}
	words := map[string]bool{}
	for _, w := range strings.Fields(ansi.Strip(text)) {
		words[w] = true
	}
	// The key help and the header are words too.
	for _, l := range []string{d.m.footer(), d.m.header()} {
		for _, w := range strings.Fields(ansi.Strip(l)) {
			words[w] = true
		}
	}
	return words
}

// brokenWord says whether token, not a word of the wide text, is a piece
// of one: the start or the end of a longer word. Paths and commands may
// break (after a "/", or with a "\" that the shell joins), and so may
// the diffs, which the review scrolls.
func brokenWord(token string, words map[string]bool) (string, bool) {
	if words[token] || strings.ContainsAny(token, `/\`) {
		return "", false
	}
	for w := range words {
		if len(w) > len(token) && !strings.ContainsAny(w, `/\`) && (strings.HasPrefix(w, token) || strings.HasSuffix(w, token)) {
			return w, true
		}
	}
	return "", false
}

// checkFrame checks the frame at the size the wizard was last given: it
// has exactly that many rows, none wider; the last row shows the quit key;
// no word of the screen's text is broken across rows; and no row ends in a
// cut "…" where the wide text has none.
func checkFrame(t *testing.T, d *driver, name string, sz size) {
	t.Helper()
	frame := d.view()
	rows := strings.Split(frame, "\n")
	where := fmt.Sprintf("%s at %s", name, sz)
	if len(rows) != sz.h {
		t.Errorf("%s: %d rows:\n%s", where, len(rows), frame)
	}
	for i, r := range rows {
		if w := ansi.StringWidth(r); w > sz.w {
			t.Errorf("%s: row %d is %d wide: %q", where, i, w, r)
		}
	}
	if last := rows[len(rows)-1]; !strings.Contains(last, "quit") && !strings.Contains(last, "ctrl+c") {
		t.Errorf("%s: the last row has no quit key: %q", where, last)
	}
	words := wideWords(d)
	for i, r := range rows[:len(rows)-1] {
		if d.m.step == StepReview && strings.HasPrefix(r, "── ") {
			// The diffs start here: they scroll, and long lines wrap.
			break
		}
		fields := strings.Fields(r)
		for _, tok := range fields {
			if w, ok := brokenWord(tok, words); ok {
				t.Errorf("%s: row %d breaks %q: %q\n%s", where, i, w, r, frame)
			}
		}
		if n := len(fields); n > 0 && strings.HasSuffix(fields[n-1], "…") && !words[fields[n-1]] {
			t.Errorf("%s: row %d is cut: %q", where, i, r)
		}
	}
}

// resize gives the wizard a new window size.
func (d *driver) resize(sz size) { d.send(tea.WindowSizeMsg{Width: sz.w, Height: sz.h}) }

// layoutWalks are the ways to every step, each a run of the wizard that
// calls check on every step it reaches.
// Each run has options of its own (its own directory): the runs go on
// at the same time.
type layoutWalk = struct {
	opts func(t *testing.T) Options
	walk func(t *testing.T, d *driver, check func(name string))
}

func layoutWalks() map[string]layoutWalk {
	blocked := func(t *testing.T) Options { return testOptions(t, tooOldNix("/home/alice")) }
	install := func(t *testing.T) Options {
		missing := fakeReport("/home/alice")
		missing.Nix = detect.Nix{}
		o := testOptions(t, missing)
		o.Deps.Installer = func(o InstallOption) proc.Spec {
			return proc.Spec{Argv: []string{"/bin/sh", "-c", "echo fake installer done"}}
		}
		return o
	}
	// The recorded switch at its pace: the driver's clock stands still,
	// so it stays on the switch step.
	running := func(t *testing.T) Options {
		o := testOptions(t, fakeReport("/home/alice"))
		o.NoSwitch, o.Deps.Switch = false, DemoSwitch(1)
		return o
	}
	done := func(t *testing.T) Options {
		o := testOptions(t, fakeReport("/home/alice"))
		o.NoSwitch, o.Deps.Switch = false, DemoSwitch(0)
		return o
	}
	// A write that fails: --yes with a directory outside the demo's root.
	failing := func(t *testing.T) Options {
		o := testOptions(t, fakeReport("/home/alice"))
		o.DirRoot = t.TempDir()
		a := fakeReport("/home/alice").Defaults
		o.Answers, o.Yes = &a, true
		o.Dir = filepath.Join(t.TempDir(), "outside")
		return o
	}
	return map[string]layoutWalk{
		"blockers": {blocked, func(t *testing.T, d *driver, check func(string)) {
			wantView(t, d, "fix these")
			check("welcome with blockers")
			d.press("ctrl+c")
			wantView(t, d, "Quit nixboard?")
			check("quit question")
		}},
		"install": {install, func(t *testing.T, d *driver, check func(string)) {
			check("welcome without Nix")
			d.press("enter")
			wantView(t, d, "Determinate")
			check("installer")
		}},
		"switch": {running, func(t *testing.T, d *driver, check func(string)) {
			check("welcome")
			d.press("enter")
			for p := range questionPages {
				check(fmt.Sprintf("question page %d", p+1))
				acceptPages(t, d, p+1, p+1)
			}
			wantView(t, d, "write files")
			check("review")
			d.press("enter")
			if d.m.Step() != StepSwitch {
				t.Fatalf("on %s, not the switch", d.m.Step())
			}
			check("switch")
		}},
		"done": {done, func(t *testing.T, d *driver, check func(string)) {
			d.press("enter")
			acceptPages(t, d, 1, len(questionPages))
			d.press("enter")
			wantView(t, d, "environment is set up")
			check("done")
		}},
		"write failed": {failing, func(t *testing.T, d *driver, check func(string)) {
			wantView(t, d, "Writing failed")
			check("write failed")
		}},
	}
}

// TestEveryScreenFitsAndReflows draws every step at 60x15, 80x24 and
// 120x40, and across a resize from 120x40 to 60x15 to 100x30.
func TestEveryScreenFitsAndReflows(t *testing.T) {
	t.Parallel()
	for name, w := range layoutWalks() {
		for _, sz := range layoutSizes {
			t.Run(name+"/"+sz.String(), func(t *testing.T) {
				t.Parallel()
				runDriven(t, w.opts(t), sz.w, sz.h, func(t *testing.T, d *driver) {
					w.walk(t, d, func(step string) { checkFrame(t, d, step, sz) })
				})
			})
		}
		t.Run(name+"/resize", func(t *testing.T) {
			t.Parallel()
			runDriven(t, w.opts(t), 120, 40, func(t *testing.T, d *driver) {
				w.walk(t, d, func(step string) {
					for _, sz := range resizeSizes {
						d.resize(sz)
						checkFrame(t, d, step, sz)
					}
				})
			})
		})
	}
}
