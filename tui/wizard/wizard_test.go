package wizard

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/proc"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/tui/theme"
)

// fakeReport is a WSL machine with Nix installed, as detection reports it.
func fakeReport(home string) detect.Report {
	a := flakegen.DefaultFor("wsl", "x86_64-linux")
	a.HomeBase.Username = "alice"
	a.HomeBase.HomeDirectory = "/home/alice"
	a.Hostname = "wsl-box"
	a.Git = flakegen.GitAnswer{Name: "Alice Example", Email: "alice@example.com"}
	v := "2.28.3"
	return detect.Report{
		Platform: detect.Platform{Kind: "wsl", Arch: "x86_64", System: "x86_64-linux", WSL: &detect.WSL{Version: 2, Systemd: true}},
		Nix:      detect.Nix{Installed: true, Version: &v, OnPath: true},
		User:     detect.User{Name: "alice", Home: home, Hostname: "wsl-box", Shell: "/bin/bash"},
		Defaults: a,
		Checks: []detect.Check{
			{ID: "platform", Status: detect.StatusOK, Message: "Ubuntu 24.04 on WSL 2 with systemd"},
			{ID: "nix.installed", Status: detect.StatusOK, Message: "Nix 2.28.3 (multi-user)"},
		},
	}
}

func testOptions(t *testing.T, r detect.Report) Options {
	t.Helper()
	return Options{
		Dir:      filepath.Join(t.TempDir(), "hm"),
		NoSwitch: true,
		NoColor:  true,
		Deps: Deps{
			Detect: func(context.Context) detect.Report { return r },
			Now:    func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
			Env:    os.Environ(),
		},
	}
}

func start(t *testing.T, opts Options, w, h int) (*teatest.TestModel, *Model) {
	t.Helper()
	m := newModel(context.Background(), opts)
	tm := teatest.NewTestModel(t, m,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	return tm, m
}

func waitText(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(text))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// sendKeys sends keys to a program at once. A walk through a real program
// must wait for something visible before each key whose effect depends on
// the screen it reaches: the program runs commands on its own goroutines.
func sendKeys(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		for _, msg := range keyMsgs(k) {
			tm.Send(msg)
		}
	}
}

// finalView renders the final model's screen as plain text.
func finalView(t *testing.T, tm *teatest.TestModel) (*Model, string) {
	t.Helper()
	m := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	m.quitting = false
	return m, ansi.Strip(m.View().Content)
}

// pageFields is the number of fields on each question page: the enters
// that keep a page as it stands.
var pageFields = []int{3, 3, 2, 1, 3}

// acceptPages keeps question pages first to last (counted from 1) as they
// stand, pressing enter on each of their fields, and checks that each page
// is the one shown when its first enter is pressed.
func acceptPages(t *testing.T, d *driver, first, last int) {
	t.Helper()
	for page := first; page <= last; page++ {
		heading := fmt.Sprintf("Question page %d of %d: %s", page, len(questionPages), questionPages[page-1])
		if v := d.view(); d.m.Step() != StepQuestions || !strings.Contains(v, heading) {
			t.Fatalf("on %s, want %q:\n%s", d.m.Step(), heading, v)
		}
		for range pageFields[page-1] {
			d.press("enter")
		}
	}
}

func TestWizardRunToDone(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(strings.Join([]string{itoa(size[0]), itoa(size[1])}, "x"), func(t *testing.T) {
			t.Parallel()
			opts := testOptions(t, fakeReport("/home/alice"))
			runDriven(t, opts, size[0], size[1], func(t *testing.T, d *driver) {
				wantView(t, d, "answer a few questions")
				d.press("enter")
				acceptPages(t, d, 1, 5)
				wantView(t, d, "write files")
				d.press("enter")
				wantView(t, d, "when you are ready")
				d.press("q")
				m, view := d.m, d.finalView()
				if !d.quit || m.Step() != StepDone || m.Outcome().Quit || m.Outcome().Failed {
					t.Fatalf("ended on %s (quit %v), outcome %+v", m.Step(), d.quit, m.Outcome())
				}
				// Commands break only between shell words, with a trailing
				// backslash: joined again they are the command to paste.
				joined := shellContinuation.ReplaceAllString(view, " ")
				for _, want := range []string{"Configuration written to " + opts.Dir, "home-manager switch --flake " + opts.Dir + "#alice@wsl-box", "[Done]"} {
					if !strings.Contains(joined, want) {
						t.Errorf("final view lacks %q:\n%s", want, view)
					}
				}
				for _, line := range strings.Split(view, "\n") {
					if w := ansi.StringWidth(line); w > size[0] {
						t.Errorf("line wider than %d (%d): %q", size[0], w, line)
					}
				}
				if n := len(strings.Split(view, "\n")); n > size[1] {
					t.Errorf("view has %d lines, terminal %d", n, size[1])
				}
				data, err := os.ReadFile(filepath.Join(opts.Dir, "nixboard.json"))
				if err != nil {
					t.Fatal(err)
				}
				got, err := flakegen.Parse(data)
				if err != nil || got.ConfigName() != "alice@wsl-box" {
					t.Errorf("written answers: %v %v", got.ConfigName(), err)
				}
			})
		})
	}
}

