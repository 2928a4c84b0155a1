package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/nixlog"
)

const replaySynopsis = "nixboard replay FILE [--speed X|max] [--plain]"

// replayOptions are replay's flags.
type replayOptions struct {
	speed string
	plain bool
}

func replayCommand(st *stdio) *cobra.Command {
	var o replayOptions
	c := &cobra.Command{
		Use: "replay FILE",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("replay takes one log file, got %d (usage: %s)", len(args), replaySynopsis)
			}
			return nil
		},
		// FILE completes as a file name, cobra's default.
		RunE: func(c *cobra.Command, args []string) error { return runReplay(c.Context(), st, o, args[0]) },
	}
	fs := c.Flags()
	fs.StringVar(&o.speed, "speed", "1", "the replay speed: a multiplier of the recorded pace, or max")
	fs.BoolVar(&o.plain, "plain", false, "print plain progress lines instead of the live screen")
	_ = c.RegisterFlagCompletionFunc("speed", completeWords("0.5", "1", "2", "10", "max"))
	return c
}

// runReplay is `nixboard replay FILE [--speed X] [--plain]`: it feeds a
// recorded switch log (one nixboard saved, or a plain capture of
// `home-manager switch ... --log-format internal-json -v 2>&1`) through the
// same reader and screen as a live switch. Flags and FILE may come in any
// order.
func runReplay(ctx context.Context, st *stdio, o replayOptions, file string) error {
	speed, err := nixlog.ParseSpeed(o.speed)
	if err != nil {
		return usagef("%v", err)
	}
	// A replay waits for the recorded pace; a stop signal ends the wait.
	sleep := func(d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	if fi, err := os.Stat(file); err == nil && fi.IsDir() {
		// A directory is a wrong argument, not a switch that failed.
		return usagef("replay %s: this is a directory; give the log file of a switch (usage: %s)", safetext.Line(file), replaySynopsis)
	}
	rep, err := nixlog.OpenReplay(file, nixlog.ReplayOptions{Speed: speed, Sleep: sleep})
	if err != nil {
		return err
	}
	defer rep.Close()
	// The state's clock follows the recording, so elapsed times and the
	// closing "in Ts" are those of the recorded run at any speed.
	now := rep.Clock()
	state := nixlog.NewState(nixlog.Options{Now: now})
	if o.plain || !st.interactive() {
		// Closing the file ends a read that would go on (a recording
		// without an end, such as /dev/zero).
		d, sum := followPlain(ctx, st, rep, func() { rep.Close() }, state, nixlog.DiagnoseReplay)
		return finishPlain(st, d, sum, "")
	}
	return runScreen(ctx, st, screenConfig{
		title:   fmt.Sprintf("replay %s", filepath.Base(file)),
		source:  rep,
		state:   state,
		logPath: file,
		now:     now,
	})
}
