package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/proc"
	"github.com/nixboard/nixboard/internal/shell"
)

// InstallOption is one way to install Nix, as detect advises it.
type InstallOption = detect.InstallOption

// installAdvice is what the Nix-missing screen offers.
type installAdvice = detect.Advice

// adviseInstall is detect.InstallAdvice: the one place that decides how to
// install Nix on a machine, whose recommendation the doctor's nix.installed
// fix shows too. The wizard only presents it.
func adviseInstall(r detect.Report) installAdvice { return detect.InstallAdvice(r) }

// InstallerFunc returns the command line and environment that run an
// installer command (internal/proc runs it). It is called only after the
// person agreed to run it.
type InstallerFunc func(opt InstallOption) proc.Spec

// SudoFunc returns sudo with the given arguments: `sudo -v`, which asks
// for the person's password before an installer that needs root runs, and
// `sudo -n -v`, which renews the credentials without asking. It returns an
// error wrapping errNoSudo when sudo is not installed.
type SudoFunc func(args ...string) (proc.Spec, error)

// errNoSudo says that sudo is not installed.
var errNoSudo = errors.New("sudo is not installed")

// HostCommands builds the processes the install step runs on the real
// machine: `sudo -v`, which asks for the person's password while the
// terminal is handed over to it, and the installer's command line. It is
// the one place their argv and environment are decided, so a test puts
// fake sudo and installer commands first on Env's PATH.
type HostCommands struct {
	// Env is the environment both run with, as Main was given it: nothing
	// here reads the process's own.
	Env []string
}

// env is Env for exec.Cmd.Env, where nil would mean the process's own: a
// nil Env runs the commands with an empty environment instead.
func (h HostCommands) env() []string {
	if h.Env == nil {
		return []string{}
	}
	return h.Env
}

