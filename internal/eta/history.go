// Package eta answers "how long is left" for a switch: it keeps how long
// each derivation took to build on this machine (History), estimates the
// time left of a run from what remains (Estimator), and reads both from a
// nixlog.State as a run goes (Feed). It is plain logic: the switch screen
// and the JSON stream show what it returns.
package eta

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// HistoryVersion is the version of the builds.json format this package
// writes and reads.
const HistoryVersion = 1

// MaxEntries bounds the derivations a history keeps; beyond it the ones
// seen longest ago are dropped, so the file stays small however many
// different packages a machine builds over the years.
const MaxEntries = 1000

// Samples is how many of the newest durations of each derivation are
// kept; the typical duration is their median, so one slow build (a cold
// cache, a busy machine) does not move it much.
const Samples = 5

// HistoryPath returns where the build history of this machine lives:
// ${XDG_STATE_HOME:-$HOME/.local/state}/nixboard/builds.json in the
// environment getenv reads. Like home-manager, it ignores a relative
// XDG_STATE_HOME; it fails when neither gives an absolute directory.
func HistoryPath(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "nixboard", "builds.json"), nil
	}
	home := getenv("HOME")
	if !filepath.IsAbs(home) {
		return "", errors.New("build history: HOME is not set to an absolute path (nor XDG_STATE_HOME)")
	}
	return filepath.Join(home, ".local", "state", "nixboard", "builds.json"), nil
}

// Key returns the name a derivation's durations are kept under: its
// name without the store directory, the hash, ".drv" and the version, as
// builtins.parseDrvName splits them ("/nix/store/<hash>-hello-2.12.drv"
// is "hello", "python3.12-requests-2.31.0" is "python3.12-requests").
// Successive versions of a package usually take about as long to build,
// so a new version starts with its predecessor's durations.
func Key(drv string) string {
	name := drv
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
		// A store path's base is <32-character hash>-<name>.
		if len(name) > 33 && name[32] == '-' {
			name = name[33:]
		}
	}
	name = strings.TrimSuffix(name, ".drv")
	// parseDrvName: the name ends at the first dash that is followed by
	// something other than a letter.
	for i := 0; i+1 < len(name); i++ {
		if name[i] == '-' && !isLetter(name[i+1]) {
			if i == 0 {
				break
			}
			return name[:i]
		}
	}
	return name
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// entry is one derivation's record in builds.json.
type entry struct {
	// Millis are the newest durations in milliseconds, oldest first.
	Millis []int64 `json:"ms"`
	// Last is when the derivation was last built.
	Last time.Time `json:"last"`
}

// historyFile is builds.json.
type historyFile struct {
	Version int               `json:"version"`
	Builds  map[string]*entry `json:"builds"`
}

// observation is a duration recorded during this run, not yet saved.
type observation struct {
	key string
	d   time.Duration
	at  time.Time
}

// History is the build durations of one machine. It is safe for use from
// several goroutines. Runs of nixboard at the same time each merge what
// they recorded into the file as it is when they save, one at a time
// (an flock on builds.json.lock), and each save replaces the file in one
// rename: the file is never torn and no run's durations are lost. Where
// the lock cannot be taken (a file system without flock) the save goes on
// without it, and then the last writer wins.
type History struct {
	path string
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
	added   []observation
	warning string
	// readOnly is set when the file was written by a newer nixboard:
	// it is read, never replaced.
	readOnly bool
}

// OpenHistory reads the history at path; a missing file is an empty
// history. A file that cannot be read as a history is not an error: the
// history starts afresh, Warning says so once, and the next Save keeps
// the unreadable file next to it as builds.json.corrupt. now is the clock
// of Record's "last seen" times (time.Now when nil).
func OpenHistory(path string, now func() time.Time) (*History, error) {
	if now == nil {
		now = time.Now
	}
	h := &History{path: path, now: now, entries: map[string]*entry{}}
	f, state, err := readHistory(path)
	switch {
	case err != nil:
		return nil, err
	case state == fileCorrupt:
		h.warning = fmt.Sprintf("build history %s is not readable; starting afresh (the old file will be kept as %s.corrupt)", path, filepath.Base(path))
	case state == fileNewer:
		h.warning = fmt.Sprintf("build history %s was written by a newer nixboard (version %d); it is used but not updated", path, f.Version)
		h.readOnly = true
	}
	if f != nil {
		h.entries = f.Builds
	}
	return h, nil
}

type fileState int

const (
	fileOK fileState = iota
	fileMissing
	fileCorrupt
	fileNewer
)

