package switchview

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/tui/theme"
)

// recordedLogs are the directories of the project's recordings, one per
// Nix and mode.
var recordedLogs = []string{"nix-2.8", "nix-2.8-daemon", "nix-2.26", "nix-2.26-daemon"}

func recording(dir, name string) string {
	return filepath.Join("..", "..", "nixlog", "testdata", "logs", dir, name)
}

// stepper replays a recording into a screen one line at a time, on the
// recording's own clock, with a feed that reads and records into hist.
type stepper struct {
	m     Model
	st    *nixlog.State
	feed  *eta.Feed
	lines []nixlog.RawLine
	cur   time.Time
}

var stepBase = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newStepper(t *testing.T, path string, hist *eta.History, w, h int) *stepper {
	t.Helper()
	s := &stepper{lines: readLog(t, path), cur: stepBase}
	now := func() time.Time { return s.cur }
	s.st = nixlog.NewState(nixlog.Options{Now: now})
	s.feed = eta.NewFeed(hist, eta.FeedOptions{Now: now})
	s.m = New(Config{Source: &batchSource{}, State: s.st, Now: now, Title: "switch test",
		Styles: theme.New(true, false), Estimate: s.feed})
	s.m.SetSize(w, h)
	return s
}

// step feeds line i and draws a frame.
func (s *stepper) step(i int) {
	s.cur = stepBase.Add(s.lines[i].At)
	s.m, _ = s.m.Update(linesMsg{lines: s.lines[i : i+1]})
	s.m, _ = s.m.Update(tickMsg{})
}

// pane returns the running pane's rows of the frame, without styles.
func (s *stepper) pane() []string {
	rows := strings.Split(ansi.Strip(s.m.View()), "\n")
	for i, r := range rows {
		if strings.HasPrefix(r, "Running now (") {
			end := i + 1 + s.m.runningRows()
			return rows[i+1 : end]
		}
	}
	return nil
}

// rowRank orders a pane row by how relevant it is: failures, then what
// runs, then what is planned, then what succeeded; -1 for other rows.
func rowRank(r string) int {
	switch {
	case strings.HasPrefix(r, "✗ failed"):
		return 0
	case strings.HasPrefix(r, "build "), strings.HasPrefix(r, "download "), strings.HasPrefix(r, "transfer "):
		return 1
	case strings.HasPrefix(r, "planned "):
		return 2
	case strings.HasPrefix(r, "✓ "):
		return 3
	}
	return -1
}

// TestBuildsPaneMostRelevantFirst replays every recorded build that fails
// and every recorded switch, line by line, at 120x40: at every frame the
// running pane lists failures first, then what runs, then what is
// planned, then one row for all that succeeded, which names every build
// that succeeded; a build is never both planned and started. Once the
// build fails, its row leads the pane and its own log is below.
func TestBuildsPaneMostRelevantFirst(t *testing.T) {
	for _, dir := range recordedLogs {
		for _, name := range []string{"build-fail.log", "switch-ok.log", "parallel-ok.log", "parallel-fail.log"} {
			path := recording(dir, name)
			if strings.HasPrefix(name, "parallel") && !exists(path) {
				continue
			}
			t.Run(dir+"/"+name, func(t *testing.T) {
				t.Parallel()
				s := newStepper(t, path, nil, 120, 40)
				sawPlanned, sawFailedFirst := false, false
				for i := range s.lines {
					s.step(i)
					pane := s.pane()
					last, done := -1, 0
					for _, r := range pane {
						k := rowRank(r)
						if k < 0 {
							continue
						}
						if k < last {
							t.Fatalf("line %d: %q comes after a less relevant row:\n%s", i+1, r, strings.Join(pane, "\n"))
						}
						last = k
						if k == 3 {
							done++
						}
						if k == 2 {
							sawPlanned = true
						}
					}
					if done > 1 {
						t.Fatalf("line %d: what succeeded is not one row:\n%s", i+1, strings.Join(pane, "\n"))
					}
					started := map[string]bool{}
					for _, b := range s.m.builds {
						started[b.Name] = true
						if b.Status == nixlog.BuildSucceeded && !strings.Contains(strings.Join(pane, "\n"), b.Name) {
							t.Fatalf("line %d: succeeded build %s is not named:\n%s", i+1, b.Name, strings.Join(pane, "\n"))
						}
					}
					for _, p := range s.m.planned {
						if started[p.Name] {
							t.Fatalf("line %d: %s is planned and started", i+1, p.Name)
						}
					}
					if s.m.header.BuildsFailed > 0 && len(pane) > 0 && strings.HasPrefix(pane[0], "✗ failed") {
						sawFailedFirst = true
						if !strings.Contains(pane[0], "its log is below") || !strings.Contains(ansi.Strip(s.m.View()), "Log of "+strings.Fields(pane[0])[2]) {
							t.Fatalf("line %d: the failed build's log is not open:\n%s", i+1, ansi.Strip(s.m.View()))
						}
					}
				}
				if !sawPlanned {
					t.Error("no frame showed a planned build")
				}
				if failing := strings.Contains(name, "fail"); failing != sawFailedFirst {
					t.Errorf("failing log %v, but a failed build led the pane: %v", failing, sawFailedFirst)
				}
			})
		}
	}
}

