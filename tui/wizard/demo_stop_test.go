package wizard

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoSwitchStoppedIsNotAFailure: ctrl+c during the demo's recorded
// switch ends the replay. The person stopped it: the done screen and the
// text left on the terminal say so, and neither calls it a failed switch
// nor sends the person to switch the demo's temporary directory.
func TestDemoSwitchStoppedIsNotAFailure(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	opts := testOptions(t, fakeReport("/home/alice"))
	opts.Demo, opts.DirRoot, opts.Dir = true, root, filepath.Join(root, "home-manager")
	opts.NoSwitch = false
	// The recorded switch at its pace: the driver's clock stands still,
	// so the replay is still running when ctrl+c comes.
	opts.Deps.Switch = DemoSwitch(1)
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPages(t, d, 1, 5)
		wantView(t, d, "write files")
		d.press("enter")
		if d.m.Step() != StepSwitch {
			t.Fatalf("after writing: on %s:\n%s", d.m.Step(), d.view())
		}
		d.press("ctrl+c")
		if d.m.Step() != StepDone {
			t.Fatalf("after ctrl+c: on %s:\n%s", d.m.Step(), d.view())
		}
		screen := d.view()
		final := FinalMessage(d.m)
		for name, text := range map[string]string{"screen": screen, "final message": final} {
			for _, bad := range []string{"failed", "log ends before", "nixboard switch --dir", root} {
				if strings.Contains(text, bad) {
					t.Errorf("the %s says %q:\n%s", name, bad, text)
				}
			}
			if !strings.Contains(text, "stopped") {
				t.Errorf("the %s does not say the switch was stopped:\n%s", name, text)
			}
		}
		if d.m.Outcome().Failed {
			t.Errorf("a stopped demo is not a failed run: %+v", d.m.Outcome())
		}
	})
}
