package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/tui/theme"
	"github.com/nixboard/nixboard/tui/wizard"
)

const wizardSynopsis = "nixboard [--dir DIR] [--answers FILE [--yes]] [--no-switch] [--no-commit] [--dry-run] [--accessible] [--demo [--demo-platform NAME]]"

// wizardFlags are the wizard's command line.
type wizardFlags struct {
	dir          string
	answers      string
	yes          bool
	noSwitch     bool
	noCommit     bool
	dryRun       bool
	accessible   bool
	demo         bool
	demoPlatform string
	// base and baseModule are the team base layer (--base, --base-module);
	// nixArgs, after --, go to the nix calls that evaluate it.
	base       string
	baseModule string
	nixArgs    []string
}

// wizardCommand is the root command: the wizard, run when no subcommand is
// given, with its flags and --version.
func wizardCommand(st *stdio) *cobra.Command {
	var f wizardFlags
	var showVersion bool
	c := &cobra.Command{
		Use:   "nixboard",
		Short: "set up a personal home-manager environment",
		Long: "nixboard sets up a personal home-manager environment: with no command it starts the " +
			"interactive wizard. Without a terminal the wizard runs only non-interactively, from an " +
			"answers file (nixboard --answers FILE --yes).",
		Example: "# Start the interactive wizard.\nnixboard\n" +
			"# Render an answers file's configuration and switch to it, without questions.\nnixboard --answers nixboard.json --yes\n" +
			"# The whole wizard on a simulated machine.\nnixboard --demo",
		// Anything left over is a command nixboard does not have.
		Args: func(c *cobra.Command, args []string) error {
			if at := c.ArgsLenAtDash(); at >= 0 {
				f.nixArgs = args[at:]
				args = args[:at]
			}
			if len(args) > 0 {
				msg := fmt.Sprintf("unknown command %q (see nixboard --help)", args[0])
				if s := c.SuggestionsFor(args[0]); len(s) > 0 {
					msg += "; did you mean " + strings.Join(s, " or ") + "?"
				}
				return usageError{msg}
			}
			return nil
		},
		ValidArgsFunction: noFiles,
		RunE: func(c *cobra.Command, _ []string) error {
			if showVersion {
				return runVersion(c.Context(), st, nil)
			}
			if c.Flags().Changed("demo-platform") && !f.demo {
				// Without --demo the real wizard would run on the real
				// machine, which is not what the flag asked for.
				return usagef("--demo-platform %s needs --demo: it chooses the demo's simulated machine (usage: %s)", safetext.Line(f.demoPlatform), wizardSynopsis)
			}
			return runWizard(c.Context(), st, f)
		},
	}
	fs := c.Flags()
	fs.StringVar(&f.dir, "dir", "", "the configuration DIR (default: the existing one, else ~/.config/home-manager)")
	fs.StringVar(&f.answers, "answers", "", "fill in the questions from an answers FILE (the format of nixboard.json)")
	fs.BoolVar(&f.yes, "yes", false, "with --answers: skip the questions and go ahead (required without a terminal)")
	fs.BoolVar(&f.noSwitch, "no-switch", false, "write the configuration but do not switch to it")
	fs.BoolVar(&f.noCommit, "no-commit", false, "write the configuration but make no git commit of this run")
	fs.BoolVar(&f.dryRun, "dry-run", false, "show what would be written, with diffs, and write nothing")
	fs.BoolVar(&f.accessible, "accessible", false, "plain line-by-line prompts for screen readers (also: ACCESSIBLE set)")
	fs.StringVar(&f.base, "base", "", "onboard onto a team's base flake (github:team/nixcfg, path:/src/nixcfg): its homeBase options are the questions; arguments after -- go to the nix calls that evaluate it")
	fs.StringVar(&f.baseModule, "base-module", baseopts.DefaultModule, "with --base: the attribute path of the home-manager module in the base flake")
	fs.BoolVar(&f.demo, "demo", false, "run the whole wizard against a simulated machine; writes only to a temporary directory")
	fs.StringVar(&f.demoPlatform, "demo-platform", "wsl-ubuntu", "the simulated NAME for --demo: "+strings.Join(detect.DemoNames(), ", "))
	fs.BoolVarP(&showVersion, "version", "v", false, "print the version")
	_ = c.MarkFlagDirname("dir")
	_ = c.MarkFlagFilename("answers", "json")
	_ = c.RegisterFlagCompletionFunc("demo-platform", completeWords(detect.DemoNames()...))
	return c
}

