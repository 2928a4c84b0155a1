package nixlog

import (
	"bytes"
	"strings"
	"time"
)

// StallAfter is how long a running transfer may go without its bytes
// moving before nixboard calls it stalled. curl calls Nix's progress
// callback about once a second even when nothing arrives (and Nix 2.8 and
// 2.26 log every call, as the recorded logs show), so a transfer that
// moves at all moves within a second or two; twenty seconds is four
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

// progressed notes a progress result of a transfer or copy, whose done
// bytes were prev before it: when they changed, a (and the copy a NAR
// transfer belongs to) moved now, which ends a stall; when not, a may have
// stalled. Nix repeats a transfer's progress about once a second while
// nothing arrives, so a stall is marked on the line that shows it, at the
// time the line has (a replay's at any speed). The caller holds s.mu.
func (s *State) progressed(a *activity, prev int64) {
	now := s.now().Sub(s.started)
	if a.progress[0] == prev {
		s.checkStall(a, now)
		return
	}
	s.moved(a, now)
	if a.copyOf != 0 {
		if c := s.acts[a.copyOf]; c != nil {
			s.moved(c, now)
		}
	}
}

// moved records that a's bytes moved at now (time since the start),
// marking the end of its stall when one was marked. The caller holds s.mu.
func (s *State) moved(a *activity, now time.Duration) {
	if a.stalled {
		a.stalled = false
		s.markStall(a, StallMoving, now-a.moved)
	}
	a.moved = now
}

// checkStall marks a stalled once its bytes have not moved for
// StallAfter by now. The caller holds s.mu.
func (s *State) checkStall(a *activity, now time.Duration) {
	if a.stalled || s.finished || !a.canStall() || now-a.moved < StallAfter {
		return
	}
	a.stalled = true
	s.markStall(a, StallStalled, now-a.moved)
}

// checkStalls marks the open transfers that stalled by the clock now,
// for a stall during which nix printed nothing at all. The Stream calls it
// on every poll; it looks at the open transfers only, a handful, however
// many other activities run.
func (s *State) checkStalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished || len(s.openXfers) == 0 {
		return
	}
	now := s.now().Sub(s.started)
	for _, a := range s.openXfers {
		s.checkStall(a, now)
	}
}

// markStall records a stall event of a: stalled, moving again or ended
// after d without moving. The caller holds s.mu.
func (s *State) markStall(a *activity, state string, d time.Duration) {
	info := &StallInfo{State: state, Kind: "transfer", Name: a.path, Bytes: ByteCounts{Done: a.progress[0]}, Seconds: seconds(d), Activity: a.id}
	switch {
	case a.typ == ActCopyPath:
		info.Kind, info.Path, info.Cache = "download", a.path, a.cache
		if n := storeName(a.path); n != "" {
			info.Name = n
		}
	case a.cacheIdx > 0:
		info.Cache = cacheOf(a.path)
		if c := s.acts[a.copyOf]; a.copyOf != 0 && c != nil {
			info.Path = c.path
		}
	}
	if info.Name == "" {
		info.Name = a.text
	}
	if exp := a.progress[1]; exp > 0 {
		info.Bytes.Expected = &exp
	}
	s.mark(Mark{Kind: MarkStall, Stall: info})
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
		// The copy moves on: its transfer carries it now.
		s.moved(c, a.moved)
		s.unwaitCopy(c)
	}
}

// transferStopped marks the end of a's stall when one was marked, and
// ends what transferStarted linked: a copy whose transfer ended moves on
// from then (it now adds the NAR to the store). The caller holds s.mu.
func (s *State) transferStopped(a *activity) {
	if i := int(a.xferIdx) - 1; i >= 0 && i < len(s.openXfers) && s.openXfers[i] == a {
		last := len(s.openXfers) - 1
		s.openXfers[i] = s.openXfers[last]
		s.openXfers[i].xferIdx = int32(i + 1)
		s.openXfers[last] = nil
		s.openXfers = s.openXfers[:last]
		a.xferIdx = 0
	}
	now := s.now().Sub(s.started)
	if a.stalled && !s.finished {
		a.stalled = false
		s.markStall(a, StallEnded, now-a.moved)
	}
	switch a.typ {
	case ActFileTransfer:
		if a.copyOf != 0 {
			if c := s.acts[a.copyOf]; c != nil {
				c.xfers--
				s.moved(c, now)
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

// The states of a stall event.
const (
	StallStalled = "stalled"
	StallMoving  = "moving"
	StallEnded   = "ended"
)

// StallInfo is a running transfer that stopped moving (State "stalled",
// once per stall), moved again ("moving") or stopped while stalled
// ("ended"). The result of the run ends every stall still open.
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
	// Seconds is how long the bytes had not moved: until then for a
	// stall, until they moved again, until the transfer stopped.
	Seconds float64 `json:"seconds"`
	// Activity is the activity's id, which pairs a stall with its end
	// when nix retries a URL. It stays out of the JSON: nix's ids (its
	// pid shifted left 32 bits) exceed what a JSON number holds exactly.
	Activity uint64 `json:"-"`
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
	size := Size(st.Bytes.Done)
	if st.Bytes.Expected != nil {
		size += " of " + Size(*st.Bytes.Expected)
	}
	took := Seconds(time.Duration(st.Seconds * float64(time.Second)))
	switch st.State {
	case StallMoving:
		return "moving again: " + what + " after " + took + " stalled"
	case StallEnded:
		return "ended stalled: " + what + " stopped after " + took + " without moving (" + size + ")"
	default:
		return "stalled: " + what + " has not moved for " + took + " (" + size + ")"
	}
}
