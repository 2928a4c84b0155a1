package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/nixlog"
)

// plainEvery is the most often plain mode prints a progress line.
const plainEvery = time.Second

// followPlain reads src into s, printing a progress line at most every
// plainEvery when something changed, and judges the run with judge once
// the source ended. When ctx ends, a live run ends by itself (its context
// interrupts it) and is read to its end; a source that would go on (a
// replay) is stopped with stop, and the run judged interrupted.
func followPlain(ctx context.Context, st *stdio, src nixlog.LineSource, stop func(), s *nixlog.State, judge func(*nixlog.State) nixlog.Diagnosis) (nixlog.Diagnosis, nixlog.Summary) {
	done := make(chan error, 1)
	go func() {
		for {
			batch, err := src.Next()
			s.FeedLines(batch)
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				done <- err
				return
			}
		}
	}()
	ticker := time.NewTicker(plainEvery)
	defer ticker.Stop()
	last := ""
	var readErr error
	ctxDone := ctx.Done()
	stopped := false
loop:
	for {
		select {
		case readErr = <-done:
			break loop
		case <-ctxDone:
			ctxDone = nil
			if stop != nil {
				stop()
				stopped = true
			}
		case <-ticker.C:
			if line := nixlog.StripANSI(nixlog.ProgressLine(s.Header())); line != last {
				fmt.Fprintln(st.out, line)
				last = line
			}
		}
	}
	d := judge(s)
	switch {
	case stopped:
		if d.NotALog {
			// What was read before the stop says nothing of the file.
			d.Hints = nil
		}
		d.OK, d.Reason, d.NotALog = false, "interrupted", false
	case readErr != nil:
		d.OK, d.Reason, d.NotALog = false, readErr.Error(), false
	}
	s.Finish(d.OK)
	return d, s.Summary()
}

// finishPlain prints the closing line, the hints and the log path on stdout
// and turns a failure into exit status 1.
func finishPlain(st *stdio, d nixlog.Diagnosis, sum nixlog.Summary, logPath string) error {
	fmt.Fprintln(st.out, nixlog.StripANSI(nixlog.ResultLine(d, sum)))
	for _, l := range nixlog.HintLines(d) {
		fmt.Fprintln(st.out, nixlog.StripANSI(l))
	}
	if logPath != "" {
		fmt.Fprintf(st.out, "full log: %s\n", safetext.Line(logPath))
	}
	if !d.OK {
		return exitError{code: 1}
	}
	return nil
}
