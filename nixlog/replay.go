package nixlog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/nixboard/nixboard/internal/eol"
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
	// Most lines start "@nix ": reject them on one byte.
	if len(line) < len(timeMarkerPrefix) || line[4] != 'b' {
		return 0, false
	}
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
//
// A batch from Next, and the text of its lines, alias the Replay's buffers
// and stay valid until the next call to Next: every caller folds (or
// copies) a batch before it asks for the next one, and handing lines out
// without copying them is what lets `replay --speed max` keep up with the
// disk.
type Replay struct {
	src     io.Reader
	closer  io.Closer
	opts    ReplayOptions
	started bool
	start   time.Time
	// at is the recorded time of the newest marker; plain captures
	// advance it by PlainPace a line.
	at        time.Duration
	hasMarker bool
	// pending is a line read but not yet due, the first of the next batch.
	pending    RawLine
	hasPending bool
	err        error

	// buf[r:w] is read from src and not yet handed out. Lines of a batch
	// are slices of buf, so buf is only compacted and refilled when the
	// batch being built is empty.
	buf  []byte
	r, w int
	seen int
	// srcErr is the error src returned (io.EOF at its end), once it did.
	srcErr error
	// long holds a line that did not fit in buf, kept to MaxLineBytes.
	long []byte
	// batch is the slice Next returns, reused.
	batch []RawLine

	mu    sync.Mutex
	shown time.Duration
	// header is the saved log's header, once read.
	header *RunHeader
}

// Header is the command line and environment the saved log says its run
// had, once the replay read past it (nil for a log without one).
func (r *Replay) Header() *RunHeader {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.header
}

// replayBuffer is the size of a Replay's read buffer: a few thousand
// lines of a typical log, about a full batch.
const replayBuffer = 256 << 10

// NewReplay replays the log read from r.
func NewReplay(r io.Reader, opts ReplayOptions) *Replay {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = time.Sleep
	}
	return &Replay{src: r, opts: opts, buf: make([]byte, replayBuffer)}
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

// read returns the next line to hand out, with its recorded time. With
// refill false it only returns a line already in the buffer (ok false
// when there is none), so the lines of the batch being built stay valid.
func (r *Replay) read(refill bool) (RawLine, bool, error) {
	for r.err == nil {
		line, ok, err := r.readLine(refill)
		if !ok {
			if err != nil {
				r.err = err
			}
			break
		}
		if err != nil {
			r.err = err
		}
		if at, ok := parseTimeMarker(line); ok {
			r.hasMarker = true
			r.at = at
			continue
		}
		if h, ok := ParseRunHeader(line); ok {
			// How the run was started: the state reads what it runs
			// from it (see State.header), and folds nothing else.
			r.mu.Lock()
			r.header = &h
			r.mu.Unlock()
		}
		if !r.hasMarker {
			r.at += PlainPace
		}
		return RawLine{At: r.at, Text: line}, true, nil
	}
	return RawLine{}, false, r.err
}

// Next returns the lines that are due, sleeping until the first one is.
// The batch is valid until the next call (see Replay).
func (r *Replay) Next() ([]RawLine, error) {
	if !r.started {
		r.started = true
		r.start = r.opts.Now()
	}
	batch := r.batch[:0]
	for len(batch) < MaxBatch {
		l, ok, err := r.pending, r.hasPending, error(nil)
		r.hasPending = false
		if !ok {
			// Refilling the buffer would move the lines already in
			// the batch: the batch ends where the buffer does.
			l, ok, err = r.read(len(batch) == 0)
		}
		if !ok {
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
					r.pending, r.hasPending = l, true
					break
				}
				r.opts.Sleep(wait)
			}
		}
		batch = append(batch, l)
	}
	r.batch = batch
	r.mu.Lock()
	r.shown = batch[len(batch)-1].At
	r.mu.Unlock()
	return batch, nil
}

// readLine returns the next line without its end of line, keeping at most
// MaxLineBytes of it, as a slice of r.buf or r.long. It reads from src only
// when refill is set; without it, ok is false when no whole line is
// buffered. A last line without a newline is returned with src's error
// (io.EOF at the end); ok is false once nothing is left.
func (r *Replay) readLine(refill bool) (line []byte, ok bool, err error) {
	for {
		// r.buf[r.r:r.r+r.seen] is known to hold no newline: a line
		// arriving in small reads is searched once, not once per read.
		if i := bytes.IndexByte(r.buf[r.r+r.seen:r.w], '\n'); i >= 0 {
			line = r.buf[r.r : r.r+r.seen+i+1]
			r.r += len(line)
			r.seen = 0
			return eol.Trim(line[:min(len(line), MaxLineBytes)]), true, nil
		}
		r.seen = r.w - r.r
		if !refill {
			return nil, false, nil
		}
		if r.srcErr != nil {
			if r.r == r.w {
				return nil, false, r.srcErr
			}
			line = r.buf[r.r:r.w]
			r.r, r.seen = r.w, 0
			return line[:min(len(line), MaxLineBytes)], true, r.srcErr
		}
		if r.r == 0 && r.w == len(r.buf) {
			return r.readLong()
		}
		// Move the start of the next line to the front and read more.
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
		r.fill()
	}
}

// fill reads from src into r.buf[r.w:] at least once, recording its error.
func (r *Replay) fill() {
	for range 100 {
		n, err := r.src.Read(r.buf[r.w:])
		r.w += n
		if err != nil {
			r.srcErr = err
			return
		}
		if n > 0 {
			return
		}
	}
	r.srcErr = io.ErrNoProgress
}

// readLong reads a line longer than r.buf (which it fills) into r.long,
// keeping MaxLineBytes of it and skipping the rest.
func (r *Replay) readLong() ([]byte, bool, error) {
	r.long = append(r.long[:0], r.buf[:min(r.w, MaxLineBytes)]...)
	r.r, r.w, r.seen = 0, 0, 0
	for {
		if r.srcErr != nil {
			return r.long, true, r.srcErr
		}
		r.fill()
		chunk := r.buf[:r.w]
		i := bytes.IndexByte(chunk, '\n')
		if i >= 0 {
			chunk = chunk[:i+1]
		}
		if room := MaxLineBytes - len(r.long); room > 0 {
			r.long = append(r.long, chunk[:min(len(chunk), room)]...)
		}
		if i >= 0 {
			r.r = i + 1
			return eol.Trim(r.long), true, nil
		}
		r.w = 0
	}
}
