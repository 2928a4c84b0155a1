package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/nixlog"
)

// plainEvery is the most often the stream reports progress.
const plainEvery = time.Second

// streamView shows the events of a run: plain lines or JSON lines.
type streamView func(nixlog.StreamEvent)

// plainView prints each event's plain lines on w.
func plainView(w io.Writer) streamView {
	return func(e nixlog.StreamEvent) {
		for _, l := range e.PlainLines() {
			fmt.Fprintln(w, l)
		}
	}
}

// jsonView writes each event as one JSON object on a line of w (NDJSON).
func jsonView(w io.Writer) streamView {
	return func(e nixlog.StreamEvent) {
		b, err := json.Marshal(e)
		if err != nil {
			// Every payload is plain data; this cannot happen unless
			// an event is built without one, a bug worth seeing.
			b, _ = json.Marshal(map[string]any{"schema": nixlog.StreamSchema, "event": "error", "error": err.Error()})
		}
		w.Write(append(b, '\n'))
	}
}

// followStream reads src into s and shows the run's events through view:
// the start, each phase change and build failure as it is folded (polled
// after every batch), and progress at most every plainEvery when it
// changed. Once the source ended it judges the run with judge, finishes s
// and returns the verdict and the stream, whose last events finishStream
// shows. When ctx ends, a live run ends by itself (its context interrupts
// it) and is read to its end; a source that would go on (a replay) is
// stopped with stop, and the run judged interrupted.
//
// est, when not nil, is given every batch and the state before each poll,
// and its estimate is the progress events' time left; once the run ended
// it records the successful builds' durations (its history is the
// caller's to save).
func followStream(ctx context.Context, src nixlog.LineSource, stop func(), s *nixlog.State, judge func(*nixlog.State) nixlog.Diagnosis, start nixlog.StartInfo, view streamView, est *eta.Feed) (nixlog.Diagnosis, *nixlog.Stream) {
	var opts nixlog.StreamOptions
	if est != nil {
		opts.Estimate = func() nixlog.Left {
			e := est.Estimate()
			return nixlog.Left{Known: e.Known, Left: e.Left, Words: e.String()}
		}
	}
	stream := nixlog.NewStream(s, opts)
	view(stream.StartEvent(start))
	done := make(chan error, 1)
	fed := make(chan struct{}, 1)
	go func() {
		for {
			batch, err := src.Next()
			s.FeedLines(batch)
			if est != nil {
				est.Lines(batch)
			}
			select {
			case fed <- struct{}{}:
			default:
			}
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
	emit := func(events []nixlog.StreamEvent) {
		for _, e := range events {
			view(e)
		}
	}
	var readErr error
	var estAt time.Time
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
		case <-fed:
			// The estimate reads every build of the state: at most at a
			// screen's frame rate, however small the batches.
			if now := time.Now(); now.Sub(estAt) >= time.Second/15 {
				estAt = now
				updateEstimate(est, s)
			}
			emit(stream.Poll(false))
		case <-ticker.C:
			estAt = time.Now()
			updateEstimate(est, s)
			emit(stream.Poll(true))
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
	if est != nil {
		est.Finish(s)
	}
	return d, stream
}

// updateEstimate brings est up to date with s (when there is one): it
// must see the builds before the state forgets finished ones.
func updateEstimate(est *eta.Feed, s *nixlog.State) {
	if est != nil {
		est.Update(s)
	}
}

// finishStream shows the last events of a run followStream followed: the
// last phase, the final progress and the result with d's verdict, the
// saved log and the exit status, which it returns: a failure is status 1.
func finishStream(view streamView, stream *nixlog.Stream, s *nixlog.State, d nixlog.Diagnosis, logPath string) error {
	code := 0
	if !d.OK {
		code = 1
	}
	for _, e := range stream.Finish(d, s.Summary(), logPath, code) {
		view(e)
	}
	if code != 0 {
		return exitError{code: code}
	}
	return nil
}

// followRun follows a run through view to its result: followStream, then
// finishStream.
func followRun(ctx context.Context, src nixlog.LineSource, stop func(), s *nixlog.State, judge func(*nixlog.State) nixlog.Diagnosis, start nixlog.StartInfo, logPath string, view streamView, est *eta.Feed) error {
	d, stream := followStream(ctx, src, stop, s, judge, start, view, est)
	return finishStream(view, stream, s, d, logPath)
}

// finishPlain prints the closing line, the hints and the log path on stdout
// after the live screen, and turns a failure into exit status 1.
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
