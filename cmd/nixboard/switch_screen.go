package main

import (
	"context"
	"errors"
	"time"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/switchview"
	"github.com/nixboard/nixboard/tui/theme"
)

// screenConfig is what the standalone live screen shows.
type screenConfig struct {
	title   string
	source  nixlog.LineSource
	run     *nixrun.Run
	state   *nixlog.State
	logPath string
	now     func() time.Time
	// record says the run is a real one on this machine (a switch, an
	// undo): its builds' durations go into the build history the
	// estimate learns from. A replay only reads the history.
	record bool
}

// runScreen runs the live screen (tui/switchview), then prints the closing
// line and hints on stdout (after the terminal is restored, so they stay in
// the scrollback) and maps the result to an exit status.
func runScreen(ctx context.Context, st *stdio, c screenConfig) error {
	state := c.state
	if state == nil {
		state = nixlog.NewState(nixlog.Options{Now: c.now})
	}
	hist := openBuildHistory(st, c.record)
	est := eta.NewFeed(hist, eta.FeedOptions{Now: state.Now})
	res, err := switchview.Run(ctx, switchview.Options{
		Config: switchview.Config{
			Source:   c.source,
			Run:      c.run,
			Title:    c.title,
			State:    state,
			LogPath:  c.logPath,
			Now:      c.now,
			Estimate: est,
		},
		In:      st.in,
		Out:     st.out,
		Env:     environ(st),
		NoColor: theme.NoColor(st.getenv),
	})
	if c.record {
		est.Finish(state)
		saveBuildHistory(st, hist)
	}
	if errors.Is(err, switchview.ErrInterrupted) {
		return errInterrupted
	}
	if err != nil {
		return err
	}
	return finishPlain(st, res.Diagnosis, res.Summary, res.LogPath)
}
