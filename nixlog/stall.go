package nixlog

import (
	"bytes"
	"strings"
	"time"
)

// StallAfter is how long a running transfer may go without its bytes
// moving before nixboard calls it stalled. Nix's downloads report
// progress about once a second even when nothing arrives, so a transfer
// that moves at all moves within a second or two; twenty seconds is four
// RateWindows, long past a burst's pause or a slow cache's first byte, and
// still far short of the 300 seconds of Nix's stalled-download-timeout,
// after which nix itself gives up on the transfer and tries again. nom
// (nix-output-monitor) has no such warning to follow.
const StallAfter = 20 * time.Second

// maxWaitingCopies bounds the store path copies kept waiting for their
// NAR's transfer to start (Nix 2.8 names no parent): Nix substitutes at
// most max-substitution-jobs (16 by default) paths at once.
const maxWaitingCopies = 64

// Stalled returns how long a's bytes have not moved by now, and whether
// that is a stall: at least StallAfter for an activity that can stall
// (Moved is not zero).
func (a Activity) Stalled(now time.Time) (time.Duration, bool) {
	if a.Moved.IsZero() {
		return 0, false
	}
	d := max(0, now.Sub(a.Moved))
	return d, d >= StallAfter
}

// canStall says whether a is a transfer whose stall is its own: a file
// transfer, or a store path copy while no transfer of its NAR runs (that
// transfer is the row whose bytes stop; the copy's own bytes only move
// once the NAR has arrived).
func (a *activity) canStall() bool {
	switch a.typ {
	case ActFileTransfer:
		return true
	case ActCopyPath:
		return a.xfers == 0
	}
	return false
}

// progressed notes a progress result of a transfer or copy with done
// bytes: when they changed, a (and the copy a NAR transfer belongs to)
// moved now. The caller holds s.mu.
func (s *State) progressed(a *activity, done int64) {
	if done == a.progress[0] {
		return
	}
	now := s.now().Sub(s.started)
	a.moved = now
	if a.copyOf != 0 {
		if c := s.acts[a.copyOf]; c != nil {
			c.moved = now
		}
	}
}

// transferStarted links a starting NAR transfer to the store path copy
// it belongs to: its parent on newer Nix; on Nix 2.8, which logs no
// parents, the oldest copy from the same cache still without a transfer
// (each copy's transfer starts right after it). A copy is kept waiting for
// its transfer. The caller holds s.mu.
func (s *State) transferStarted(a *activity, e *rawEvent) {
	s.openXfers = append(s.openXfers, a)
	a.xferIdx = int32(len(s.openXfers))
	a.moved = a.start.Sub(s.started)
	switch a.typ {
	case ActCopyPath:
		a.cache = s.cacheName(bytes.TrimSuffix(e.str(1), []byte("/")))
		if len(s.waitingCopies) < maxWaitingCopies {
			s.waitingCopies = append(s.waitingCopies, a)
		}
	case ActFileTransfer:
		if a.cacheIdx == 0 {
			// Not a store path's NAR: a cache's metadata or a flake
			// input.
			return
		}
		var c *activity
		if p := s.acts[a.parent]; a.parent != 0 && p != nil && p.typ == ActCopyPath {
			c = p
		} else if a.parent == 0 {
			cache := cacheOf(a.path)
			for _, w := range s.waitingCopies {
				if w.cache == cache && (c == nil || w.start.Before(c.start) || w.start.Equal(c.start) && w.id < c.id) {
					c = w
				}
			}
		}
		if c == nil {
			return
		}
		a.copyOf = c.id
		c.xfers++
		c.moved = a.moved
		s.unwaitCopy(c)
	}
}

// transferStopped ends what transferStarted linked: a copy whose transfer
// ended moves on from then (it now adds the NAR to the store). The caller
// holds s.mu.
func (s *State) transferStopped(a *activity) {
	if i := int(a.xferIdx) - 1; i >= 0 && i < len(s.openXfers) && s.openXfers[i] == a {
		last := len(s.openXfers) - 1
		s.openXfers[i] = s.openXfers[last]
		s.openXfers[i].xferIdx = int32(i + 1)
		s.openXfers[last] = nil
		s.openXfers = s.openXfers[:last]
		a.xferIdx = 0
	}
	switch a.typ {
	case ActFileTransfer:
		if a.copyOf != 0 {
			if c := s.acts[a.copyOf]; c != nil {
				c.xfers--
				c.moved = s.now().Sub(s.started)
			}
		}
	case ActCopyPath:
		s.unwaitCopy(a)
	}
}

