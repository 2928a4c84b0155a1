package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"charm.land/fang/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-isatty"
	"github.com/muesli/mango"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/theme"
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
	// outTTY, errTTY and inTTY say whether stdout, stderr and stdin are
	// terminals.
	outTTY bool
	errTTY bool
	inTTY  bool
	// holdInterrupt is the signal path's (signalStop.holdInterrupt); nil
	// in tests that run the CLI in-process.
	holdInterrupt func() func()
	// evaluate evaluates a team base layer's homeBase declarations; nil
	// means baseopts' evaluation with real nix (evaluateBase). Tests give
	// their own.
	evaluate evaluateFunc
}

// interactive says whether a screen can be drawn and keys read: both stdin
// and stdout are terminals. Without that, nixboard prints plain lines.
func (st *stdio) interactive() bool { return st.inTTY && st.outTTY }

// command is one subcommand of nixboard: its name and summary, and the
// cobra command that holds the one definition of its flags and runs it.
type command struct {
	name    string
	summary string
	cobra   func(st *stdio) *cobra.Command
}

// commands lists the subcommands in the order --help shows them. The wizard
// is what runs when no subcommand is given (rootCommand).
func commands() []command {
	return []command{
		{"render", "render a home-manager flake from an answers file", renderCommand},
		{"doctor", "check this machine and explain what to fix", doctorCommand},
		{"options", "print the questions a base layer's homeBase options make", optionsCommand},
		{"switch", "run the home-manager switch with live progress", switchCommand},
		{"replay", "replay a recorded switch log through the same screen", replayCommand},
		{"history", "list the applied runs with their generation, date and change", historyCommand},
		{"undo", "go back to the previous applied run: its files and its generation", undoCommand},
		{"version", "print the version", versionCommand},
		{"man", "print the manual page (roff: nixboard man | man -l -)", manCommand},
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
		errTTY:  isatty.IsTerminal(os.Stderr.Fd()) || isatty.IsCygwinTerminal(os.Stderr.Fd()),
		inTTY:   isatty.IsTerminal(os.Stdin.Fd()) || isatty.IsCygwinTerminal(os.Stdin.Fd()),

		holdInterrupt: sigs.holdInterrupt,
	}
	code := run(ctx, st, args)
	runs.Close()
	return code
}

// run parses the command line with cobra under fang and runs the command;
// it is the one place that turns errors into messages and exit statuses.
func run(ctx context.Context, st *stdio, args []string) int {
	root := rootCommand(st)
	var ranErr error
	keepErrors(root, &ranErr)
	// A nil slice would make cobra read os.Args.
	root.SetArgs(append([]string{}, longFlagsWithOneDash(root, args)...))
	err := fang.Execute(ctx, root,
		// --version is the root's own flag (rootCommand), so that it and
		// `nixboard version` print the same thing.
		fang.WithoutVersion(),
		// fang's man command writes to os.Stdout; manCommand writes the
		// same mango page to the command's stream.
		fang.WithoutManpage(),
		// The message is printed below, after the exit status is known.
		fang.WithErrorHandler(func(io.Writer, fang.Styles, error) {}),
	)
	if err == nil {
		err = ranErr
	}
	if sig, ok := stoppedBySignal(ctx); ok && err != nil {
		fmt.Fprintf(st.err, "nixboard: %v\n", sig)
		return sig.status()
	}
	return exitStatus(st, err)
}

// keepErrors makes every command of the tree keep the error it ends with in
// *err and report success to cobra, so that fang sees only the errors of
// the command line itself (a flag, an argument, a command name). On any
// error fang asks the terminal for its background colour, reading stdin:
// after a wizard or a switch screen, stopped perhaps by a signal, that
// read would wait on a terminal nobody answers from.
func keepErrors(c *cobra.Command, err *error) {
	if run := c.RunE; run != nil {
		c.RunE = func(c *cobra.Command, args []string) error {
			*err = run(c, args)
			return nil
		}
	}
	for _, sub := range c.Commands() {
		keepErrors(sub, err)
	}
}