// wantView fails the test unless the screen shows text.
func wantView(t *testing.T, d *driver, text string) {
	t.Helper()
	if v := d.view(); !strings.Contains(v, text) {
		t.Fatalf("on %s, the screen lacks %q:\n%s", d.m.Step(), text, v)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// shellContinuation is a command's line break: " \", the new line and the
// indent of the next line.
var shellContinuation = regexp.MustCompile(` \\\s*\n\s*`)

// TestWizardBackNavigation changes a field, goes forward a page and back:
// the change is kept and the key after each move reaches the field the
// move focused (with a sleeping walk, it used to reach the field before).
func TestWizardBackNavigation(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		wantView(t, d, "answer a few questions")
		d.press("enter")
		wantView(t, d, "Who you are")
		// Back to the welcome screen and forward again.
		d.press("esc")
		wantView(t, d, "answer a few questions")
		d.press("enter")
		wantView(t, d, "Who you are")
		// Change the git name, go forward a page, then back: it is kept.
		d.press("enter", "ctrl+u", "Bob Builder", "enter", "enter")
		wantView(t, d, "Configuration directory")
		d.press("esc")
		wantView(t, d, "1 of 5")
		d.press("ctrl+c", "y")
		m, view := d.m, d.finalView()
		if !d.quit || m.Step() != StepQuestions || !m.Outcome().Quit {
			t.Fatalf("step %s quit %v outcome %+v", m.Step(), d.quit, m.Outcome())
		}
		if m.Answers().Git.Name != "Bob Builder" {
			t.Errorf("git name = %q", m.Answers().Git.Name)
		}
		if m.questions.idx != 0 || !strings.Contains(view, "Bob Builder") {
			t.Errorf("final view is not the identity page with the new name:\n%s", view)
		}
		if _, err := os.Stat(opts.Dir); !os.IsNotExist(err) {
			t.Errorf("something was written to %s", opts.Dir)
		}
	})
}

// TestWizardBackAndForth goes back from the second question page to the
// first and forward again to the review, back from the review (to the last
// page) and from Done (to the review), and writes twice.
func TestWizardBackAndForth(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		wantView(t, d, "answer a few questions")
		d.press("enter")
		acceptPages(t, d, 1, 1)
		wantView(t, d, "2 of 5")
		d.press("esc")
		acceptPages(t, d, 1, 5)
		wantView(t, d, "write files")
		// Back from the review leads to the last page, and forward again.
		d.press("esc")
		acceptPages(t, d, 5, 5)
		wantView(t, d, "write files")
		d.press("enter")
		wantView(t, d, "when you are ready")
		// Back from Done to the review: the files are there now.
		d.press("esc")
		wantView(t, d, "unchanged")
		d.press("enter")
		wantView(t, d, "when you are ready")
		d.press("q")
		m, view := d.m, d.finalView()
		if !d.quit || m.Step() != StepDone || m.Outcome().Quit || m.Outcome().Failed {
			t.Fatalf("ended on %s (quit %v), outcome %+v", m.Step(), d.quit, m.Outcome())
		}
		if !strings.Contains(view, "Configuration written to") {
			t.Errorf("final view:\n%s", view)
		}
		if _, err := os.Stat(filepath.Join(opts.Dir, "flake.nix")); err != nil {
			t.Error(err)
		}
	})
}

