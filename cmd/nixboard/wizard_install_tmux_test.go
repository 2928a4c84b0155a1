package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// ttySudo is a fake sudo that behaves as the real one does where it
// matters here: `sudo -v` writes its prompt to /dev/tty and reads the
// password from there with echo off (not from stdin), and caches the
// credentials for the controlling terminal (sudo's tty tickets); any other
// call works only from a process on that same terminal, and fails without
// asking otherwise. Every call is logged with its terminal.
const ttySudo = `#!/bin/sh
tty=$(/usr/bin/cut -d' ' -f7 /proc/$$/stat)
echo "$* tty=$tty" >> "$FAKE_LOGS/sudo"
if [ "$1" = "-v" ]; then
	trap '/usr/bin/stty echo < /dev/tty; echo "fake sudo: cancelled" >> "$FAKE_LOGS/sudo"; exit 130' INT
	/usr/bin/stty -echo < /dev/tty
	printf '[sudo] password for %s: ' "$USER" > /dev/tty
	IFS= read -r pw < /dev/tty
	/usr/bin/stty echo < /dev/tty
	printf '\n' > /dev/tty
	if [ "$pw" = "open sesame" ]; then
		echo "$tty" > "$FAKE_LOGS/ticket"
		exit 0
	fi
	echo "Sorry, try again." > /dev/tty
	exit 1
fi
if [ -f "$FAKE_LOGS/ticket" ] && [ "$(/usr/bin/cat "$FAKE_LOGS/ticket")" = "$tty" ]; then
	echo "fake sudo: $* as root (cached for this tty)"
	exit 0
fi
echo "sudo: a password is required" >&2
exit 1
`

// ttyCurl prints a fake installer that needs root for one step and then
// "installs" Nix: a fake nix on PATH that answers detection's questions.
const ttyCurl = `#!/bin/sh
cat <<'SCRIPT'
echo "fake installer: args $*"
sudo mkdir -m 0755 /nix || exit 1
cat > "$FAKE_BIN/nix" <<'NIX'
#!/bin/sh
case "$*" in
--version) echo "nix (Nix) 2.28.3" ;;
"config show experimental-features") echo "nix-command flakes" ;;
*) exit 1 ;;
esac
NIX
chmod +x "$FAKE_BIN/nix"
echo "fake installer: Nix was installed"
SCRIPT
`