// TestPlannedBuildsNamedFromThePlan: Nix 2.26 lists the derivations it
// will build; once it did, the pane names each before it starts. Nix 2.8
// prints no plan: the pane counts what its counters leave.
func TestPlannedBuildsNamedFromThePlan(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want []string
	}{
		{"nix-2.26", []string{"planned  fixture-lib-2.0", "planned  fixture-app-3.0"}},
		{"nix-2.26-daemon", []string{"planned  fixture-lib-2.0", "planned  fixture-app-3.0"}},
		{"nix-2.8", []string{"planned  2 builds"}},
		{"nix-2.8-daemon", []string{"planned  2 builds"}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			s := newStepper(t, recording(tc.dir, "build-ok.log"), nil, 80, 24)
			for i := range s.lines {
				s.step(i)
				if len(s.m.running) > 0 {
					break
				}
			}
			pane := s.pane()
			for _, w := range tc.want {
				if !slices.ContainsFunc(pane, func(r string) bool { return strings.HasPrefix(r, w) }) {
					t.Errorf("the pane lacks %q once the first build started:\n%s", w, strings.Join(pane, "\n"))
				}
			}
			if !strings.Contains(s.m.paneTitle(), "2 planned") {
				t.Errorf("title %q", ansi.Strip(s.m.paneTitle()))
			}
		})
	}
}

// TestBuildsShowTheirTypicalDuration: a first replay of a recorded switch
// records each build's duration; in a second replay of the same log every
// running build and every planned one says how long it usually takes. The
// first run, which knew none, said nothing of the kind.
func TestBuildsShowTheirTypicalDuration(t *testing.T) {
	for _, dir := range recordedLogs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			h, err := eta.OpenHistory(filepath.Join(t.TempDir(), "builds.json"), nil)
			if err != nil {
				t.Fatal(err)
			}
			first := newStepper(t, recording(dir, "switch-ok.log"), h, 120, 40)
			for i := range first.lines {
				first.step(i)
				if pane := strings.Join(first.pane(), "\n"); strings.Contains(pane, "usually") {
					t.Fatalf("line %d: the first run knows a duration:\n%s", i+1, pane)
				}
			}
			first.st.Finish(true)
			first.feed.Finish(first.st)

			second := newStepper(t, recording(dir, "switch-ok.log"), h, 120, 40)
			running, planned := 0, 0
			for i := range second.lines {
				second.step(i)
				for _, r := range second.pane() {
					switch rowRank(r) {
					case 1:
						if !strings.HasPrefix(r, "build ") {
							continue
						}
						running++
						if !strings.Contains(r, "usually ") {
							t.Fatalf("line %d: a build seen before lacks its duration: %q", i+1, r)
						}
					case 2:
						if strings.Contains(r, "fixture-") {
							planned++
							if !strings.Contains(r, "usually ") {
								t.Fatalf("line %d: a planned build seen before lacks its duration: %q", i+1, r)
							}
						}
					}
				}
			}
			if running == 0 {
				t.Error("no frame showed a running build")
			}
			if strings.HasPrefix(dir, "nix-2.26") && planned == 0 {
				t.Error("no frame showed a named planned build")
			}
		})
	}
}

