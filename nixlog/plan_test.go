package nixlog

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestPlannedBuilds(t *testing.T) {
	for text, want := range map[string]int{
		"these 5 derivations will be built:":                          5,
		"this derivation will be built:":                              1,
		"these 2 derivations will be built:\n  /nix/store/x-a.drv":    2,
		"\x1b[1mthese 12 derivations will be built:\x1b[0m":           12,
		"these 2 paths will be fetched (0.01 MiB download, 0.05 MiB)": -1,
		"these derivations will be built:":                            -1,
		"building '/nix/store/x-a.drv'":                               -1,
	} {
		n, ok := PlannedBuilds([]byte(text))
		if want < 0 && ok || want >= 0 && (!ok || n != want) {
			t.Errorf("PlannedBuilds(%q) = %d, %v; want %d", text, n, ok, want)
		}
	}
}

// TestBuildsExpectedIsWhatNixBuilds replays every recorded run that
// succeeded, line by line: the builds the header expects never go down
// while a set of builds runs (when it ends, the total becomes what it
// built), and where nix printed its plan (Nix 2.26) they are never more
// than the builds it then started. Nix's own expected count also
// counts derivations it goes on to download (8 for the 5 builds of the
// fixture switch while its 3 downloads run); Nix 2.8 prints no plan, and
// there the total is nix's count until the downloads end.
func TestBuildsExpectedIsWhatNixBuilds(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "logs", "nix-*", "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(`"type":104`)) || bytes.Contains(data, []byte("failed with exit code")) {
			continue
		}
		planned := bytes.Contains(data, []byte("derivations will be built:")) || bytes.Contains(data, []byte("derivation will be built:"))
		rel, _ := filepath.Rel(filepath.Join("testdata", "logs"), file)
		t.Run(rel, func(t *testing.T) {
			s := NewState(Options{})
			started, last, peak := 0, 0, 0
			sets := map[string]bool{}
			id := regexp.MustCompile(`"id":(\d+)`)
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(nil, 1<<20)
			for n := 1; sc.Scan(); n++ {
				line := sc.Bytes()
				setEnds := false
				if m := id.FindSubmatch(line); m != nil {
					switch {
					case bytes.Contains(line, []byte(`"action":"start"`)) && bytes.Contains(line, []byte(`"type":105`)):
						started++
					case bytes.Contains(line, []byte(`"action":"start"`)) && bytes.Contains(line, []byte(`"type":104`)):
						sets[string(m[1])] = true
					case bytes.Contains(line, []byte(`"action":"stop"`)):
						setEnds = sets[string(m[1])]
					}
				}
				s.Feed(line)
				h := s.Header()
				if h.BuildsExpected < last && !setEnds {
					t.Fatalf("line %d: builds expected went down from %d to %d", n, last, h.BuildsExpected)
				}
				last = h.BuildsExpected
				peak = max(peak, last)
			}
			if sum := s.Summary(); planned && peak > started {
				t.Errorf("expected %d builds at most, nix started %d (summary %+v)", peak, started, sum)
			}
			if planned {
				checked++
			}
		})
	}
	if checked < 8 {
		t.Errorf("only %d recordings with a plan checked", checked)
	}
}

// TestPhaseStaysBuildingBesideDownloads: in the recorded runs where nix
// downloads beside its builds (parallel-*.log, and the demo's fixture
// switch), the phase goes from downloading to building once and never
// back while the set of builds runs, however the builds and downloads
// interleave.
func TestPhaseStaysBuildingBesideDownloads(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "logs", "nix-*", "parallel-*.log"))
	if err != nil || len(files) < 8 {
		t.Fatalf("%d parallel recordings (%v)", len(files), err)
	}
	files = append(files, filepath.Join("recording", "demo-switch.log"))
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s := NewState(Options{})
			if err := ReadLog(bytes.NewReader(data), s); err != nil {
				t.Fatal(err)
			}
			marks, _ := s.MarksSince(0)
			var phases []string
			built := false
			for _, m := range marks {
				if m.Kind != MarkPhase {
					continue
				}
				phases = append(phases, m.Phase.String())
				if m.Phase == PhaseBuilding {
					built = true
				}
				if built && m.Phase == PhaseDownloading {
					t.Fatalf("back to downloading after building: %v", phases)
				}
			}
			if !built {
				t.Errorf("never building: %v", phases)
			}
		})
	}
}

// TestFailedBuildNoLongerRuns: Nix 2.8 says a build failed while its
// activity is still open (nixlog/testdata/logs/nix-2.8/parallel-fail.log);
// from that message on it is neither listed nor counted as running.
func TestFailedBuildNoLongerRuns(t *testing.T) {
	s, _ := newTestState(Limits{})
	feedAll(s, `@nix {"action":"start","fields":["`+drvA+`","",1,1],"id":10,"level":3,"parent":0,"text":"","type":105}
@nix {"action":"start","fields":["`+drvB+`","",1,1],"id":11,"level":3,"parent":0,"text":"","type":105}`)
	if n := len(s.Running()); n != 2 || s.Header().BuildsRunning != 2 {
		t.Fatalf("%d running before the failure, header %+v", n, s.Header())
	}
	feedAll(s, `@nix {"action":"msg","level":0,"msg":"error: builder for '`+drvA+`' failed with exit code 1"}`)
	run := s.Running()
	if len(run) != 1 || run[0].ID != 11 || s.Header().BuildsRunning != 1 || s.Header().BuildsFailed != 1 {
		t.Errorf("after the failure: running %+v, header %+v", run, s.Header())
	}
}
