package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/nixboard/nixboard/nixlog"
)

// runReplay is `nixboard replay FILE [--speed X] [--plain]`: it feeds a
// recorded switch log (one nixboard saved, or a plain capture of
// `home-manager switch ... --log-format internal-json -v 2>&1`) through the
// same reader and screen as a live switch. Flags and FILE may come in any
// order.
func runReplay(ctx context.Context, st *stdio, args []string) error {
	fs := newFlagSet(st, "replay", "nixboard replay FILE [--speed X|max] [--plain]")
	speedFlag := fs.String("speed", "1", "replay `speed`: a multiplier of the recorded pace, or max")
	plain := fs.Bool("plain", false, "print plain progress lines instead of the live screen")
	var files []string
	rest := args
	for {
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		return usagef("replay takes one log file, got %d (usage: nixboard replay FILE [--speed X|max] [--plain])", len(files))
	}
	speed, err := nixlog.ParseSpeed(*speedFlag)
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
	rep, err := nixlog.OpenReplay(files[0], nixlog.ReplayOptions{Speed: speed, Sleep: sleep})
	if err != nil {
		return err
	}
	defer rep.Close()
	// The state's clock follows the recording, so elapsed times and the
	// closing "in Ts" are those of the recorded run at any speed.
	now := rep.Clock()
	state := nixlog.NewState(nixlog.Options{Now: now})
	if *plain || !st.interactive() {
		// Closing the file ends a read that would go on (a recording
		// without an end, such as /dev/zero).
		d, sum := followPlain(ctx, st, rep, func() { rep.Close() }, state, nixlog.DiagnoseReplay)
		return finishPlain(st, d, sum, "")
	}
	return runScreen(ctx, st, screenConfig{
		title:   fmt.Sprintf("replay %s", filepath.Base(files[0])),
		source:  rep,
		state:   state,
		logPath: files[0],
		now:     now,
	})
}