// TestPaneCountsWhatDoesNotFit: a pane with fewer rows than items shows
// the most relevant ones and counts the rest on its last row, by kind.
func TestPaneCountsWhatDoesNotFit(t *testing.T) {
	var lines []string
	drv := func(i int) string {
		return fmt.Sprintf("/nix/store/%032d-pkg%c-1.0.drv", i, 'a'+i)
	}
	lines = append(lines, `@nix {"action":"msg","level":3,"msg":"these 8 derivations will be built:"}`)
	for i := range 8 {
		lines = append(lines, fmt.Sprintf(`@nix {"action":"msg","level":3,"msg":"  %s"}`, drv(i)))
	}
	for i := range 4 {
		lines = append(lines, fmt.Sprintf(`@nix {"action":"start","fields":["%s","",1,1],"id":%d,"level":3,"parent":0,"text":"building '%s'","type":105}`, drv(i), 100+i, drv(i)))
	}
	lines = append(lines, `@nix {"action":"stop","id":100}`)
	// 80x24 gives the pane five rows: three running builds, four planned
	// and the one that succeeded do not fit.
	m := newModel(&chunks{batches: [][]string{lines}}, 80, 24)
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tickMsg{})
	if m.runningRows() != 5 {
		t.Fatalf("%d rows: not the case under test", m.runningRows())
	}
	rows := strings.Split(ansi.Strip(m.View()), "\n")
	var pane []string
	for i, r := range rows {
		if strings.HasPrefix(r, "Running now (3)") {
			pane = rows[i+1 : i+6]
			if !strings.Contains(r, "4 planned") || !strings.Contains(r, "1 built") {
				t.Errorf("title %q", r)
			}
		}
	}
	if pane == nil {
		t.Fatalf("no running pane:\n%s", strings.Join(rows, "\n"))
	}
	for i, want := range []string{"build    pkgb-1.0", "build    pkgc-1.0", "build    pkgd-1.0", "planned  pkge-1.0", "… and 3 planned, 1 built"} {
		if !strings.HasPrefix(pane[i], want) {
			t.Errorf("row %d %q, want %q", i, pane[i], want)
		}
	}
	checkFrame(t, m.View(), 80, 24)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestPlannedBuildsAfterAFailure: once a build failed, nix (without
// --keep-going) starts nothing more, so the recorded failing runs list no
// planned build after the failure but say they will not run; a run asked
// to keep going still lists them.
func TestPlannedBuildsAfterAFailure(t *testing.T) {
	for _, dir := range recordedLogs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			s := newStepper(t, recording(dir, "parallel-fail.log"), nil, 120, 40)
			notRun := false
			for i := range s.lines {
				s.step(i)
				if s.m.header.BuildsFailed == 0 {
					continue
				}
				for _, r := range s.pane() {
					if strings.HasPrefix(r, "planned ") {
						t.Fatalf("line %d: a planned build after the failure: %q", i+1, r)
					}
					notRun = notRun || strings.HasPrefix(r, "not run  1 planned build: nix stops after a failed build")
				}
			}
			if !notRun {
				t.Error("no frame said the planned build will not run")
			}
		})
	}
	t.Run("keep going", func(t *testing.T) {
		drv := func(c byte) string { return "/nix/store/" + strings.Repeat("0", 32) + "-pkg" + string(c) + "-1.0.drv" }
		lines := []string{
			`@nixboard {"action":"header","argv":["nix","build","--keep-going","--log-format","internal-json","-v"]}`,
			`@nix {"action":"msg","level":3,"msg":"these 3 derivations will be built:"}`,
			`@nix {"action":"msg","level":3,"msg":"  ` + drv('a') + `"}`,
			`@nix {"action":"msg","level":3,"msg":"  ` + drv('b') + `"}`,
			`@nix {"action":"msg","level":3,"msg":"  ` + drv('c') + `"}`,
			`@nix {"action":"start","fields":["` + drv('a') + `","",1,1],"id":10,"level":3,"parent":0,"text":"building","type":105}`,
			`@nix {"action":"stop","id":10}`,
			`@nix {"action":"msg","level":0,"msg":"error: builder for '` + drv('a') + `' failed with exit code 1"}`,
		}
		m := newModel(&chunks{batches: [][]string{lines}}, 120, 40)
		m, _ = m.Update(m.read()())
		m, _ = m.Update(tickMsg{})
		plain := ansi.Strip(m.View())
		if m.header.BuildsFailed != 1 || !strings.Contains(plain, "planned  pkgb-1.0") || strings.Contains(plain, "not run") {
			t.Errorf("with --keep-going the planned builds still run:\n%s", plain)
		}
	})
}

// TestBuilderRows: builds on two machines (this one and a remote builder,
// as nix names it in the build's activity) put one row per machine in the
// pane, after what runs, and the same words in the plain progress line.
func TestBuilderRows(t *testing.T) {
	drv := func(c byte) string { return "/nix/store/" + strings.Repeat("1", 32) + "-pkg" + string(c) + "-1.0.drv" }
	lines := []string{
		`@nix {"action":"start","fields":["` + drv('a') + `","",1,1],"id":10,"level":3,"parent":0,"text":"building","type":105}`,
		`@nix {"action":"start","fields":["` + drv('b') + `","ssh-ng://mac-mini",1,1],"id":11,"level":3,"parent":0,"text":"building on 'ssh-ng://mac-mini'","type":105}`,
		`@nix {"action":"start","fields":["` + drv('c') + `","ssh-ng://mac-mini",1,1],"id":12,"level":3,"parent":0,"text":"building on 'ssh-ng://mac-mini'","type":105}`,
		`@nix {"action":"stop","id":12}`,
	}
	m := newModel(&chunks{batches: [][]string{lines}}, 120, 40)
	m, _ = m.Update(m.read()())
	m, _ = m.Update(tickMsg{})
	plain := ansi.Strip(m.View())
	rows := strings.Split(plain, "\n")
	local, remote, lastBuild := -1, -1, -1
	for i, r := range rows {
		switch {
		case strings.HasPrefix(r, "build "):
			lastBuild = i
		case strings.HasPrefix(r, "builder  this machine  1 build, 1 running"):
			local = i
		case strings.HasPrefix(r, "builder  ssh-ng://mac-mini  2 builds, 1 running"):
			remote = i
		}
	}
	if lastBuild < 0 || local < lastBuild || remote != local+1 {
		t.Errorf("no builder rows after the builds:\n%s", plain)
	}
	want := "on this machine 1 build (1 running), on ssh-ng://mac-mini 2 builds (1 running)"
	if got := nixlog.BuilderWords(m.State().Builders()); got != want {
		t.Errorf("BuilderWords = %q, want %q", got, want)
	}
	checkFrame(t, m.View(), 120, 40)
}