// plainUnlessColour returns w for fang to write help and errors to: as it is
// on a terminal without NO_COLOR (fang picks the colours), and otherwise
// through a writer that drops every escape sequence. Any non-empty NO_COLOR
// counts; colorprofile alone accepts only booleans.
func plainUnlessColour(w io.Writer, tty bool, getenv func(string) string) io.Writer {
	if tty && !theme.NoColor(getenv) {
		return w
	}
	return escapeStripper{w}
}

// escapeStripper drops the escape sequences of each write. fang writes its
// help and errors one rendered block per write, so no sequence is split.
type escapeStripper struct{ w io.Writer }

func (e escapeStripper) Write(p []byte) (int, error) {
	if _, err := io.WriteString(e.w, ansi.Strip(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func exitStatus(st *stdio, err error) int {
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		printUsageError(st, ue.msg)
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

// printUsageError prints a usage error: an error block in fang's colours on
// a terminal with colour, the plain "nixboard: ..." line otherwise, which
// scripts and tests read. The block is drawn here, not by fang, because
// most usage errors are found by the commands themselves after cobra is
// done, and because fang would first ask the terminal for its background
// (fang's own default, dark, is assumed instead).
func printUsageError(st *stdio, msg string) {
	msg = safetext.Text(msg)
	if !st.errTTY || theme.NoColor(st.getenv) {
		fmt.Fprintf(st.err, "nixboard: %s\n", msg)
		return
	}
	cs := fang.DefaultColorScheme(lipgloss.LightDark(true))
	header := lipgloss.NewStyle().Foreground(cs.ErrorHeader[0]).Background(cs.ErrorHeader[1]).
		Bold(true).Padding(0, 1).Margin(1).MarginLeft(2).SetString("ERROR")
	text := lipgloss.NewStyle().MarginLeft(2)
	flag := lipgloss.NewStyle().Foreground(cs.Flag)
	// lipgloss downsamples the colours to what the terminal shows.
	lipgloss.Fprintln(st.err, header.String())
	lipgloss.Fprintln(st.err, text.Render(msg))
	lipgloss.Fprintln(st.err)
	lipgloss.Fprintln(st.err, text.Render("Try "+flag.Render("nixboard --help")+" for usage."))
	lipgloss.Fprintln(st.err)
}

// rootCommand is nixboard's command line: the wizard when no subcommand is
// given, and every subcommand. fang adds styled help and errors, and cobra
// the help and completion commands.
func rootCommand(st *stdio) *cobra.Command {
	root := wizardCommand(st)
	for _, c := range commands() {
		sub := c.cobra(st)
		sub.Short = c.summary
		root.AddCommand(sub)
	}
	// Flag errors (unknown flag, missing or bad value) are usage errors.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return usageError{err.Error()}
	})
	root.SuggestionsMinimumDistance = 2
	root.SetIn(st.in)
	root.SetOut(plainUnlessColour(st.out, st.outTTY, st.getenv))
	root.SetErr(plainUnlessColour(st.err, st.errTTY, st.getenv))
	// cobra's completion command shows its help for a shell it does not
	// know, and exits 0; that is a usage error. It is made here, after
	// SetOut: its scripts go to the stream it finds when it is made.
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		c.Args = func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("completion: no shell %q: bash, zsh, fish or powershell", args[0])
			}
			return nil
		}
		c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	}
	return root
}

// noArgs is the Args of a command that takes no arguments.
func noArgs(name, synopsis string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("%s takes no arguments, got %q (usage: %s)", name, args[0], synopsis)
		}
		return nil
	}
}

// noFiles is the ValidArgsFunction of a command that takes no arguments:
// the shell offers nothing, not file names.
func noFiles(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// completeWords completes a flag's value from a fixed list.
func completeWords(words ...string) cobra.CompletionFunc {
	return cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp)
}