// TestWizardQuickKeysDoNotSkipPages delivers four enters on the first
// question page before any of their commands ran: three finish it, and the
// messages huh's commands send for the extra one belong to the first
// page's form, so the second page is shown, never skipped.
func TestWizardQuickKeysDoNotSkipPages(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		wantView(t, d, "answer a few questions")
		d.press("enter")
		wantView(t, d, "Who you are")
		d.pressAtOnce("enter", "enter", "enter", "enter")
		if d.m.Step() != StepQuestions || d.m.questions.idx != 1 {
			t.Fatalf("on %s page %d after four enters, want page 2:\n%s", d.m.Step(), d.m.questions.idx+1, d.view())
		}
		wantView(t, d, "2 of 5")
	})
}

// TestWizardModulesDescribeHighlighted walks to the modules page on WSL and
// on macOS at 80x24 and 120x40: every offered flag is in view, the
// highlighted flag's description is shown below the list and follows the
// cursor, and on macOS the flags that are not offered are explained.
func TestWizardModulesDescribeHighlighted(t *testing.T) {
	for _, tt := range []struct{ platform, system string }{{"wsl", "x86_64-linux"}, {"darwin", "aarch64-darwin"}} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(tt.platform+"-"+itoa(size[0]), func(t *testing.T) {
				t.Parallel()
				r := fakeReport("/home/alice")
				dflt := flakegen.DefaultFor(tt.platform, tt.system)
				dflt.HomeBase.Username, dflt.Hostname = "alice", "box"
				r.Defaults = dflt
				runDriven(t, testOptions(t, r), size[0], size[1], func(t *testing.T, d *driver) {
					wantView(t, d, "answer a few questions")
					d.press("enter")
					acceptPages(t, d, 1, 3)
					wantView(t, d, "Git: git with your name")
					d.press("down", "down")
					view := d.view()
					if d.m.questions.idx != 3 {
						t.Fatalf("not on the modules page: %d", d.m.questions.idx)
					}
					lines := strings.Split(view, "\n")
					if len(lines) > size[1] {
						t.Errorf("%d lines on a %d-line terminal", len(lines), size[1])
					}
					for _, l := range lines {
						if ansi.StringWidth(l) > size[0] {
							t.Errorf("line wider than %d: %q", size[0], l)
						}
					}
					for _, c := range wizardlogic.ModuleChoices(dflt) {
						in := strings.Contains(view, "] "+c.Flag.Title)
						if in != c.Offered {
							t.Errorf("%s offered=%v, in view=%v:\n%s", c.Flag.Key, c.Offered, in, view)
						}
					}
					if !strings.Contains(view, "tmux: tmux with mouse support") || strings.Contains(view, "Git: git with") {
						t.Errorf("the description does not follow the cursor:\n%s", view)
					}
					if tt.platform == "darwin" && (!strings.Contains(view, "Not offered on this machine:") || !strings.Contains(view, "this is macOS.")) {
						t.Errorf("the flags not offered on macOS are not explained in full:\n%s", view)
					}
				})
			})
		}
	}
}

func TestWizardValidationAsTyped(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		wantView(t, d, "answer a few questions")
		d.press("enter")
		wantView(t, d, "Who you are")
		d.press("ctrl+u", "Bad User")
		wantView(t, d, "✗")
		// Enter does not leave a field with a problem.
		d.press("enter")
		m, view := d.m, d.view()
		if m.Step() != StepQuestions || m.questions.idx != 0 {
			t.Fatalf("left the identity page: %s page %d", m.Step(), m.questions.idx)
		}
		// After enter, huh shows the problem under the field, and the live
		// line steps aside so it is said once.
		want := wizardlogic.FieldProblem(withUsername(fakeReport("/home/alice").Defaults, "Bad User"), "homeBase.username")
		if want == nil {
			t.Fatal("flakegen accepts the user name \"Bad User\"")
		}
		flat := strings.Join(strings.Fields(view), " ")
		if n := strings.Count(flat, strings.Join(strings.Fields(want.Error()), " ")); n != 1 {
			t.Errorf("the problem %q is shown %d times, want once:\n%s", want, n, view)
		}
	})
}

func withUsername(a flakegen.Answers, u string) flakegen.Answers {
	a.HomeBase.Username = u
	return a
}

func TestWizardQuitAsks(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		wantView(t, d, "answer a few questions")
		d.press("ctrl+c")
		wantView(t, d, "Quit nixboard?")
		d.press("n")
		wantView(t, d, "enter continue")
		if d.quit || d.m.Outcome().Quit {
			t.Fatal("n quit the wizard")
		}
		d.press("ctrl+c")
		wantView(t, d, "Quit nixboard?")
		d.press("ctrl+c")
		if !d.quit || !d.m.Outcome().Quit || d.m.Step() != StepWelcome {
			t.Errorf("quit %v outcome %+v on %s", d.quit, d.m.Outcome(), d.m.Step())
		}
	})
}

