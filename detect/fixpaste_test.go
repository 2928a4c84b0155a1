package detect_test

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// proseLine matches a line of a fix that is an explanation rather than a
// command: a phrase introducing a command ("then in Windows PowerShell: ",
// "to keep a copy of your own: ") or a line that starts with an English
// word no shell runs ("then", "or", "open").
var proseLine = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 ,'()/.-]*: |^(then|or|to|and|start|use|run|add|open|check|free|your|in|install|remove|keep)\b`)

// pasteProblem says why fix is not a command that runs as pasted, or "".
func pasteProblem(t *testing.T, bash, fix string) string {
	t.Helper()
	for _, line := range strings.Split(fix, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if proseLine.MatchString(line) {
			return "prose line " + strings.TrimSpace(line)
		}
	}
	out, err := exec.Command(bash, "-n", "-c", fix).CombinedOutput()
	if err != nil {
		return "bash -n: " + strings.TrimSpace(string(out))
	}
	return ""
}

// TestFixesPasteAsCommands checks every fix detection gives on every fixture
// and demo machine (and the install advice's commands, which the wizard and
// doctor draw the same way): each parses as shell and holds no prose, so it
// runs as pasted; explanation belongs in the check's message.
func TestFixesPasteAsCommands(t *testing.T) {
	bash := nixtest.RequireShell(t, "bash")
	reports := map[string]detect.Report{}
	for _, name := range fixtureNames(t) {
		reports["fixture "+name] = runFixture(t, name, detect.Options{})
	}
	for _, name := range detect.DemoNames() {
		m, err := detect.Demo(name)
		if err != nil {
			t.Fatal(err)
		}
		reports["demo "+name] = detect.Run(context.Background(), m, detect.Options{})
		for _, opt := range []string{detect.OptionDeterminate, detect.OptionUpstreamDaemon} {
			m, err := detect.DemoWithNix(name, opt)
			if err != nil {
				t.Fatal(err)
			}
			reports["demo "+name+" after "+opt] = detect.Run(context.Background(), m, detect.Options{})
		}
	}
	fixes := 0
	for where, r := range reports {
		for _, c := range r.Checks {
			if c.Fix == "" {
				continue
			}
			fixes++
			if p := pasteProblem(t, bash, c.Fix); p != "" {
				t.Errorf("%s: %s's fix does not paste: %s\nfix: %q", where, c.ID, p, c.Fix)
			}
		}
		if r.Nix.Installed {
			continue
		}
		for _, o := range detect.InstallAdvice(r).Options {
			if p := pasteProblem(t, bash, o.Command); p != "" {
				t.Errorf("%s: install option %s does not paste: %s\ncommand: %q", where, o.ID, p, o.Command)
			}
		}
	}
	if fixes == 0 {
		t.Fatal("no fixture gave a fix: the test checks nothing")
	}
}

// fixtureNames is every fixture machine in the expectation table, which
// TestEveryFixtureHasExpectations keeps complete (but for nix-hangs, whose
// probe times out by design).
func fixtureNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for name := range fixtures {
		names = append(names, name)
	}
	return names
}