// runWizard runs when nixboard gets no subcommand.
func runWizard(ctx context.Context, st *stdio, f wizardFlags) error {
	if f.yes && f.answers == "" && !f.demo {
		return usagef("--yes needs --answers FILE: there is nothing to say yes to (usage: %s)", wizardSynopsis)
	}
	accessible := f.accessible || st.getenv("ACCESSIBLE") != ""

	// Without a terminal nothing can be drawn or asked: run from the
	// answers file, or explain how to.
	if !accessible && !st.interactive() {
		if f.answers != "" && f.yes && !f.demo {
			return runWizardPlain(ctx, st, f)
		}
		return usagef("the wizard needs a terminal, and this is not one.\n" +
			"  Run it non-interactively:  nixboard --answers FILE --yes   (FILE is a nixboard.json)\n" +
			"  or with line prompts:      nixboard --accessible\n" +
			"  or render only:            nixboard render --answers FILE")
	}

	opts, cleanup, err := wizardOptions(st, f)
	if err != nil {
		return err
	}
	defer cleanup()
	if accessible {
		o, err := wizard.RunAccessible(ctx, st.in, wizard.AccessibleOutput(st.out, environ(st), opts.NoColor), opts)
		return wizardExit(o, err)
	}
	m, err := wizard.Run(ctx, st.in, st.out, opts)
	if err != nil {
		return err
	}
	o := m.Outcome()
	if !o.Quit && o.Step == wizard.StepDone {
		fmt.Fprint(st.out, safetext.Text(wizard.FinalMessage(m)))
	}
	if o.Commit != "" {
		fmt.Fprintln(st.out, safetext.Line(o.Commit))
	}
	if !f.demo && !o.Failed && !opts.NoSwitch && o.LogPath != "" {
		recordGeneration(ctx, st, o.Dir)
	}
	return wizardExit(o, nil)
}

// wizardExit maps how the wizard ended to an exit status: quitting early is
// an interruption (130), a failed write or switch is 1.
func wizardExit(o wizard.Outcome, err error) error {
	switch {
	case err != nil:
		return err
	case o.Quit:
		return errInterrupted
	case o.Failed:
		return exitError{1}
	}
	return nil
}