func TestWizardNixMissingInstaller(t *testing.T) {
	t.Parallel()
	r := fakeReport("/home/alice")
	r.Nix = detect.Nix{}
	opts := testOptions(t, r)
	calls := 0
	opts.Deps.Detect = func(context.Context) detect.Report {
		calls++
		if calls > 1 {
			return fakeReport("/home/alice")
		}
		return r
	}
	var ran []string
	opts.Deps.Installer = func(o InstallOption) proc.Spec {
		ran = append(ran, o.Command)
		return proc.Spec{Argv: []string{"/bin/sh", "-c", "echo fake installer step 1; echo fake installer done"}}
	}
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		wantView(t, d, "Nix is not installed")
		d.press("enter")
		wantView(t, d, "Determinate")
		d.press("enter")
		wantView(t, d, "[y/N]")
		// Declining runs nothing.
		d.press("n")
		wantView(t, d, "choose")
		if len(ran) != 0 {
			t.Fatalf("declining ran %q", ran)
		}
		d.press("enter")
		wantView(t, d, "[y/N]")
		d.press("y")
		wantView(t, d, "check the machine again")
		d.press("enter")
		wantView(t, d, "answer a few questions")
		d.press("ctrl+c", "y")
		checkInstalled(t, d.m, ran)
	})
}

func checkInstalled(t *testing.T, m *Model, ran []string) {
	t.Helper()
	if len(ran) != 1 || !strings.Contains(ran[0], "install.determinate.systems") {
		t.Errorf("installer runs: %q", ran)
	}
	if !strings.Contains(strings.Join(m.install.lines, "\n"), "fake installer done") {
		t.Errorf("installer output not streamed: %q", m.install.lines)
	}
	if !m.report.Nix.Installed || m.Step() != StepWelcome {
		t.Errorf("after install: step %s nix %+v", m.Step(), m.report.Nix)
	}
}

// TestQuestionPagesNamedOnce: each question page is named once, by its
// heading, at 80x24 and at a wide size.
func TestQuestionPagesNamedOnce(t *testing.T) {
	t.Parallel()
	r := fakeReport("/home/alice")
	for _, w := range []int{80, 120} {
		for i, name := range questionPages {
			var q questionsScreen
			q.setSize(w, 20)
			q.start(r.Defaults, r.User.Home, "/home/alice/.config/home-manager", true, true, i)
			view := ansi.Strip(q.draw(theme.New(true, true), w))
			heading := fmt.Sprintf("Question page %d of %d: %s\n", i+1, len(questionPages), name)
			if !strings.HasPrefix(view, heading) || strings.Count(view, name) != 1 {
				t.Errorf("width %d, page %q is not named once, by its heading:\n%s", w, name, view)
			}
		}
	}
}

// TestReviewOffersEnterWhenReady: the review's key help offers enter only
// once the plan is there and nothing needs fixing, and names what it does.
func TestReviewOffersEnterWhenReady(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		dryRun bool
		want   string
	}{{false, "enter write files"}, {true, "enter finish (dry run)"}} {
		r := fakeReport("/home/alice")
		opts := testOptions(t, r)
		opts.DryRun = tt.dryRun
		m := newModel(context.Background(), opts)
		t.Cleanup(m.cancel)
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
		m.Update(detectDoneMsg{report: r})
		m.answers = withUsername(r.Defaults, "Bad User")
		m.goTo(StepReview)
		if footer := ansi.Strip(m.footer()); strings.Contains(footer, "enter") {
			t.Errorf("answers that need fixing, yet the review offers enter: %q", footer)
		}
		m.answers = r.Defaults
		cmd := m.goTo(StepReview)
		if footer := ansi.Strip(m.footer()); strings.Contains(footer, "enter") {
			t.Errorf("no plan yet, yet the review offers enter: %q", footer)
		}
		var plan tea.Msg
		for _, c := range cmd().(tea.BatchMsg) {
			if msg, ok := c().(planDoneMsg); ok {
				plan = msg
			}
		}
		m.Update(plan)
		if footer := ansi.Strip(m.footer()); !strings.Contains(footer, tt.want) {
			t.Errorf("dry run %v: the ready review's key help is %q, want %q", tt.dryRun, footer, tt.want)
		}
	}
}