// cacheName is the cache URL b as a string: the string of a cache already
// known when it is one (a copy's cache is mostly the cache of the copies
// and downloads before it), so a copy's start allocates nothing.
func (s *State) cacheName(b []byte) string {
	for i := range s.caches {
		if s.caches[i].URL == string(b) {
			return s.caches[i].URL
		}
	}
	for _, w := range s.waitingCopies {
		if w.cache == string(b) {
			return w.cache
		}
	}
	return clipPath(b)
}

// unwaitCopy drops c from the copies waiting for their transfer.
func (s *State) unwaitCopy(c *activity) {
	for i, w := range s.waitingCopies {
		if w == c {
			n := len(s.waitingCopies) - 1
			copy(s.waitingCopies[i:], s.waitingCopies[i+1:])
			s.waitingCopies[n] = nil
			s.waitingCopies = s.waitingCopies[:n]
			return
		}
	}
}

// stallFields fills out's Moved, Cache and Copy from a. The caller holds
// s.mu.
func (s *State) stallFields(a *activity, out *Activity) {
	if !s.finished && a.canStall() {
		out.Moved = s.started.Add(a.moved)
	}
	out.Copy = a.copyOf
	switch {
	case a.typ == ActCopyPath:
		out.Cache = a.cache
	case a.cacheIdx > 0:
		out.Cache = cacheOf(a.path)
	}
}

// stallCandidate is a running transfer or copy as the stream's stall watch
// sees it: the screen's Activity and, for a NAR transfer, the store path
// of its copy.
type stallCandidate struct {
	Activity
	storePath string
}

// transfers appends the running file transfers and store path copies to
// buf, oldest first, and returns them with the State's clock, the run's
// elapsed time and whether it has finished.
func (s *State) transfers(buf []stallCandidate) ([]stallCandidate, time.Time, time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.openXfers {
		c := stallCandidate{Activity: Activity{ID: a.id, Parent: a.parent, Type: a.typ, Name: a.path,
			Path: a.path, Start: a.start, Done: a.progress[0], Expected: a.progress[1]}}
		s.stallFields(a, &c.Activity)
		switch {
		case a.typ == ActCopyPath:
			c.storePath = a.path
			if n := storeName(a.path); n != "" {
				c.Name = n
			}
		case a.copyOf != 0:
			if p := s.acts[a.copyOf]; p != nil {
				c.storePath = p.path
			}
		}
		buf = append(buf, c)
	}
	// Insertion sort, as sortActivities: a handful of transfers.
	for i := 1; i < len(buf); i++ {
		for j := i; j > 0 && (buf[j].Start.Before(buf[j-1].Start) || buf[j].Start.Equal(buf[j-1].Start) && buf[j].ID < buf[j-1].ID); j-- {
			buf[j], buf[j-1] = buf[j-1], buf[j]
		}
	}
	return buf, s.now(), s.elapsed(), s.finished
}

// The states of a stall event.
const (
	StallStalled = "stalled"
	StallMoving  = "moving"
	StallEnded   = "ended"
)

// StallInfo is a running transfer that stopped moving (State "stalled",
// once per stall), moved again ("moving") or stopped while stalled
// ("ended"). The result of the run ends every stall still told.
type StallInfo struct {
	State string `json:"state"`
	// Kind is the screen row's word: "transfer" for a file transfer,
	// "download" for a store path copy.
	Kind string `json:"kind"`
	// Name is the row's name: a transfer's URL, a copy's store path
	// name.
	Name string `json:"name"`
	// Path is the store path being downloaded, when known; Cache the
	// binary cache it comes from.
	Path  string `json:"path,omitempty"`
	Cache string `json:"cache,omitempty"`
	// Bytes are its bytes done and expected (absent while nix has not
	// said).
	Bytes ByteCounts `json:"bytes"`
	// Seconds is how long the bytes had not moved: until now for a stall,
	// until they moved again, and for one that ended until the stream
	// last saw it running (it may have moved in between).
	Seconds float64 `json:"seconds"`
}