// readHistory reads and checks the file at path. Only a failure to read
// an existing file is an error.
func readHistory(path string) (*historyFile, fileState, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fileMissing, nil
	}
	if err != nil {
		return nil, fileMissing, fmt.Errorf("build history: %w", err)
	}
	var f historyFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version < 1 {
		return nil, fileCorrupt, nil
	}
	if f.Builds == nil {
		f.Builds = map[string]*entry{}
	}
	for k, e := range f.Builds {
		// A hand-edited or damaged entry is dropped, not trusted.
		if e == nil || k == "" || len(e.Millis) == 0 || slices.ContainsFunc(e.Millis, func(ms int64) bool { return ms < 0 }) {
			delete(f.Builds, k)
			continue
		}
		if len(e.Millis) > Samples {
			e.Millis = e.Millis[len(e.Millis)-Samples:]
		}
	}
	if f.Version > HistoryVersion {
		return &f, fileNewer, nil
	}
	return &f, fileOK, nil
}

// Path is the file the history is read from and saved to.
func (h *History) Path() string { return h.path }

// Warning returns what went wrong reading the file ("" when nothing did),
// once: later calls return "".
func (h *History) Warning() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.warning
	h.warning = ""
	return w
}

// Typical returns the typical build duration of the derivation with the
// given key (see Key): the median of its newest durations, and false when
// it was never seen.
func (h *History) Typical(key string) (time.Duration, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.entries[key]
	if e == nil || len(e.Millis) == 0 {
		return 0, false
	}
	return median(e.Millis), true
}

// median is the median of ms as a duration; the mean of the two middle
// values for an even count.
func median(ms []int64) time.Duration {
	s := slices.Clone(ms)
	slices.Sort(s)
	n := len(s)
	m := s[n/2]
	if n%2 == 0 {
		m = (s[n/2-1] + s[n/2]) / 2
	}
	return time.Duration(m) * time.Millisecond
}

// Record adds a successful build's duration under key. It is kept in
// memory (Typical sees it at once) until Save writes it.
func (h *History) Record(key string, d time.Duration) {
	if key == "" || d < 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	at := h.now()
	h.added = append(h.added, observation{key: key, d: d, at: at})
	addTo(h.entries, key, d, at)
	prune(h.entries)
}

// addTo appends one duration to key's entry in m.
func addTo(m map[string]*entry, key string, d time.Duration, at time.Time) {
	e := m[key]
	if e == nil {
		e = &entry{}
		m[key] = e
	}
	e.Millis = append(e.Millis, d.Milliseconds())
	if len(e.Millis) > Samples {
		e.Millis = slices.Delete(e.Millis, 0, len(e.Millis)-Samples)
	}
	if at.After(e.Last) {
		e.Last = at
	}
}

// prune drops the entries seen longest ago beyond MaxEntries.
func prune(m map[string]*entry) {
	if len(m) <= MaxEntries {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := m[keys[i]].Last, m[keys[j]].Last
		if !a.Equal(b) {
			return a.Before(b)
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys[:len(keys)-MaxEntries] {
		delete(m, k)
	}
}

// Save merges the durations recorded since the last Save into the file as
// it is now (another nixboard may have saved meanwhile) and replaces it
// atomically. An unreadable file is kept as builds.json.corrupt first.
func (h *History) Save() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.readOnly {
		return nil
	}
	if len(h.added) == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(h.path), 0o755); err != nil {
		return fmt.Errorf("build history: %w", err)
	}
	if unlock, err := lockFile(h.path + ".lock"); err == nil {
		defer unlock()
	}
	f, state, err := readHistory(h.path)
	if err != nil {
		return err
	}
	switch state {
	case fileNewer:
		h.readOnly = true
		return nil
	case fileCorrupt:
		if err := os.Rename(h.path, h.path+".corrupt"); err != nil {
			return fmt.Errorf("build history: keep the unreadable file: %w", err)
		}
		f = nil
	}
	if f == nil {
		f = &historyFile{Builds: map[string]*entry{}}
	}
	f.Version = HistoryVersion
	for _, o := range h.added {
		addTo(f.Builds, o.key, o.d, o.at)
	}
	prune(f.Builds)
	data, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("build history: %w", err)
	}
	if err := writeAtomic(h.path, append(data, '\n')); err != nil {
		return err
	}
	h.added = h.added[:0]
	h.entries = f.Builds
	return nil
}

// writeAtomic replaces path with data: it writes a temporary file in the
// same directory, syncs it and renames it over path, so a reader (or a
// crash) sees the old file or the new one, never part of one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("build history: %w", err)
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(name, path)
	}
	if werr != nil {
		os.Remove(name)
		return fmt.Errorf("build history: write %s: %w", path, werr)
	}
	return nil
}

// lockFile takes an exclusive flock on path (creating it), blocking until
// another nixboard's save released it, and returns its release.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
