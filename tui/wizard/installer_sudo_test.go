package wizard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/detect"
)

// fakeHost is a directory of fake commands put first on PATH: a `sudo`
// that records its arguments and exits 1 while a "sudo-fails" file
// exists, and a `curl` that records its arguments and prints a fake
// installer script, which the real command line pipes into sh as it would
// the real installer. The script says which arguments sh gave it, prints a
// coloured line, uses sudo as real installers do and ends.
type fakeHost struct {
	bin, logs string
	cmds      HostCommands
}

const fakeSudo = `#!/bin/sh
echo "$*" >> "$FAKE_LOGS/sudo"
if [ -e "$FAKE_LOGS/sudo-fails" ]; then
	echo "sudo: 1 incorrect password attempt" >&2
	exit 1
fi
exit 0
`

const fakeCurl = `#!/bin/sh
echo "$*" >> "$FAKE_LOGS/curl"
cat <<'SCRIPT'
echo "fake installer: args $*"
printf '\033[1;32mINFO\033[0m Step: create /nix\r\n'
sudo mkdir -m 0755 /nix
echo "fake installer: done" >&2
SCRIPT
`

func newFakeHost(t *testing.T, withSudo bool) fakeHost {
	t.Helper()
	f := fakeHost{bin: filepath.Join(t.TempDir(), "bin"), logs: t.TempDir()}
	if err := os.Mkdir(f.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"curl": fakeCurl}
	if withSudo {
		files["sudo"] = fakeSudo
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(f.bin, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f.cmds = HostCommands{Env: []string{"PATH=" + f.bin + ":/usr/bin:/bin", "FAKE_LOGS=" + f.logs, "LC_ALL=C"}}
	return f
}

// log returns what a fake command recorded, one call a line.
func (f fakeHost) log(name string) []string {
	b, err := os.ReadFile(filepath.Join(f.logs, name))
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func (f fakeHost) failSudo(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.logs, "sudo-fails"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// nixMissing is a WSL 2 machine with systemd and without Nix, whose
// person is user.
func nixMissing(user string) detect.Report {
	r := fakeReport("/home/" + user)
	r.User.Name = user
	r.Nix = detect.Nix{}
	r.Checks = []detect.Check{{ID: "nix.installed", Status: detect.StatusFail, Message: "Nix is not installed"}}
	return r
}

// installModel is a wizard on the install screen of r, with the fake
// host's commands, driven through Update without a program.
func installModel(t *testing.T, f fakeHost, r detect.Report) *Model {
	t.Helper()
	opts := testOptions(t, r)
	opts.Deps.Installer = f.cmds.Installer
	opts.Deps.Sudo = f.cmds.Sudo
	m := newModel(context.Background(), opts)
	t.Cleanup(m.cancel)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(detectDoneMsg{report: r})
	m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if m.Step() != StepInstall {
		t.Fatalf("enter on a machine without Nix led to %s", m.Step())
	}
	return m
}

func pressKey(m *Model, k string) tea.Cmd {
	var msg tea.KeyPressMsg
	switch k {
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	default:
		msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
	}
	_, cmd := m.Update(msg)
	return cmd
}

// viewText is the wizard's screen as text.
func viewText(m *Model) string { return m.View().Content }

// confirmInstall chooses the recommended installer and says yes, and
// returns the command the wizard answered with.
func confirmInstall(t *testing.T, m *Model) tea.Cmd {
	t.Helper()
	pressKey(m, "enter")
	if m.install.phase != installConfirming {
		t.Fatalf("enter on an option: phase %s", m.install.phase)
	}
	return pressKey(m, "y")
}

// handOverTo runs the command that follows a yes (sudo's lookup), feeds
// its message back and checks that the wizard answers with a terminal
// hand-over (tea.Exec) of exactly the `sudo -v` run it keeps.
func handOverTo(t *testing.T, m *Model, cmd tea.Cmd) *terminalHandOver {
	t.Helper()
	if m.install.phase != installAuthorizing || cmd == nil {
		t.Fatalf("after yes: phase %s, command %v", m.install.phase, cmd != nil)
	}
	ready, ok := cmd().(sudoReadyMsg)
	if !ok {
		t.Fatalf("after yes the wizard did not look for sudo")
	}
	_, cmd = m.Update(ready)
	if ready.err != nil {
		if cmd != nil {
			t.Errorf("without sudo the wizard still answered with a command")
		}
		return nil
	}
	h := m.install.handOver
	if h == nil || cmd == nil {
		t.Fatal("sudo was found but the terminal was not handed over")
	}
	msg := cmd()
	// The message is Bubble Tea's own (unexported) exec message: the
	// program stops reading the terminal, runs h on it and resumes.
	v := reflect.ValueOf(msg)
	if got := fmt.Sprintf("%T", msg); got != "tea.execMsg" {
		t.Fatalf("the hand-over command produced %s, not tea.Exec's message", got)
	}
	if f := v.FieldByName("cmd"); !f.IsValid() || f.Elem().Pointer() != reflect.ValueOf(h).Pointer() {
		t.Errorf("tea.Exec does not run the kept sudo run")
	}
	return h
}

// runHandOver does what the program does with the exec message, on
// buffers instead of a terminal, and returns what the run printed.
func runHandOver(h *terminalHandOver) (string, error) {
	var out bytes.Buffer
	h.SetStdin(strings.NewReader(""))
	h.SetStdout(&out)
	h.SetStderr(&out)
	err := h.Run()
	return out.String(), err
}

// drainInstall runs the commands of an installer run, feeding each message
// to Update, until the installer's end arrived.
func drainInstall(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		if msg == nil {
			continue
		}
		_, next := m.Update(msg)
		if _, done := msg.(installDoneMsg); done {
			return
		}
		queue = append(queue, next)
	}
	t.Fatalf("the installer's end never arrived; phase %s, log %q", m.install.phase, m.install.lines)
}

// TestInstallSudoThenInstaller: a person who is not root says yes; the
// wizard hands the terminal to `sudo -v` (the intro first), and only
// after sudo succeeded runs the installer command line as shown, whose
// output (colour stripped) streams into the log, and whose own sudo call
// comes after the credentials were cached.
func TestInstallSudoThenInstaller(t *testing.T) {
	t.Parallel()
	f := newFakeHost(t, true)
	m := installModel(t, f, nixMissing("alice"))
	cmd := confirmInstall(t, m)
	if got := viewText(m); !strings.Contains(got, "sudo is asking for your password") {
		t.Errorf("while sudo has the terminal the screen says:\n%s", got)
	}
	h := handOverTo(t, m, cmd)
	if want := []string{filepath.Join(f.bin, "sudo"), "-v"}; !reflect.DeepEqual(h.spec.Argv, want) {
		t.Errorf("sudo args = %q, want %q", h.spec.Argv, want)
	}
	if f.log("curl") != nil {
		t.Fatal("the installer ran before sudo")
	}
	printed, err := runHandOver(h)
	if err != nil {
		t.Fatalf("fake sudo: %v", err)
	}
	if !strings.HasPrefix(printed, "\n"+sudoIntro) || !strings.Contains(printed, "never sees or stores it") {
		t.Errorf("printed before sudo: %q", printed)
	}
	_, cmd = m.Update(sudoDoneMsg{err: err})
	if m.install.phase != installRunning {
		t.Fatalf("after sudo: phase %s", m.install.phase)
	}
	drainInstall(t, m, cmd)

	if m.install.err != nil {
		t.Fatalf("installer: %v", m.install.err)
	}
	if got := f.log("sudo"); !reflect.DeepEqual(got, []string{"-v", "mkdir -m 0755 /nix"}) {
		t.Errorf("sudo calls = %q: want -v first, then the installer's", got)
	}
	if got := f.log("curl"); len(got) != 1 || !strings.Contains(got[0], "https://install.determinate.systems/nix") {
		t.Errorf("curl calls = %q", got)
	}
	log := strings.Join(m.install.lines, "\n")
	for _, want := range []string{
		"$ " + m.install.advice.Options[0].Command,
		"fake installer: args install --no-confirm",
		"INFO Step: create /nix",
		"fake installer: done",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.ContainsAny(log, "\x1b\r") {
		t.Errorf("escape sequences reached the log: %q", log)
	}
	if got := viewText(m); !strings.Contains(got, "The installer finished") {
		t.Errorf("finished screen:\n%s", got)
	}
	pressKey(m, "enter")
	if m.Step() != StepWelcome || !m.detecting {
		t.Errorf("enter after the installer: step %s, detecting %v", m.Step(), m.detecting)
	}
}

// TestInstallSudoFails: when sudo fails (a wrong password, ctrl+c at its
// prompt), the screen says so, nothing else runs, enter asks sudo again
// and esc goes back to the options.
func TestInstallSudoFails(t *testing.T) {
	t.Parallel()
	f := newFakeHost(t, true)
	f.failSudo(t)
	m := installModel(t, f, nixMissing("alice"))
	h := handOverTo(t, m, confirmInstall(t, m))
	printed, err := runHandOver(h)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(printed, "incorrect password") {
		t.Fatalf("fake sudo: %v, %q", err, printed)
	}
	if _, cmd := m.Update(sudoDoneMsg{err: err}); cmd != nil {
		t.Error("a failed sudo still led to a command")
	}
	scr := viewText(m)
	if m.install.phase != installAuthFailed || !strings.Contains(scr, "sudo did not confirm your password") ||
		!strings.Contains(scr, "Nothing was run") || !strings.Contains(scr, "try sudo again") {
		t.Errorf("phase %s, screen:\n%s", m.install.phase, scr)
	}
	// Enter tries again: the terminal goes to sudo once more.
	h = handOverTo(t, m, pressKey(m, "enter"))
	if _, err := runHandOver(h); err == nil {
		t.Fatal("fake sudo succeeded")
	}
	m.Update(sudoDoneMsg{err: err})
	pressKey(m, "esc")
	if m.install.phase != installChoosing || m.install.sudoErr != nil || m.Step() != StepInstall {
		t.Errorf("esc after a failed sudo: step %s, phase %s", m.Step(), m.install.phase)
	}
	if got := f.log("sudo"); !reflect.DeepEqual(got, []string{"-v", "-v"}) {
		t.Errorf("sudo calls = %q", got)
	}
	if f.log("curl") != nil || len(m.install.lines) != 0 {
		t.Errorf("the installer ran after sudo failed: %q", m.install.lines)
	}
}

// TestInstallWithoutSudo: a machine without sudo gets the fix, and nothing
// runs.
func TestInstallWithoutSudo(t *testing.T) {
	t.Parallel()
	f := newFakeHost(t, false)
	m := installModel(t, f, nixMissing("alice"))
	if h := handOverTo(t, m, confirmInstall(t, m)); h != nil {
		t.Fatal("the terminal was handed to a sudo that does not exist")
	}
	scr := viewText(m)
	if !errors.Is(m.install.sudoErr, errNoSudo) || !strings.Contains(scr, "sudo is not installed") ||
		!strings.Contains(scr, "usermod -aG sudo alice") {
		t.Errorf("err %v, screen:\n%s", m.install.sudoErr, scr)
	}
	if f.log("curl") != nil {
		t.Error("the installer ran without sudo")
	}
}

// TestInstallAsRoot: root needs no password, so the installer runs right
// after the yes, and sudo is never called.
func TestInstallAsRoot(t *testing.T) {
	t.Parallel()
	f := newFakeHost(t, true)
	r := nixMissing("root")
	r.User.Home = "/root"
	m := installModel(t, f, r)
	cmd := confirmInstall(t, m)
	if m.install.phase != installRunning {
		t.Fatalf("root's yes: phase %s", m.install.phase)
	}
	if strings.Contains(viewText(m), "password") {
		t.Errorf("root is asked about a password:\n%s", viewText(m))
	}
	drainInstall(t, m, cmd)
	if got := f.log("sudo"); slices.Contains(got, "-v") {
		t.Errorf("sudo -v ran for root: %q", got)
	}
	if m.install.err != nil || !strings.Contains(strings.Join(m.install.lines, "\n"), "fake installer: done") {
		t.Errorf("root's install: %v %q", m.install.err, m.install.lines)
	}
}

// TestInstallDeclined: anything but y on the question runs nothing.
func TestInstallDeclined(t *testing.T) {
	t.Parallel()
	f := newFakeHost(t, true)
	m := installModel(t, f, nixMissing("alice"))
	pressKey(m, "enter")
	if !strings.Contains(viewText(m), "First sudo asks for your password") {
		t.Errorf("the question does not say sudo asks first:\n%s", viewText(m))
	}
	if cmd := pressKey(m, "n"); cmd != nil || m.install.phase != installChoosing {
		t.Errorf("n: phase %s, command %v", m.install.phase, cmd != nil)
	}
	if f.log("sudo") != nil || f.log("curl") != nil {
		t.Error("something ran after no")
	}
}

// TestLookPathIn: sudo is looked for in the command's own PATH, never in
// relative entries.
func TestLookPathIn(t *testing.T) {
	t.Parallel()
	f := newFakeHost(t, true)
	if p, err := lookPathIn("sudo", "relative:"+f.bin); err != nil || p != filepath.Join(f.bin, "sudo") {
		t.Errorf("lookPathIn = %q, %v", p, err)
	}
	if _, err := lookPathIn("sudo", "::bin"); !errors.Is(err, errNoSudo) {
		t.Errorf("relative PATH entries: %v", err)
	}
	notExec := filepath.Join(t.TempDir(), "sudo")
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	if _, err := lookPathIn("sudo", filepath.Dir(notExec)); !errors.Is(err, errNoSudo) {
		t.Errorf("a file that is not executable: %v", err)
	}
}

// TestKeepSudoFresh: while an installer runs, the cached credentials are
// renewed with `sudo -n -v`, which never asks, and not after it ended.
//
// It runs in a synctest bubble, whose clock moves only once every goroutine
// of the test waits on it: a renewal (a real process) has ended before the
// next tick, and the sleeps below move that clock without waiting.
func TestKeepSudoFresh(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakeHost(t, true)
		stop := keepSudoFresh(context.Background(), f.cmds.Sudo, time.Minute)
		time.Sleep(2*time.Minute + time.Second)
		stop()
		calls := f.log("sudo")
		if len(calls) != 2 {
			t.Fatalf("sudo calls in two minutes, renewing every minute = %q", calls)
		}
		for _, c := range calls {
			if c != "-n -v" {
				t.Errorf("renewal = %q, want -n -v", c)
			}
		}
		time.Sleep(time.Hour)
		if after := f.log("sudo"); len(after) != len(calls) {
			t.Errorf("renewed after stop: %q", after)
		}
		keepSudoFresh(context.Background(), nil, time.Millisecond)()
	})
}

// TestInstallerStopInterruptsTheWholePipeline: when the person quits while
// an installer runs, every process of its pipeline is stopped, not only
// the shell that started it, and runInstaller returns only once they are
// gone. The pipeline's sleep runs in the background of a non-interactive
// shell, which ignores SIGINT: it goes at the end of the grace.
func TestInstallerStopInterruptsTheWholePipeline(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("needs /proc to find the pipeline's processes")
	}
	t.Parallel()
	marker := fmt.Sprintf("%d.%d", os.Getpid(), time.Now().UnixNano()%100000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	spec := HostCommands{Env: []string{"PATH=/usr/bin:/bin"}}.Installer(InstallOption{
		Command: "echo started; { sleep " + marker + " & echo \"sleep $!\"; wait; } | cat",
	})
	spec.Grace = 100 * time.Millisecond
	done := make(chan error, 1)
	sleeper := make(chan string, 1)
	go func() {
		done <- runInstaller(ctx, spec, func(l string) {
			if pid, ok := strings.CutPrefix(l, "sleep "); ok {
				sleeper <- pid
			}
		})
	}()
	pid := <-sleeper
	start, ok := procStart(pid)
	if !ok {
		t.Fatalf("the pipeline's sleep (pid %s) is gone already", pid)
	}
	cancel()
	if err := <-done; err == nil {
		t.Error("a stopped installer reported success")
	}
	if now, ok := procStart(pid); ok && now == start {
		t.Error("the pipeline's sleep survived the stop")
	}
	if processWith(t, "sleep "+marker) {
		t.Error("a sleep of the pipeline survived the stop")
	}
}

// procStart is the start time of the live process pid (false when it is
// gone or a zombie).
func procStart(pid string) (string, bool) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return "", false
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return "", false
	}
	return f[19], true
}

// processWith reports whether a process's command line (arguments joined
// by spaces) is exactly want.
func processWith(t *testing.T, want string) bool {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline"))
		if err != nil || len(b) == 0 {
			continue
		}
		if strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ") == want {
			return true
		}
	}
	return false
}
