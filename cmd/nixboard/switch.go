package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
)

// switchOptions are switch's flags.
type switchOptions struct {
	dir     string
	out     outputFlags
	dryRun  bool
	preview bool
}

func switchCommand(st *stdio) *cobra.Command {
	var o switchOptions
	c := &cobra.Command{
		Use:     "switch [-- extra home-manager args]",
		Long:    "Run home-manager switch on the configuration rendered in DIR, with the live screen on a terminal and plain progress lines otherwise. Arguments after -- go to home-manager switch (and from there to nix build), e.g. --override-input nixpkgs path:/some/nixpkgs.",
		Example: "  nixboard switch --dir ~/.config/home-manager -- --show-trace",
		// The arguments are home-manager's: any are passed through.
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: noFiles,
		RunE:              func(c *cobra.Command, args []string) error { return runSwitch(c.Context(), st, o, args) },
	}
	fs := c.Flags()
	fs.StringVar(&o.dir, "dir", "", "the rendered configuration DIR (default ~/.config/home-manager)")
	addOutputFlags(fs, &o.out)
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the command and environment that would run, and stop")
	fs.BoolVar(&o.preview, "preview", false, "build the generation and show what the switch would change (files in the way, packages, size), then stop; nothing is activated")
	_ = c.MarkFlagDirname("dir")
	return c
}

// runSwitch is `nixboard switch [--dir DIR] [--plain|--json|--tui] [--
// HOME-MANAGER ARGS]`: it runs home-manager switch on the configuration
// rendered in DIR, with the live screen, plain lines or JSON lines as
// chooseOutput decides.
// Arguments after `--` are passed through to home-manager switch (and from
// there to nix build), e.g. `--override-input nixpkgs path:/some/nixpkgs`.
func runSwitch(ctx context.Context, st *stdio, o switchOptions, extra []string) error {
	mode, err := chooseOutput(o.out, st.interactive(), st.getenv)
	if err != nil {
		return err
	}
	if o.dir == "" {
		d, err := defaultConfigDir(st.getenv)
		if err != nil {
			return err
		}
		o.dir = d
	}
	plan, err := nixrun.NewPlan(nixrun.SwitchOptions{
		Dir:       o.dir,
		ExtraArgs: extra,
		Env:       personEnv(st),
	})
	if err != nil {
		return err
	}
	if o.dryRun {
		fmt.Fprintln(st.out, safetext.Text(plan.String()))
		return nil
	}
	if err := nixrun.Prepare(ctx, plan); err != nil {
		return err
	}
	if o.preview {
		return runPreview(ctx, st, plan)
	}
	// Ctrl-C in plain mode arrives as SIGINT to nixboard alone (the switch
	// has its own process group); like any stop signal it cancels ctx,
	// which interrupts the run (signals.go). The live screen reads Ctrl-C
	// as a key instead.
	run, err := nixrun.Start(ctx, plan)
	if err != nil {
		return err
	}
	title := "switch " + plan.ConfigName
	if mode == outputScreen {
		err = runScreen(ctx, st, screenConfig{title: title, source: run, run: run, record: true})
	} else {
		start := nixlog.StartInfo{Title: title, Command: plan.Command(), NixConfig: nixrun.FlakesConfig}
		state := nixlog.NewState(nixlog.Options{})
		hist := openBuildHistory(st, true)
		est := eta.NewFeed(hist, eta.FeedOptions{Now: state.Now})
		err = followRun(ctx, run, nil, state, run.Diagnose, start, run.LogPath(), streamViewFor(st, mode), est)
		saveBuildHistory(st, hist)
	}
	if err == nil {
		rec := st
		if mode == outputJSON {
			// Stdout holds JSON lines only: what the history says goes
			// to stderr.
			sub := *st
			sub.out = st.err
			rec = &sub
		}
		recordGeneration(ctx, rec, plan.Dir)
	}
	return err
}

// personVars are the variables nixboard reads to plan a switch, and the
// ones that say which store nix uses (NIX_REMOTE=daemon and the daemon's
// socket); they come from the injected getenv (so tests can set them),
// everything else of the child's environment from the process.
var personVars = []string{"HOME", "USER", "PATH", "NIX_CONFIG", "NIX_REMOTE", "NIX_DAEMON_SOCKET_PATH", "XDG_STATE_HOME", "XDG_CONFIG_HOME"}

// personEnv is the environment the switch runs in: the one Main was given,
// with personVars as getenv says (unset when getenv gives "").
func personEnv(st *stdio) []string {
	getenv := st.getenv
	var env []string
	for _, kv := range st.environ {
		k, _, _ := strings.Cut(kv, "=")
		skip := false
		for _, v := range personVars {
			skip = skip || k == v
		}
		if !skip {
			env = append(env, kv)
		}
	}
	for _, k := range personVars {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}
