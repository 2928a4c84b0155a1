package wizard

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/tui/theme"
)

// TestWizardDemoInstall drives the demo machine without Nix through the
// install screen: accepting the installer runs nothing, plays the canned
// transcript into the log pane, and the next detection finds the demo
// machine with Nix installed.
func TestWizardDemoInstall(t *testing.T) {
	t.Parallel()
	runDriven(t, demoOptions(t), 80, 24, func(t *testing.T, d *driver) {
		wantView(t, d, "Nix is not installed")
		d.press("enter")
		wantView(t, d, "Determinate")
		d.press("enter")
		wantView(t, d, "canned transcript")
		d.press("y")
		wantView(t, d, "check the machine again")
		d.press("enter")
		wantView(t, d, "answer a few questions")
		d.press("ctrl+c", "y")
		checkDemoInstall(t, d.m)
	})
}

// TestWizardProgramDemoInstall is the same walk through a real Bubble Tea
// program, each key sent only once the screen it is meant for is drawn:
// the wiring the driver stands in for (Init, the background colour, the
// program's own running of commands on its goroutines) works end to end.
func TestWizardProgramDemoInstall(t *testing.T) {
	t.Parallel()
	tm, _ := start(t, demoOptions(t), 80, 24)
	waitText(t, tm, "Nix is not installed")
	sendKeys(tm, "enter")
	waitText(t, tm, "Determinate")
	sendKeys(tm, "enter")
	waitText(t, tm, "canned transcript")
	sendKeys(tm, "y")
	waitText(t, tm, "check the machine again")
	sendKeys(tm, "enter")
	waitText(t, tm, "answer a few questions")
	sendKeys(tm, "ctrl+c")
	waitText(t, tm, "Quit nixboard?")
	sendKeys(tm, "y")
	m, _ := finalView(t, tm)
	if !m.Outcome().Quit {
		t.Errorf("outcome %+v", m.Outcome())
	}
	checkDemoInstall(t, m)
}

// checkDemoInstall checks the wizard after the demo install: the canned
// transcript was played, nothing real ran, and detection found Nix.
func checkDemoInstall(t *testing.T, m *Model) {
	t.Helper()
	log := strings.Join(m.install.lines, "\n")
	for _, want := range []string{
		"$ curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix | sh -s -- install --no-confirm",
		"not a recording of a real install",
		"Planner: linux",
		"Nix was installed successfully!",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("install log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "@nixboard") || m.install.err != nil || !m.install.demo {
		t.Errorf("install screen: demo %v err %v", m.install.demo, m.install.err)
	}
	n := m.report.Nix
	if !n.Installed || n.Install == nil || *n.Install != detect.InstallDeterminate || m.report.Failed() {
		t.Errorf("after the demo install: nix %+v, failed %v", n, m.report.Failed())
	}
	if m.report.User.Name != "ada" {
		t.Errorf("not the demo machine: %+v", m.report.User)
	}
}

// demoOptions are testOptions on the demo machine without Nix: detection
// and the installer are the demo's, and nothing real runs.
func demoOptions(t *testing.T) Options {
	t.Helper()
	dm, err := NewDemoMachine("linux-x86_64", 0)
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(t, detect.Report{})
	opts.Demo = true
	opts.Deps.Detect = dm.Detect
	opts.Deps.DemoInstall = dm.Install
	return opts
}

// TestDemoMachineInstall covers the demo installer without the screen:
// each offered way the demo can play, and what it does when it cannot or
// is stopped.
func TestDemoMachineInstall(t *testing.T) {
	tests := []struct {
		name     string
		option   string
		cancel   bool
		wantErr  bool
		wantNix  bool
		wantLast string
	}{
		{"determinate", detect.OptionDeterminate, false, false, true, "To get started using Nix"},
		{"upstream multi-user", detect.OptionUpstreamDaemon, false, false, true, `nix-shell -p nix-info --run "nix-info -m"`},
		{"no transcript", detect.OptionUpstreamSingleUser, false, true, false, ""},
		{"stopped", detect.OptionDeterminate, true, true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dm, err := NewDemoMachine("linux-x86_64", 0)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			var lines []string
			err = dm.Install(ctx, InstallOption{ID: tt.option}, func(l string) { lines = append(lines, l) })
			if (err != nil) != tt.wantErr {
				t.Fatalf("Install error = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantLast != "" && !strings.Contains(strings.Join(lines, "\n"), tt.wantLast) {
				t.Errorf("transcript lacks %q", tt.wantLast)
			}
			if got := dm.Detect(context.Background()).Nix.Installed; got != tt.wantNix {
				t.Errorf("Nix installed after = %v, want %v", got, tt.wantNix)
			}
		})
	}
}

// TestDemoSwitchIdentity: the demo's recorded switch speaks of the
// person the answers describe, not of the fixture it was recorded with.
func TestDemoSwitchIdentity(t *testing.T) {
	tests := []struct {
		machine string
		home    string
	}{
		{"wsl-ubuntu", "/home/ada"},
		{"darwin-arm64", "/Users/ada"},
		{"nixos-wsl", "/home/nixos"},
	}
	for _, tt := range tests {
		t.Run(tt.machine, func(t *testing.T) {
			t.Parallel()
			dm, err := NewDemoMachine(tt.machine, 0)
			if err != nil {
				t.Fatal(err)
			}
			a := dm.Detect(context.Background()).Defaults
			cfg, err := DemoSwitch(0)(context.Background(), t.TempDir(), a, theme.New(true, true))
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			for {
				batch, err := cfg.Replay.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, l := range batch {
					text.Write(l.Text)
					text.WriteByte('\n')
				}
			}
			out := text.String()
			if want := "Creating home file links in " + tt.home + "\n"; !strings.Contains(out, want) {
				t.Errorf("the replay lacks %q", want)
			}
			if strings.Contains(out, "/home/fixture") || strings.Contains(out, "@DEMO_") {
				t.Error("the replay still shows the fixture's home or a placeholder")
			}
			if a.HomeBase.HomeDirectory != tt.home {
				t.Errorf("demo defaults home = %q", a.HomeBase.HomeDirectory)
			}
		})
	}
}