// TestWizardInstallSudoInTmux drives the built binary on a real terminal
// (tmux) on a machine without Nix: after the yes, the wizard hands the
// terminal to sudo, whose prompt appears on the terminal and reads what is
// typed there; ctrl+c at the prompt cancels sudo alone, and it and a
// wrong password lead back to the wizard with retry; the right password
// leads to the installer, whose own sudo call finds the credentials
// cached for the same terminal; detection then finds Nix.
func TestWizardInstallSudoInTmux(t *testing.T) {
	t.Parallel()
	bin := buildNixboard(t)
	fk := newTTYFakes(t)
	// set -m: nixboard runs as a job of its own, as an interactive shell
	// runs it, so ctrl+c at sudo's prompt does not reach this script.
	script := "set -m\n" + fk.env + " " + shq(bin) + " --dir " + shq(filepath.Join(fk.home, "hm")) + "\n" +
		"echo $? > " + shq(fk.status) + "\nsleep 60\n"
	s := newTmux(t, 80, 24, script)
	s.waitFor("Nix is not installed. Press enter", 30*time.Second)
	s.keys("Enter")
	// Which installer is offered depends on this host (systemd or not);
	// the first one runs.
	s.waitFor("enter run", 5*time.Second)
	s.keys("Enter")
	scr := s.waitFor("[y/N]", 5*time.Second)
	if !strings.Contains(scr, "First sudo asks for your password") {
		t.Errorf("the question does not say sudo asks first:\n%s", scr)
	}
	s.keys("y")

	// The terminal is sudo's: the wizard's screen is gone, the intro and
	// sudo's own prompt are there, and what is typed goes to sudo.
	scr = s.waitFor("password for alice:", 10*time.Second)
	t.Logf("terminal handed to sudo:\n%s", scr)
	if !strings.Contains(scr, "nixboard never sees or stores it") || strings.Contains(scr, "Run this command now?") {
		t.Errorf("while sudo asks:\n%s", scr)
	}
	// ctrl+c at sudo's prompt cancels sudo, not nixboard.
	s.keys("C-c")
	scr = s.waitFor("sudo did not confirm your password", 10*time.Second)
	if !strings.Contains(scr, "exit status 130") {
		t.Errorf("after ctrl+c at the prompt:\n%s", scr)
	}
	s.keys("Enter")
	s.waitFor("password for alice:", 10*time.Second)
	s.typed("not it")
	s.keys("Enter")
	scr = s.waitFor("exit status 1)", 10*time.Second)
	if !strings.Contains(scr, "try sudo again") || strings.Contains(scr, "not it") {
		t.Errorf("after a wrong password:\n%s", scr)
	}
	if _, err := os.Stat(filepath.Join(fk.bin, "nix")); err == nil {
		t.Fatal("the installer ran after sudo failed")
	}
	s.keys("Enter")
	s.waitFor("password for alice:", 10*time.Second)
	s.typed("open sesame")
	s.keys("Enter")
	scr = s.waitFor("The installer finished", 20*time.Second)
	t.Logf("after the installer:\n%s", scr)
	for _, want := range []string{
		"sudo accepted your password",
		"fake installer: args",
		"fake sudo: mkdir -m 0755 /nix as root (cached for this tty)",
		"fake installer: Nix was installed",
	} {
		if !strings.Contains(scr, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	s.keys("Enter")
	s.waitFor("Press enter to answer a few questions", 30*time.Second)
	s.keys("C-c")
	s.waitFor("Quit nixboard?", 5*time.Second)
	s.keys("y")
	if got := waitStatus(t, s, fk.status, 10*time.Second); got != "130" {
		t.Errorf("exit status %s after quitting, want 130", got)
	}
	calls := fk.sudoCalls()
	// Cancelled, wrong, right, then the installer's.
	if len(calls) != 5 || calls[1] != "fake sudo: cancelled" || !strings.HasPrefix(calls[3], "-v tty=") || !strings.HasPrefix(calls[4], "mkdir -m 0755 /nix tty=") {
		t.Fatalf("sudo calls: %q", calls)
	}
	// One terminal throughout: sudo -v's and the installer's sudo's.
	if tty := strings.TrimPrefix(calls[3], "-v "); tty == "tty=0" || !strings.HasSuffix(calls[4], " "+tty) {
		t.Errorf("sudo -v and the installer's sudo on different terminals: %q", calls)
	}
}

// lookTool finds a tool in the usual system directories.
func lookTool(name string) (string, error) {
	var err error
	for _, dir := range []string{"/usr/bin", "/bin", "/usr/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if _, err = os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", err
}

// ttyFakes are the fake sudo and curl of ttySudo and ttyCurl in a
// directory that is all of PATH, with the few real tools detection and
// the fakes use, so this host's own nix and sudo are not found.
type ttyFakes struct {
	bin, logs, home, status string
	// env starts a command line that runs a command in exactly this
	// environment.
	env string
}

func newTTYFakes(t *testing.T) ttyFakes {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the fake sudo reads its terminal from /proc")
	}
	fk := ttyFakes{bin: t.TempDir(), logs: t.TempDir(), home: t.TempDir(), status: statusFifo(t)}
	for name, text := range map[string]string{"sudo": ttySudo, "curl": ttyCurl} {
		if err := os.WriteFile(filepath.Join(fk.bin, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range []string{"sh", "cat", "chmod", "uname", "id", "hostname", "df", "git"} {
		if p, err := lookTool(tool); err == nil {
			os.Symlink(p, filepath.Join(fk.bin, tool))
		}
	}
	fk.env = "env -i " + shq("PATH="+fk.bin) + " " + shq("HOME="+fk.home) + " USER=alice LOGNAME=alice TERM=xterm-256color " +
		shq("FAKE_LOGS="+fk.logs) + " " + shq("FAKE_BIN="+fk.bin)
	return fk
}

// sudoCalls are the fake sudo's calls, one a line.
func (fk ttyFakes) sudoCalls() []string {
	b, _ := os.ReadFile(filepath.Join(fk.logs, "sudo"))
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// TestWizardAccessibleInstallSudoInTmux: in accessible mode on a real
// terminal, the answers to nixboard's line prompts come from stdin while
// sudo reads the password from the terminal itself; then the installer's
// output is printed as plain lines and the wizard goes on.
func TestWizardAccessibleInstallSudoInTmux(t *testing.T) {
	t.Parallel()
	bin := buildNixboard(t)
	fk := newTTYFakes(t)
	answers := writeWizardAnswers(t)
	script := "set -m\n" + fk.env + " " + shq(bin) + " --accessible --answers " + shq(answers) + " --yes --dry-run --dir " +
		shq(filepath.Join(fk.home, "hm")) + "\necho $? > " + shq(fk.status) + "\nsleep 60\n"
	s := newTmux(t, 80, 24, script)
	s.waitFor("Enter a number between 1 and", 30*time.Second)
	s.typed("1")
	s.keys("Enter")
	s.waitFor("Run this command now? [y/N]", 5*time.Second)
	s.typed("y")
	s.keys("Enter")
	s.waitFor("password for alice:", 10*time.Second)
	s.typed("open sesame")
	s.keys("Enter")
	if got := waitStatus(t, s, fk.status, 10*time.Second); got != "0" {
		t.Errorf("exit status %s, want 0", got)
	}
	all := s.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t")
	for _, want := range []string{
		"It goes to sudo only: nixboard never sees or stores it.",
		"sudo accepted your password.",
		"fake installer: args",
		"fake sudo: mkdir -m 0755 /nix as root (cached for this tty)",
		"✓ The installer finished.",
		"nixboard: looking at this machine again…",
		"Dry run: nothing was written.",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the terminal lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "open sesame") {
		t.Error("the password was echoed")
	}
	if calls := fk.sudoCalls(); len(calls) != 2 || !strings.HasPrefix(calls[0], "-v tty=") || !strings.HasPrefix(calls[1], "mkdir") {
		t.Errorf("sudo calls: %q", calls)
	}
}
