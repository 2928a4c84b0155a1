package nixrun

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// timeMarkerPrefix starts the time markers nixboard writes into the logs it
// saves: `@nixboard {"action":"time","ms":N}`, N milliseconds since the run
// started. They let a replay reproduce the pace of the real run; a replay
// consumes them and never hands them on.
const timeMarkerPrefix = `@nixboard {"action":"time","ms":`

// TimeMarker returns the time marker line (with its newline) for at.
func TimeMarker(at time.Duration) []byte {
	return []byte(timeMarkerPrefix + strconv.FormatInt(at.Milliseconds(), 10) + "}\n")
}

// parseTimeMarker returns the time of a time marker line.
func parseTimeMarker(line []byte) (time.Duration, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(timeMarkerPrefix))
	if !ok {
		return 0, false
	}
	rest, ok = bytes.CutSuffix(bytes.TrimSpace(rest), []byte("}"))
	if !ok {
		return 0, false
	}
	ms, err := strconv.ParseInt(string(rest), 10, 64)
	if err != nil || ms < 0 {
		return 0, false
	}
	return time.Duration(ms) * time.Millisecond, true
}

// PlainPace is the time between lines a replay assumes for a plain capture
// (`home-manager switch ... 2>&1 | tee FILE`), which has no time markers:
// a steady 200 lines a second at speed 1.
const PlainPace = 5 * time.Millisecond

// ReplayOptions set the pace of a replay.
type ReplayOptions struct {
	// Speed multiplies the recorded pace; 0 (or less) replays as fast as
	// the file can be read (`--speed max`).
	Speed float64
	// Now and Sleep are the clock (time.Now and time.Sleep when nil).
	Now   func() time.Time
	Sleep func(time.Duration)
}

// ParseSpeed reads a --speed value: a positive multiplier, or "max".
func ParseSpeed(s string) (float64, error) {
	if s == "max" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1e6 {
		return 0, fmt.Errorf("--speed %q: want a positive number such as 1, 2.5 or 10, or max", s)
	}
	return f, nil
}

// Replay is a LineSource reading a recorded log at a pace. It accepts the
// logs nixboard saves (with time markers and the exit marker) and plain
// captures of the tools' output.
type Replay struct {
	br      *bufio.Reader
	closer  io.Closer
	opts    ReplayOptions
	started bool
	start   time.Time
	// at is the recorded time of the newest marker; plain captures
	// advance it by PlainPace a line.
	at        time.Duration
	hasMarker bool
	pending   *RawLine
	err       error

	mu    sync.Mutex
	shown time.Duration
}

// NewReplay replays the log read from r.
func NewReplay(r io.Reader, opts ReplayOptions) *Replay {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = time.Sleep
	}
	return &Replay{br: bufio.NewReaderSize(r, 64<<10), opts: opts}
}

// OpenReplay replays the log file at path; Close closes it.
func OpenReplay(path string, opts ReplayOptions) (*Replay, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	r := NewReplay(f, opts)
	r.closer = f
	return r, nil
}

// Close closes the file OpenReplay opened.
func (r *Replay) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// Elapsed is the recorded time of the newest line handed out: the clock a
// State should use for a replay, so elapsed times match the recording
// whatever the speed.
func (r *Replay) Elapsed() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.shown
}

// Clock returns a clock for the State of a replay: a fixed start plus the
// recorded time of the newest line handed out.
func (r *Replay) Clock() func() time.Time {
	base := time.Now()
	return func() time.Time { return base.Add(r.Elapsed()) }
}

// read returns the next line to hand out, with its recorded time.
func (r *Replay) read() (*RawLine, error) {
	if r.pending != nil {
		l := r.pending
		r.pending = nil
		return l, nil
	}
	for r.err == nil {
		line, err := readLine(r.br)
		if err != nil {
			r.err = err
			if line == nil {
				break
			}
		}
		if at, ok := parseTimeMarker(line); ok {
			r.hasMarker = true
			r.at = at
			continue
		}
		if !r.hasMarker {
			r.at += PlainPace
		}
		return &RawLine{At: r.at, Text: line}, nil
	}
	return nil, r.err
}

// Next returns the lines that are due, sleeping until the first one is.
func (r *Replay) Next() ([]RawLine, error) {
	if !r.started {
		r.started = true
		r.start = r.opts.Now()
	}
	var batch []RawLine
	for len(batch) < MaxBatch {
		l, err := r.read()
		if err != nil {
			if len(batch) > 0 {
				break
			}
			if errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("replay: %w", err)
		}
		if r.opts.Speed > 0 {
			due := time.Duration(float64(l.At) / r.opts.Speed)
			wait := due - r.opts.Now().Sub(r.start)
			if wait > 0 {
				if len(batch) > 0 {
					r.pending = l
					break
				}
				r.opts.Sleep(wait)
			}
		}
		batch = append(batch, *l)
	}
	r.mu.Lock()
	r.shown = batch[len(batch)-1].At
	r.mu.Unlock()
	return batch, nil
}

// readLine reads one line without its end of line, keeping at most
// MaxLineBytes of it. It returns io.EOF (with a last unterminated line, if
// any) at the end.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if room := MaxLineBytes - len(line); room > 0 {
			line = append(line, chunk[:min(len(chunk), room)]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if len(line) == 0 {
				return nil, err
			}
			return trimEOL(line), err
		}
		if line == nil {
			line = []byte{}
		}
		return trimEOL(line), nil
	}
}