// getenv returns the last value of key in the environment, as a shell
// would see it.
func (h HostCommands) getenv(key string) string {
	env := h.env()
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Installer runs opt's command line through /bin/sh exactly as it was
// shown. Its stdin stays /dev/null: the commands carry --no-confirm where
// an installer would otherwise ask, and the person's keys belong to the
// wizard while it runs.
//
// The command is a pipeline (curl | sh -s -- install ...): internal/proc
// runs it in a process group of its own, so stopping it (the person quit,
// a signal) interrupts all of it, as Ctrl-C on a terminal would; the
// installers undo what they can on SIGINT, and sudo passes the signal on
// to what it runs as root. After installerGrace, what is left is killed.
func (h HostCommands) Installer(opt InstallOption) proc.Spec {
	return proc.Spec{
		Argv:        []string{"/bin/sh", "-c", opt.Command},
		Env:         h.env(),
		Grace:       installerGrace,
		OutputDelay: installerWaitDelay,
	}
}

// Sudo returns sudo with args: with `-v`, sudo asks for the password on
// the terminal (not through nixboard, which never sees it) and caches the
// credentials for the terminal, where the installer's own sudo calls then
// find them.
func (h HostCommands) Sudo(args ...string) (proc.Spec, error) {
	p, err := lookPathIn("sudo", h.getenv("PATH"))
	if err != nil {
		return proc.Spec{}, err
	}
	return proc.Spec{Argv: append([]string{p}, args...), Env: h.env()}, nil
}

// lookPathIn is shell.LookPath (PATH from the command's environment;
// relative and empty entries skipped, so sudo is never taken from wherever
// nixboard was started), with a miss reported as errNoSudo.
func lookPathIn(file, path string) (string, error) {
	p, err := shell.LookPath(file, path)
	if err != nil {
		return "", fmt.Errorf("%w: %v", errNoSudo, err)
	}
	return p, nil
}

// needsSudo says whether running opt asks for root first: every installer
// nixboard can run creates /nix, which takes root, unless the person
// already is root. Detection's user name is the same rule installAdvice
// uses to offer the root-only options.
func needsSudo(r detect.Report, opt InstallOption) bool {
	return opt.Runnable && r.User.Name != "root"
}

// sudoIntro is printed on the terminal just before sudo asks. Its lines
// fit 80 columns.
const sudoIntro = "nixboard: the installer needs root to create /nix; sudo asks for your password.\n" +
	"It goes to sudo only: nixboard never sees or stores it. Press ctrl+c to cancel."

// sudoProblem explains why sudo did not confirm the password, with the
// fix, for the person who is not root.
func sudoProblem(err error, user string) string {
	var exit *exec.ExitError
	switch {
	case errors.Is(err, errNoSudo):
		if user == "" {
			user = "YOUR-NAME"
		}
		return "sudo is not installed, and the installer needs it to create /nix. " +
			"As root (su -), install it with your package manager, for example `apt-get install sudo`, " +
			"and let yourself use it: `usermod -aG sudo " + user + "` (on Fedora and Arch the group is wheel). " +
			"Log in again, then try again here. Nothing was run."
	case errors.As(err, &exit):
		return "sudo did not confirm your password (" + exit.String() + "): it was cancelled, mistyped, " +
			"or you may not use sudo on this machine. Nothing was run."
	}
	return "sudo could not run: " + err.Error() + ". Nothing was run."
}

// terminalHandOver runs a process on the terminal while the wizard has
// handed the terminal over (tea.Exec): it prints why before the process
// starts, and it keeps ctrl+c at sudo's prompt from ending nixboard. While
// the terminal is in its normal mode, ctrl+c sends SIGINT to every process
// in the foreground, nixboard included; nixboard catches it for the time
// being, and sudo, which does not inherit the catch, takes it as cancel.
// The process runs through internal/proc attached to the terminal (in
// nixboard's process group, the terminal's foreground one, so it can read
// the password), and ctx ending stops it by the runner's one rule.
type terminalHandOver struct {
	ctx   context.Context
	intro string
	spec  proc.Spec
	term  proc.Terminal
	// hold is Deps.HoldInterrupt (nil: nothing to tell).
	hold func() (release func())
}

// SetStdin, SetStdout and SetStderr take the program's terminal where the
// command has no stream of its own.
func (h *terminalHandOver) SetStdin(r io.Reader) {
	if h.term.In == nil {
		h.term.In = r
	}
}

func (h *terminalHandOver) SetStdout(w io.Writer) {
	if h.term.Out == nil {
		h.term.Out = w
	}
}

func (h *terminalHandOver) SetStderr(w io.Writer) {
	if h.term.Err == nil {
		h.term.Err = w
	}
}

// Run prints the intro and runs the command to its end.
func (h *terminalHandOver) Run() error {
	if h.hold != nil {
		defer h.hold()()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGQUIT)
	defer signal.Stop(sig)
	if h.intro != "" && h.term.Out != nil {
		fmt.Fprint(h.term.Out, "\n"+h.intro+"\n")
	}
	spec := h.spec
	term := h.term
	spec.Terminal = &term
	p, err := proc.Start(h.ctx, spec)
	if err != nil {
		return err
	}
	return p.Wait()
}

// installerGrace is how long an interrupted installer has to undo what it
// did before what is left of it is killed.
const installerGrace = 5 * time.Second

// installerWaitDelay bounds how long an installer's output is read after
// it exited, in case something it started in the background still holds
// the output open.
const installerWaitDelay = 5 * time.Second

// runInstaller runs the installer with its stdout and stderr together, as
// a person would see them on a terminal, and hands each line to line as it
// comes. When ctx ends, the runner stops it (SIGINT, the grace, then
// SIGKILL of all of it) and runInstaller returns once nothing of it is
// left. It returns how the process ended.
func runInstaller(ctx context.Context, spec proc.Spec, line func(string)) error {
	spec.Lines = func(l proc.Line) {
		text := string(l.Text)
		if l.Cut {
			text += " … (the rest of this line is too long to show)"
		}
		line(text)
	}
	p, err := proc.Start(ctx, spec)
	if err != nil {
		return fmt.Errorf("start installer: %w", err)
	}
	if err := p.Wait(); err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	return nil
}

// sudoRefreshEvery is how often the cached sudo credentials are renewed
// while an installer runs: well inside sudo's shortest default timeout (5
// minutes on macOS; 15 on Ubuntu).
const sudoRefreshEvery = time.Minute

// keepSudoFresh renews the credentials `sudo -v` cached, every interval,
// with `sudo -n -v`, which never asks, until stop is called. A long
// installer's later sudo calls then still find them, instead of asking on
// a terminal whose keys the wizard reads. A nil sudo does nothing.
func keepSudoFresh(ctx context.Context, sudo SudoFunc, every time.Duration) (stop func()) {
	if sudo == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			spec, err := sudo("-n", "-v")
			if err != nil {
				continue
			}
			if p, err := proc.Start(ctx, spec); err == nil {
				_ = p.Wait()
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
