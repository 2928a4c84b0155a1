package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/nixrun"
)

// version, commit and date are stamped at build time, as the release build
// (.goreleaser.yaml) does:
//
//	go build -ldflags "-X main.version=1.2.3 -X main.commit=abc1234 -X main.date=2026-12-04T10:00:00Z"
//
// A plain go build leaves them as they are here, and `nixboard version` then
// prints "nixboard dev".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// stdio is what every subcommand reads from and writes to. It is injected so
// tests can run the whole CLI in-process with their own streams and
// environment; nothing below Main touches os.Stdout or the process
// environment directly.
type stdio struct {
	in     io.Reader
	out    io.Writer
	err    io.Writer
	getenv func(string) string
	// environ is the rest of the environment (KEY=VALUE) that the commands
	// nixboard starts inherit; getenv overrides the variables nixboard
	// reads itself. nil in tests that give only getenv.
	environ []string
	// outTTY and inTTY say whether stdout and stdin are terminals.
	outTTY bool
	inTTY  bool
	// holdInterrupt is the signal path's (signalStop.holdInterrupt); nil
	// in tests that run the CLI in-process.
	holdInterrupt func() func()
}

// interactive says whether a screen can be drawn and keys read: both stdin
// and stdout are terminals. Without that, nixboard prints plain lines.
func (st *stdio) interactive() bool { return st.inTTY && st.outTTY }

// command is one subcommand of nixboard.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, io *stdio, args []string) error
}

// commands lists the subcommands in the order --help shows them. The wizard
// is what runs when no subcommand is given.
func commands() []command {
	return []command{
		{"render", "render a home-manager flake from an answers file", runRender},
		{"doctor", "check this machine and explain what to fix", runDoctor},
		{"switch", "run the home-manager switch with live progress", runSwitch},
		{"replay", "replay a recorded switch log through the same screen", runReplay},
		{"history", "list the applied runs with their generation, date and change", runHistory},
		{"undo", "go back to the previous applied run: its files and its generation", runUndo},
		{"version", "print the version", runVersion},
	}
}

// usageError marks an error in how nixboard was called; it exits with 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// exitError carries an exit status decided by a subcommand, for outcomes that
// are not usage errors but still not success (doctor finding a failed check,
// a failed switch). Its message, if any, has already been printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// errInterrupted is returned when the person interrupted nixboard.
var errInterrupted = errors.New("interrupted")

// Main runs nixboard with the process's streams and environment and returns
// the exit status. Whatever ends nixboard, nix ends first: it returns only
// once no process of any switch it started is left (signals.go).
func Main(args []string) int {
	runs := nixrun.NewRunSet()
	ctx, sigs := catchStopSignals(runs, os.Stderr)
	defer sigs.release()
	st := &stdio{
		in:      os.Stdin,
		out:     os.Stdout,
		err:     os.Stderr,
		getenv:  os.Getenv,
		environ: os.Environ(),
		outTTY:  isatty.IsTerminal(os.Stdout.Fd()) || isatty.IsCygwinTerminal(os.Stdout.Fd()),
		inTTY:   isatty.IsTerminal(os.Stdin.Fd()) || isatty.IsCygwinTerminal(os.Stdin.Fd()),

		holdInterrupt: sigs.holdInterrupt,
	}
	code := run(ctx, st, args)
	runs.Close()
	return code
}

// run dispatches to a subcommand and is the one place that turns errors into
// messages and exit statuses.
func run(ctx context.Context, st *stdio, args []string) int {
	err := dispatch(ctx, st, args)
	if sig, ok := stoppedBySignal(ctx); ok && err != nil {
		fmt.Fprintf(st.err, "nixboard: %v\n", sig)
		return sig.status()
	}
	return exitStatus(st, err)
}

func dispatch(ctx context.Context, st *stdio, args []string) error {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		for _, c := range commands() {
			if c.name == args[0] {
				return c.run(ctx, st, args[1:])
			}
		}
		if args[0] == "help" {
			printUsage(st.out)
			return nil
		}
		return usagef("unknown command %q (see nixboard --help)", args[0])
	}
	// --version wins wherever it stands among the wizard's flags, up to
	// the "--" that ends them.
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "--version" || a == "-version" {
			return runVersion(ctx, st, nil)
		}
	}
	return runWizard(ctx, st, args)
}

func exitStatus(st *stdio, err error) int {
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(st.err, "nixboard: %s\n", safetext.Text(ue.msg))
		return 2
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, errInterrupted), errors.Is(err, context.Canceled):
		fmt.Fprintln(st.err, "nixboard: interrupted")
		return 130
	default:
		// Errors carry paths, flag values and what commands printed:
		// outside text, escaped here for all of them.
		fmt.Fprintf(st.err, "nixboard: %s\n", safetext.Text(err.Error()))
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, `nixboard %s: set up a personal home-manager environment.

Usage:
  nixboard [flags]            start the interactive wizard
  nixboard <command> [flags]

Commands:
`, version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Run "nixboard <command> --help" for a command's flags, and "nixboard --help"
for the wizard's.
`)
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints its usage on the given stream.
func newFlagSet(st *stdio, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package prints an unknown flag as it was given.
	fs.SetOutput(escapingWriter{st.err})
	fs.Usage = func() {
		fmt.Fprintf(st.err, "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

func runVersion(_ context.Context, st *stdio, _ []string) error {
	fmt.Fprintln(st.out, versionLine(version, commit, date))
	return nil
}

// versionLine is what `nixboard version` prints: the version, then the
// commit and the build date when the build stamped them.
func versionLine(version, commit, date string) string {
	line := "nixboard " + version
	var extra []string
	if commit != "" {
		extra = append(extra, "commit "+commit)
	}
	if date != "" {
		extra = append(extra, "built "+date)
	}
	if len(extra) > 0 {
		line += " (" + strings.Join(extra, ", ") + ")"
	}
	return line
}

// escapingWriter passes each write through safetext.Text, for output
// written by code that does not escape what it echoes (the flag package).
type escapingWriter struct{ w io.Writer }

func (e escapingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(e.w, safetext.Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