// wizardOptions builds the wizard's options and its doors to the machine:
// the real ones, or the demo's simulated machine and recorded switch.
func wizardOptions(st *stdio, f wizardFlags) (wizard.Options, func(), error) {
	opts := wizard.Options{
		Dir:      f.dir,
		Yes:      f.yes,
		NoSwitch: f.noSwitch,
		NoCommit: f.noCommit,
		DryRun:   f.dryRun,
		NoColor:  theme.NoColor(st.getenv),
		TermEnv:  environ(st),
	}
	if f.answers != "" {
		a, err := flakegen.Load(f.answers)
		if err != nil {
			return opts, func() {}, usagef("--answers %s: %v", f.answers, err)
		}
		opts.Answers, opts.AnswersFile = &a, f.answers
	}
	if f.base != "" {
		opts.Base = &flakegen.BaseFlake{Flake: f.base, Module: f.baseModule}
	}
	if f.demo {
		o, cleanup, err := demoOptions(f, opts, personEnv(st))
		// The demo evaluates a team base for real: reading its
		// declarations changes nothing on the machine.
		o.Deps.Evaluate, o.Deps.BaseHints = baseDeps(st, f, personEnv(st))
		return o, cleanup, err
	}
	machine, err := detect.FromEnv(st.getenv, st.environ...)
	if err != nil {
		return opts, func() {}, err
	}
	// Every command the wizard starts (installer, sudo, the switch) gets
	// the environment nixboard was given, built in one place.
	env := personEnv(st)
	host := wizard.HostCommands{Env: env}
	opts.Deps = wizard.Deps{
		Detect: func(ctx context.Context) detect.Report {
			return detect.Run(ctx, machine, detect.Options{})
		},
		Installer:   host.Installer,
		Sudo:        host.Sudo,
		Switch:      wizard.RealSwitch(env),
		Preview:     wizard.HostSwitch{Env: env},
		PlainSwitch: plainSwitch(st),
		Env:         env,

		HoldInterrupt: st.holdInterrupt,
	}
	opts.Deps.Evaluate, opts.Deps.BaseHints = baseDeps(st, f, env)
	return opts, func() {}, nil
}

// baseDeps are the wizard's evaluation of a team base and the reading of
// its nixboard output, with real nix in env and the arguments after --.
func baseDeps(st *stdio, f wizardFlags, env []string) (wizard.EvaluateFunc, wizard.HintsFunc) {
	eval := func(ctx context.Context, r baseopts.Request) (baseopts.Declarations, error) {
		r.NixArgs, r.Env = f.nixArgs, env
		return st.evaluator()(ctx, r)
	}
	hints := func(ctx context.Context, flake string) (wizardlogic.Hints, error) {
		return wizardlogic.ReadHints(ctx, flake, f.nixArgs, env)
	}
	return eval, hints
}

// runWizardPlain is the wizard without a terminal: it renders the answers
// file's configuration with the render command's code and switches with
// the switch command's, in plain output.
func runWizardPlain(ctx context.Context, st *stdio, f wizardFlags) error {
	dir := f.dir
	if dir == "" {
		d, err := defaultConfigDir(st.getenv)
		if err != nil {
			return err
		}
		dir = d
	}
	ro := renderOptions{answers: f.answers, dir: dir, dryRun: f.dryRun, noCommit: f.noCommit, nixArgs: f.nixArgs}
	if err := runRender(ctx, st, ro); err != nil {
		return err
	}
	if f.dryRun || f.noSwitch {
		return nil
	}
	return runSwitch(ctx, st, switchOptions{dir: dir, out: outputFlags{plain: true}}, nil)
}

// terminalVars are the variables that describe the terminal to Bubble Tea
// and colorprofile: its type and colours (TERM, COLORTERM, NO_COLOR,
// CLICOLOR, CLICOLOR_FORCE; TMUX lets colorprofile ask tmux), and what
// decides whether Bubble Tea asks the terminal for synchronized output
// (TERM, TERM_PROGRAM, SSH_TTY, WT_SESSION).
var terminalVars = []string{"TERM", "COLORTERM", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM_PROGRAM", "SSH_TTY", "WT_SESSION", "TMUX"}

// environ is the terminal's environment (KEY=VALUE) for the screens and
// the accessible mode's colour writer: terminalVars as the injected getenv
// gives them (unset when it gives ""), so the environment Main was given
// decides, not the process's. It is never nil.
func environ(st *stdio) []string {
	env := []string{}
	for _, k := range terminalVars {
		if v := st.getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// plainSwitch runs the switch command's own code with plain output to out.
func plainSwitch(st *stdio) func(ctx context.Context, dir string, out io.Writer) error {
	return func(ctx context.Context, dir string, out io.Writer) error {
		sub := *st
		sub.out = out
		sub.outTTY = false
		return runSwitch(ctx, &sub, switchOptions{dir: dir, out: outputFlags{plain: true}}, nil)
	}
}
