package nixlog

import (
	"errors"
	"io"
	"time"
)

// RawLine is one line a child process printed (or a replay read), without
// its newline, with the time since the run started.
type RawLine struct {
	At   time.Duration
	Text []byte
}

// LineSource yields the lines of a run in batches: a live run and a replay
// are both LineSources, so the screen and plain output read them the same
// way.
type LineSource interface {
	// Next blocks until at least one line is available and returns the
	// lines that are (a bounded batch), or io.EOF after the last line.
	// The batch and its lines may be valid only until the next call (a
	// Replay's are): fold or copy them first.
	Next() ([]RawLine, error)
}

// MaxBatch is the most lines one Next call returns.
const MaxBatch = 4096

// Drain feeds every line of src into s until src ends; it returns nil at
// the end of the lines, or the error that stopped them.
func Drain(src LineSource, s *State) error {
	for {
		batch, err := src.Next()
		s.FeedLines(batch)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
