package wizard

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/nixboard/nixboard/detect"
)

// runAccessibleInstall runs the accessible wizard with piped input on a
// machine that reports before until the first detection after an
// installer ran, and after from then on. The answers are given with --yes
// and it is a dry run, so the run ends after the review.
func runAccessibleInstall(t *testing.T, f fakeHost, before, after detect.Report, input string) (Outcome, string, error) {
	t.Helper()
	opts := testOptions(t, before)
	var detections atomic.Int32
	opts.Deps.Detect = func(context.Context) detect.Report {
		if detections.Add(1) == 1 {
			return before
		}
		return after
	}
	opts.Deps.Installer = f.cmds.Installer
	opts.Deps.Sudo = f.cmds.Sudo
	a := after.Defaults
	opts.Answers, opts.Yes, opts.DryRun = &a, true, true
	var out bytes.Buffer
	o, err := RunAccessible(context.Background(), strings.NewReader(input), plainWriter(&out), opts)
	return o, out.String(), err
}

// plainWriter is the accessible mode's output as the command sets it up
// for a pipe: a colour profile writer that writes no escapes.
func plainWriter(w io.Writer) io.Writer {
	cw := colorprofile.NewWriter(w, nil)
	cw.Profile = colorprofile.NoTTY
	return cw
}

func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			// The review's diffs are long and not this test's business.
			short, _, _ := strings.Cut(out, "\n--- /dev/null")
			t.Errorf("output lacks %q:\n%s", w, short)
		}
	}
}

// TestAccessibleInstall: the numbered choice, the command and the
// question, sudo first, the installer's output as plain lines, detection
// again, and the wizard goes on to the review.
func TestAccessibleInstall(t *testing.T) {
	t.Parallel()
	f := newFakeHost(t, true)
	before := nixMissing("alice")
	o, out, err := runAccessibleInstall(t, f, before, fakeReport("/home/alice"), "1\ny\n")
	if err != nil || o.Quit || o.Step != StepDone {
		t.Fatalf("outcome %+v, err %v\n%s", o, err, out)
	}
	cmd := adviseInstall(before).Options[0].Command
	wantLines(t, out,
		"How should Nix be installed?",
		"1. Determinate Systems installer: recommended",
		"3. not now: install Nix yourself later",
		"The command:\n  "+cmd+"\nFirst sudo asks for your password",
		"Run this command now? [y/N]",
		sudoIntro,
		"sudo accepted your password.",
		"$ "+cmd+"\nfake installer: args install --no-confirm\nINFO Step: create /nix\nfake installer: done\n✓ The installer finished.",
		"nixboard: looking at this machine again…",
		"Dry run: nothing was written.",
	)
	if i := strings.IndexAny(out, "\x1b\r"); i >= 0 {
		t.Errorf("an escape in the plain output: %q", out[max(i-200, 0):i+10])
	}
	if got := f.log("sudo"); !reflect.DeepEqual(got, []string{"-v", "mkdir -m 0755 /nix"}) {
		t.Errorf("sudo calls = %q", got)
	}
	if got := f.log("curl"); len(got) != 1 {
		t.Errorf("curl calls = %q", got)
	}
}

// TestAccessibleInstallRefusals: nothing runs without an explicit yes, a
// failed sudo runs no installer, and an option nixboard cannot run is
// left to the person.
func TestAccessibleInstallRefusals(t *testing.T) {
	t.Parallel()
	wslNoSystemd := nixMissing("alice")
	wslNoSystemd.Platform.WSL.Systemd = false
	tests := []struct {
		name      string
		report    detect.Report
		sudoFails bool
		input     string
		wantSudo  []string
		want      []string
	}{
		{"no input", nixMissing("alice"), false, "", nil, []string{"No answer: nothing was run."}},
		{"empty answer is no", nixMissing("alice"), false, "1\n\n", nil, []string{"Run this command now?", "Nothing was run."}},
		{"no", nixMissing("alice"), false, "2\nn\n", nil, []string{"upstream-daemon", "Nothing was run."}},
		{"not now", nixMissing("alice"), false, "3\n", nil, nil},
		{"sudo fails", nixMissing("alice"), true, "1\ny\nn\n", []string{"-v"},
			[]string{"sudo did not confirm your password (exit status 1)", "incorrect password", "Try sudo again?"}},
		{"sudo fails twice", nixMissing("alice"), true, "1\ny\ny\nn\n3\n", []string{"-v", "-v"}, []string{"Try sudo again?"}},
		{"run it yourself", wslNoSystemd, false, "1\n", nil,
			[]string{"turn on systemd in WSL", "nixboard cannot run this for you", "Do this yourself, then run nixboard again:\n  printf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeHost(t, true)
			if tt.sudoFails {
				f.failSudo(t)
			}
			o, out, err := runAccessibleInstall(t, f, tt.report, fakeReport("/home/alice"), tt.input)
			if err != nil || !o.Quit {
				t.Fatalf("outcome %+v, err %v\n%s", o, err, out)
			}
			if tt.name == "no" {
				// The chosen option's command is the one asked about.
				tt.want[0] = adviseInstall(tt.report).Options[1].Command
			}
			wantLines(t, out, tt.want...)
			if got := f.log("sudo"); !reflect.DeepEqual(got, tt.wantSudo) {
				t.Errorf("sudo calls = %q, want %q", got, tt.wantSudo)
			}
			if f.log("curl") != nil || strings.Contains(out, "fake installer") {
				t.Errorf("the installer ran:\n%s", out)
			}
		})
	}
}

// TestAccessibleInstallAsRoot: root is not asked for a password.
func TestAccessibleInstallAsRoot(t *testing.T) {
	t.Parallel()
	f := newFakeHost(t, true)
	before := nixMissing("root")
	after := fakeReport("/root")
	o, out, err := runAccessibleInstall(t, f, before, after, "1\ny\n")
	if err != nil || o.Quit {
		t.Fatalf("outcome %+v, err %v\n%s", o, err, out)
	}
	if strings.Contains(out, "password") || reflect.DeepEqual(f.log("sudo"), []string{"-v"}) {
		t.Errorf("root was asked for a password:\n%s", out)
	}
	wantLines(t, out, "fake installer: done", "Dry run: nothing was written.")
}

// TestAccessibleInstallDemo: the demo plays its transcript in place of an
// installer, asks for no password, and the next detection finds Nix.
func TestAccessibleInstallDemo(t *testing.T) {
	t.Parallel()
	opts := demoOptions(t)
	opts.DryRun = true
	var out bytes.Buffer
	// The questions keep their defaults (0 ends the modules list), and no
	// diffs.
	input := "1\ny\n" + strings.Repeat("\n", 8) + "0\n" + strings.Repeat("\n", 4)
	o, err := RunAccessible(context.Background(), strings.NewReader(input), plainWriter(&out), opts)
	if err != nil || o.Quit {
		t.Fatalf("outcome %+v, err %v\n%s", o, err, out.String())
	}
	wantLines(t, out.String(), "This is the demo: nothing runs", "(demo: a canned transcript, nothing is installed)",
		"Nix was installed successfully!", "Dry run: nothing was written.")
	if strings.Contains(out.String(), "password") {
		t.Errorf("the demo mentions sudo:\n%s", out.String())
	}
}
