package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/tui/doctorview"
	"github.com/nixboard/nixboard/tui/theme"
)

// runDoctor checks the machine (or the one NIXBOARD_ROOT, NIXBOARD_GOOS and
// NIXBOARD_GOARCH describe, or a demo machine) and prints the report: styled
// on a terminal, plain otherwise or with NO_COLOR, JSON with --json. It
// exits 1 when a check fails and 2 when it cannot examine the machine.
func runDoctor(ctx context.Context, st *stdio, args []string) error {
	fs := newFlagSet(st, "doctor", "nixboard doctor [--json] [--timeout D] [--demo NAME]")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	timeout := fs.Duration("timeout", detect.DefaultTimeout, "how long each probe (one command) may take")
	demo := fs.String("demo", "", fmt.Sprintf("examine a built-in demo machine instead: %v", detect.DemoNames()))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("doctor takes no arguments, got %q", fs.Arg(0))
	}
	if *timeout <= 0 {
		return usagef("--timeout must be positive, got %s", *timeout)
	}
	var m detect.Machine
	var err error
	demoSet := false
	fs.Visit(func(f *flag.Flag) { demoSet = demoSet || f.Name == "demo" })
	if demoSet {
		m, err = detect.Demo(*demo)
		if err != nil {
			return usagef("--demo: %v", err)
		}
	} else if m, err = detect.FromEnv(st.getenv, st.environ...); err != nil {
		fmt.Fprintf(st.err, "nixboard doctor: cannot examine this machine: %s\n", safetext.Text(err.Error()))
		return exitError{2}
	}

	r := detect.Run(ctx, m, detect.Options{Timeout: *timeout})
	if err := ctx.Err(); err != nil {
		return err
	}
	if *asJSON {
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