// longFlagsWithOneDash rewrites "-name" and "-name=value" to "--name..." when
// name is a long flag of some nixboard command, up to the "--" that ends the
// flags: nixboard used Go's flag package, which takes one dash or two, and
// scripts written then keep working. No nixboard flag has a shorthand of
// more than one letter, so the rewrite takes nothing pflag would accept.
// The value of a flag that takes one is left alone.
func longFlagsWithOneDash(root *cobra.Command, args []string) []string {
	takesValue := map[string]bool{"help": false, "version": false}
	var visit func(c *cobra.Command)
	visit = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { takesValue[f.Name] = takesValue[f.Name] || f.NoOptDefVal == "" })
		for _, sub := range c.Commands() {
			visit(sub)
		}
	}
	visit(root)
	out := make([]string, 0, len(args))
	skipValue := false
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if skipValue {
			skipValue = false
			out = append(out, a)
			continue
		}
		name, long := strings.CutPrefix(a, "--")
		if !long && len(a) > 2 && a[0] == '-' {
			n, _, _ := strings.Cut(a[1:], "=")
			if _, ok := takesValue[n]; ok {
				a = "-" + a
				name, long = a[2:], true
			}
		}
		// "--dir VALUE": VALUE is not a flag, whatever it looks like.
		if long && !strings.Contains(name, "=") && takesValue[name] {
			skipValue = true
		}
		out = append(out, a)
	}
	return out
}

func versionCommand(st *stdio) *cobra.Command {
	return &cobra.Command{
		Use:               "version",
		Args:              noArgs("version", "nixboard version"),
		ValidArgsFunction: noFiles,
		RunE: func(c *cobra.Command, args []string) error {
			return runVersion(c.Context(), st, args)
		},
	}
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

// manCommand prints the manual page, made with mango from the same cobra
// definitions as the help and the completions.
func manCommand(st *stdio) *cobra.Command {
	return &cobra.Command{
		Use:               "man",
		Args:              noArgs("man", "nixboard man"),
		ValidArgsFunction: noFiles,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(st.out, manPage(c.Root()))
			return err
		},
	}
}

// manPage is the roff manual page of root and its commands. It walks the
// commands itself rather than with mango-cobra, which would list the help
// flag cobra adds to the running command only, and which prints a
// shorthand as "--v --version".
func manPage(root *cobra.Command) string {
	page := mango.NewManPage(1, root.Name(), root.Short).WithLongDescription(root.Long)
	addManFlags(&page.Root, root)
	for _, sub := range root.Commands() {
		addManCommand(&page.Root, sub)
	}
	page.WithSection("Exit status", "0 success; 1 a failed check, switch or refusal; "+
		"2 a usage error, or a machine doctor cannot examine; 130 interrupted; 128+N stopped by signal N.")
	page.WithSection("Environment", "NO_COLOR (any value) turns colour off; ACCESSIBLE (any value) is --accessible; "+
		"NIXBOARD_ROOT, NIXBOARD_GOOS and NIXBOARD_GOARCH make doctor examine another machine.")
	return page.Build(roff.NewDocument())
}

func addManCommand(parent *mango.Command, c *cobra.Command) {
	if c.Hidden || c.Name() == "help" {
		return
	}
	item := mango.NewCommand(c.Name(), c.Short, c.Use)
	// Names are unique among a command's subcommands: cobra keeps them so.
	_ = parent.AddCommand(item)
	addManFlags(item, c)
	for _, sub := range c.Commands() {
		addManCommand(item, sub)
	}
}

func addManFlags(m *mango.Command, c *cobra.Command) {
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "help" || f.Hidden {
			return
		}
		usage := f.Usage
		if f.Shorthand != "" {
			usage += " (also -" + f.Shorthand + ")"
		}
		// A flag set has each name once.
		_ = m.AddFlag(mango.Flag{Name: f.Name, Usage: usage, PFlag: true})
	})
}
