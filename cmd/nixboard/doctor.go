package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/tui/doctorview"
	"github.com/nixboard/nixboard/tui/theme"
)

const doctorSynopsis = "nixboard doctor [--json] [--timeout D] [--demo NAME]"

// doctorOptions are doctor's flags.
type doctorOptions struct {
	json    bool
	timeout time.Duration
	demo    string
	// demoSet says --demo was given, even as --demo "" (the default demo).
	demoSet bool
}

func doctorCommand(st *stdio) *cobra.Command {
	var o doctorOptions
	c := &cobra.Command{
		Use:               "doctor",
		Args:              noArgs("doctor", doctorSynopsis),
		ValidArgsFunction: noFiles,
		RunE: func(c *cobra.Command, _ []string) error {
			o.demoSet = c.Flags().Changed("demo")
			return runDoctor(c.Context(), st, o)
		},
	}
	fs := c.Flags()
	fs.BoolVar(&o.json, "json", false, "print the report as one JSON object")
	fs.DurationVar(&o.timeout, "timeout", detect.DefaultTimeout, "how long each probe (one command) may take")
	fs.StringVar(&o.demo, "demo", "", fmt.Sprintf("examine a built-in demo machine instead: %v", detect.DemoNames()))
	_ = c.RegisterFlagCompletionFunc("demo", completeWords(detect.DemoNames()...))
	return c
}

// runDoctor checks the machine (or the one NIXBOARD_ROOT, NIXBOARD_GOOS and
// NIXBOARD_GOARCH describe, or a demo machine) and prints the report: styled
// on a terminal, plain otherwise or with NO_COLOR, JSON with --json. It
// exits 1 when a check fails and 2 when it cannot examine the machine.
func runDoctor(ctx context.Context, st *stdio, o doctorOptions) error {
	if o.timeout <= 0 {
		return usagef("--timeout must be positive, got %s", o.timeout)
	}
	var m detect.Machine
	var err error
	if o.demoSet {
		m, err = detect.Demo(o.demo)
		if err != nil {
			return usagef("--demo: %v", err)
		}
	} else if m, err = detect.FromEnv(st.getenv, st.environ...); err != nil {
		fmt.Fprintf(st.err, "nixboard doctor: cannot examine this machine: %s\n", safetext.Text(err.Error()))
		return exitError{2}
	}

	r := detect.Run(ctx, m, detect.Options{Timeout: o.timeout})
	if err := ctx.Err(); err != nil {
		return err
	}
	if o.json {
		enc := json.NewEncoder(st.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("doctor: write report: %w", err)
		}
	} else {
		noColor := !st.outTTY || theme.NoColor(st.getenv)
		fmt.Fprint(st.out, doctorview.Render(r, doctorview.Width(st.out, st.outTTY, st.getenv), theme.New(true, noColor)))
	}
	if r.Failed() {
		return exitError{1}
	}
	return nil
}