// stallInfo is c's stall event of state, stalled for d.
func stallInfo(c stallCandidate, state string, d time.Duration) *StallInfo {
	kind := "transfer"
	if c.Type == ActCopyPath {
		kind = "download"
	}
	info := &StallInfo{State: state, Kind: kind, Name: c.Name, Path: c.storePath, Cache: c.Cache,
		Bytes: ByteCounts{Done: c.Done}, Seconds: seconds(d)}
	if c.Expected > 0 {
		exp := c.Expected
		info.Bytes.Expected = &exp
	}
	return info
}

// stallLine is a stall event as a plain line.
func stallLine(st *StallInfo) string {
	what := st.Kind + " " + st.Name
	if st.Path != "" {
		name := storeName(st.Path)
		if name == "" {
			name = st.Path
		}
		what = "download " + name
	}
	if st.Cache != "" && (st.Path != "" || !strings.HasPrefix(st.Name, st.Cache)) {
		what += " from " + st.Cache
	}
	bytes := Size(st.Bytes.Done)
	if st.Bytes.Expected != nil {
		bytes += " of " + Size(*st.Bytes.Expected)
	}
	took := Seconds(time.Duration(st.Seconds * float64(time.Second)))
	switch st.State {
	case StallMoving:
		return "moving again: " + what + " after " + took + " stalled"
	case StallEnded:
		return "ended: " + what + ", last seen stalled for " + took + " (" + bytes + ")"
	default:
		return "stalled: " + what + " has not moved for " + took + " (" + bytes + ")"
	}
}

// stallWatch is a Stream's memory of the stalls it told: each stalled
// activity with when its bytes had last moved, so a stall is told once and
// its end once.
type stallWatch struct {
	told  map[uint64]*toldStall
	buf   []stallCandidate
	round int
}

type toldStall struct {
	// moved is when its bytes had last moved; seen when the watch last
	// saw it running, as last.
	moved, seen time.Time
	last        stallCandidate
	round       int
}

// check returns the stall events since the last check: by the State's
// clock, so a replay shows the recorded stalls and a test drives them
// with its own clock. It looks at the open transfers only, a handful,
// however many other activities run.
func (w *stallWatch) check(s *State) []StreamEvent {
	list, now, elapsed, finished := s.transfers(w.buf[:0])
	w.buf = list
	if finished {
		// The result ends every stall.
		return nil
	}
	w.round++
	var out []StreamEvent
	event := func(info *StallInfo) {
		out = append(out, StreamEvent{Event: EventStall, Elapsed: elapsed, Stall: info})
	}
	for _, c := range list {
		if t := w.told[c.ID]; t != nil {
			t.round = w.round
			if c.Moved.Equal(t.moved) {
				t.last, t.seen = c, now
				continue
			}
			// Its bytes moved, or the transfer of its NAR started and
			// carries it.
			moved := c.Moved
			if moved.IsZero() {
				moved = now
			}
			event(stallInfo(c, StallMoving, moved.Sub(t.moved)))
			delete(w.told, c.ID)
			continue
		}
		if d, stalled := c.Stalled(now); stalled {
			if w.told == nil {
				w.told = make(map[uint64]*toldStall)
			}
			w.told[c.ID] = &toldStall{moved: c.Moved, seen: now, last: c, round: w.round}
			event(stallInfo(c, StallStalled, d))
		}
	}
	var ended []*toldStall
	for id, t := range w.told {
		if t.round != w.round {
			ended = append(ended, t)
			delete(w.told, id)
		}
	}
	for i := 1; i < len(ended); i++ {
		for j := i; j > 0 && ended[j].last.ID < ended[j-1].last.ID; j-- {
			ended[j], ended[j-1] = ended[j-1], ended[j]
		}
	}
	for _, t := range ended {
		event(stallInfo(t.last, StallEnded, t.seen.Sub(t.moved)))
	}
	return out
}
