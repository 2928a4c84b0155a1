package nixlog

import (
	"bytes"
	"path"
	"strings"
	"sync"
	"time"
)

// Phase is where a run stands, as the header shows it.
type Phase int

// The phases of a run, in the order they usually come.
const (
	PhaseEvaluating Phase = iota
	PhaseDownloading
	PhaseBuilding
	PhaseActivating
	PhaseDone
	PhaseFailed
)

var phaseNames = [...]string{"evaluating", "downloading", "building", "activating", "done", "failed"}

// String is the word the header shows for the phase.
func (p Phase) String() string {
	if p >= 0 && int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return "unknown"
}

// Limits bound the memory a State uses however long the log is. Zero
// fields take the values of DefaultLimits.
type Limits struct {
	// TailLines is how many of the newest lines of the whole log are kept.
	TailLines int
	// BuildLines is how many of the newest lines of each build are kept.
	BuildLines int
	// FinishedBuilds is how many finished builds (with their lines) are
	// kept; older ones are forgotten, their counts stay. Failed builds are
	// forgotten last.
	FinishedBuilds int
	// Messages is how many messages of each level are kept.
	Messages int
	// LineBytes is the longest line kept; longer lines are cut.
	LineBytes int
	// Activities is how many activities may be open at once; starts beyond
	// it are counted in Stats.Dropped and otherwise ignored.
	Activities int
}

// DefaultLimits are the limits NewState uses for zero fields. With them a
// State holds at most about 30 MiB of lines whatever the log.
var DefaultLimits = Limits{
	TailLines:      2000,
	BuildLines:     200,
	FinishedBuilds: 64,
	Messages:       100,
	LineBytes:      1024,
	Activities:     10000,
}

// maxBuildsWithLogs is how many running builds keep their own lines. Nix
// runs a few dozen builds at once at most; a log that opens more without
// closing them still counts them, but only the first keep lines, so even
// such a log cannot grow the state without bound.
const maxBuildsWithLogs = 64

// Options configure a State.
type Options struct {
	Limits Limits
	// Now is the clock (time.Now when nil). Replays and tests pass their own.
	Now func() time.Time
	// LineClock makes the clock the time of the newest line FeedLines
	// folded (RawLine.At after the start), ignoring Now: a replay read
	// faster than recorded still times each phase and build as recorded,
	// even within one batch.
	LineClock bool
}

// Activity is a running nix activity as the screen shows it.
type Activity struct {
	ID     uint64
	Parent uint64
	Type   ActivityType
	// Text is the activity's description, e.g. "building '/nix/store/…drv'".
	Text string
	// Name is a short name for display: the derivation or store path name
	// without the store directory and hash ("hello-2.12"), or the URL of a
	// file transfer.
	Name string
	// Path is the derivation (build) or store path (copyPath, substitute)
	// the activity is about, or the URI of a file transfer.
	Path  string
	Start time.Time
	// Phase is the build phase (setPhase results), e.g. "buildPhase".
	Phase string
	// Done and Expected are the newest progress of the activity (bytes for
	// transfers and copies).
	Done, Expected int64
	// Moved is when the bytes of a transfer that can stall last changed
	// (its start counts): a file transfer, or a store path copy while no
	// transfer of its NAR runs, which then carries the stall. Zero for
	// other activities and once the run ended. See Stalled (stall.go).
	Moved time.Time
	// Cache is the binary cache a store path copy or its NAR's transfer
	// comes from ("" for other activities).
	Cache string
	// Copy is, for a NAR's transfer, the store path copy it belongs to
	// (its parent on newer Nix; inferred on Nix 2.8), else 0.
	Copy uint64
}

// BuildStatus says where a single build (activity type 105) stands.
type BuildStatus int

// The states of a build.
const (
	BuildRunning BuildStatus = iota
	BuildSucceeded
	BuildFailed
	// BuildCancelled is a build nix stopped because another one failed
	// (without --keep-going): it ended without being built.
	BuildCancelled
)

var buildStatusNames = [...]string{"running", "succeeded", "failed", "cancelled"}

// String names the status.
func (b BuildStatus) String() string {
	if b >= 0 && int(b) < len(buildStatusNames) {
		return buildStatusNames[b]
	}
	return "unknown"
}

// Build is one derivation build.
type Build struct {
	ID     uint64
	Drv    string
	Name   string
	Phase  string
	Status BuildStatus
	Start  time.Time
	// End is zero while the build runs.
	End time.Time
	// Machine is the remote builder nix runs it on ("ssh-ng://mac-mini"),
	// "" on this machine.
	Machine string
	// Lines is how many log lines the build printed (more than are kept).
	Lines int
}

// Line is one line of the log tail.
type Line struct {
	// Activity is the build (or other activity) that printed the line, 0
	// for messages and plain activation text.
	Activity uint64
	// Kind is KindResult for a build's log line, KindMsg for a nix message,
	// KindStart for an activity's description and KindText for plain text.
	Kind Kind
	// Level is the message level of KindMsg lines.
	Level int
	// Text is the line as printed, ANSI colour included: pass it through
	// Sanitize before it reaches a terminal. A message of several lines is
	// one Line with newlines in Text.
	Text string
}

// EvaluatingFile reports whether l is one of the "evaluating file '…'"
// messages Nix prints with -v for every file it reads, hundreds in a
// switch: a log pane hides them unless asked, the saved log keeps them.
func (l Line) EvaluatingFile() bool {
	return l.Kind == KindMsg && l.Level > LvlInfo && strings.HasPrefix(StripANSI(l.Text), "evaluating file ")
}

// Message is a nix message (msg event) kept by level.
type Message struct {
	Level int
	// Text is the message as printed (with ANSI colour); Raw is raw_msg
	// when Nix gave one.
	Text string
	Raw  string
	// File, Line and Column locate an evaluation error.
	File   string
	Line   int
	Column int
}

// Header is what the screen's header needs: where the run stands.
type Header struct {
	Phase   Phase
	Elapsed time.Duration
	// Builds done (successful), expected in total, running now, failed.
	BuildsDone, BuildsExpected, BuildsRunning, BuildsFailed int
	// Downloads (store paths substituted): done, expected, running.
	DownloadsDone, DownloadsExpected, DownloadsRunning int
	// BytesDone and BytesExpected are download bytes transferred and
	// expected.
	BytesDone, BytesExpected int64
	// Rate is the download rate in bytes per second: over the last
	// RateWindow, or since the first download while it is younger; for a
	// finished run, its average.
	Rate float64
	// ActivationStep is the newest "Activating X" step, e.g.
	// "checkLinkTargets".
	ActivationStep string
	// Tool says the run is still building the home-manager command
	// (`nix run`, on a first switch), before home-manager's own build.
	Tool bool
}

// ToolPhase is what the header says while Tool holds.
const ToolPhase = "building the home-manager command"

// PhaseText is the phase in words: ToolPhase while the home-manager
// command is built, else the phase's name.
func (h Header) PhaseText() string {
	if h.Tool && h.Phase != PhaseDone && h.Phase != PhaseFailed && h.Phase != PhaseActivating {
		return ToolPhase
	}
	return h.Phase.String()
}

// Summary are the figures of the closing line `switch ok: built N,
// downloaded M (X MiB) in Ts`.
type Summary struct {
	// Built counts derivations built during the whole run.
	Built int
	// Failed counts builds that failed.
	Failed int
	// Downloaded counts store paths actually substituted; a download that
	// failed and was then built counts as built.
	Downloaded int
	// Bytes is the number of bytes transferred.
	Bytes   int64
	Elapsed time.Duration
}

// Clobber is a file home-manager refused to overwrite.
type Clobber struct {
	// Path is the existing file in the way.
	Path string
	// BackupOf is set when Path is an older backup that backing up
	// BackupOf would clobber ("Existing file 'B' would be clobbered by
	// backing up 'T'").
	BackupOf string
}

// Activation is what the plain-text activation output said.
type Activation struct {
	// Started is true once "Starting Home Manager activation" was seen.
	Started bool
	// Steps are the "Activating X" steps in order (X only).
	Steps []string
	// Complete is true when a step after linkGeneration ran (every
	// home-manager generation has onFilesChange after it) and no
	// activation error followed.
	Complete bool
	// Errors are activation lines that report a failure.
	Errors []string
	// Clobbered are the files that would be clobbered.
	Clobbered []Clobber
	// GPUSetup is the command home-manager's generic Linux GPU module asks
	// the person to run once with sudo ("This non-NixOS system is not yet
	// set up to use the GPU"), or "" when it did not ask. The switch still
	// succeeds; the command is a next step, not a failure.
	GPUSetup string
	// MovedAside are the existing files home-manager moved out of the way
	// to their backup name (-b EXT), in order.
	MovedAside []Moved
	// Home is the home directory the activation linked files into ("" until
	// it says).
	Home string
	// Warnings are what the base layer's activation checks warned about
	// (lines starting ActivationWarningPrefix), without the prefix.
	Warnings []string
}

// ActivationWarningPrefix starts the warnings the base layer's activation
// scripts print (assets/base/base.nix: the Windows Terminal check).
const ActivationWarningPrefix = "nixboard: warning: "

// Moved is an existing file the activation moved aside: From is where it
// was, To its backup.
type Moved struct{ From, To string }

// Stats counts lines the reader could not fully use; they are counted,
// never printed one by one.
type Stats struct {
	Lines     int64
	Malformed int64
	// UnknownTypes counts start and result events of types the reader
	// does not know; UnknownFields counts events with keys it skipped.
	UnknownTypes  int64
	UnknownFields int64
	// Truncated counts lines cut to Limits.LineBytes.
	Truncated int64
	// Dropped counts activities ignored beyond Limits.Activities.
	Dropped int64
	// Slow counts lines decoded by encoding/json instead of the fast path.
	Slow int64
}

// activity is an open activity.
type activity struct {
	id       uint64
	parent   uint64
	typ      ActivityType
	text     string
	path     string
	start    time.Time
	phase    string
	progress [4]int64
	// peak is the largest total nix announced for a builds (104) activity:
	// nix's total counts the derivations it still means to look at, and
	// drops when one turns out to be substituted or already valid.
	peak int64
	// expected holds setExpected results by activity type (realise).
	expected map[ActivityType]int64
	build    *buildRec
	// cache is the cache a queryPathInfo asks or a copyPath copies
	// from; stepOf the activity of the fetch step a file transfer belongs
	// to (prebuild.go).
	cache  string
	stepOf uint64
	isStep bool
	// stalled says a transfer's stall was marked and has not ended;
	// xfers counts the running transfers of a copy's NAR, xferIdx is the
	// index+1 of a transfer or copy in State.openXfers (stall.go). They
	// fit beside isStep.
	stalled bool
	xfers   int16
	xferIdx int32
	// cacheIdx is the index+1 in State.caches of the cache a path
	// download (a file transfer that is not a cache's metadata or a
	// flake input) comes from; 0 for other activities.
	cacheIdx int
	// moved is when the bytes of a transfer or copy last changed, as
	// time since the run started; copyOf the copy a NAR's transfer
	// belongs to (stall.go).
	moved  time.Duration
	copyOf uint64
}

// failedBuild says a is a build nix said failed while its activity is
// still open (Nix 2.8 says so before it stops it): it no longer runs.
func (a *activity) failedBuild() bool {
	return a.typ == ActBuild && a.build != nil && a.build.Status == BuildFailed
}

// buildRec is a build with its ring of newest lines.
type buildRec struct {
	Build
	lines lineRing
	// noLines is set on builds beyond maxBuildsWithLogs running at once.
	noLines bool
	// seq orders builds by start; forgotten is set once forgetBuilds
	// dropped the build, which State.builds then sheds in bulk.
	seq       int
	forgotten bool
}

// lineRing is a build's newest lines.
type lineRing = ring[[]byte]

func pushLine(r *lineRing, text []byte, max int) {
	p := r.slot(max)
	*p = append((*p)[:0], text...)
}

// newestLines returns up to n newest lines of r, oldest first.
func newestLines(r *lineRing, n int) []string {
	if n <= 0 || n > r.len() {
		n = r.len()
	}
	out := make([]string, 0, n)
	r.newest(n, func(b *[]byte) { out = append(out, string(*b)) })
	return out
}

// tailSlot is one line of the overall tail.
type tailSlot struct {
	act   uint64
	kind  Kind
	level int
	text  []byte
}

// State folds the events of a run into what the screen and the diagnosis
// need. Feed it every line in order, from one goroutine at a time; the
// accessors may be called from any goroutine: State is safe for concurrent
// use.
type State struct {
	mu     sync.Mutex
	lim    Limits
	now    func() time.Time
	parser Parser
	// lineNow is the time of the newest line with Options.LineClock (nil
	// without); now reads it.
	lineNow *time.Time

	started  time.Time
	ended    time.Time
	finished bool
	ok       bool

	acts map[uint64]*activity
	// last caches the activity of the previous event: log lines come in
	// runs from the same build.
	last *activity

	tail ring[tailSlot]
	// tailSeq numbers the lines put into the tail, the newest last, so a
	// reader can tell which lines it has already seen (LogTailSince).
	tailSeq uint64

	builds []*buildRec // running and kept finished builds, by start
	// doneBuilds are the kept builds that no longer run, by start: the
	// builds forgetBuilds chooses from, without walking the running ones.
	doneBuilds []*buildRec
	// forgotten counts the forgotten builds still in builds; buildSeq
	// numbers the builds.
	forgotten int
	buildSeq  int
	// runningWithLogs counts running builds that keep their lines.
	runningWithLogs int
	// spareRings are the line buffers of forgotten builds, for reuse.
	spareRings [][][]byte
	buildByDrv map[string]*buildRec

	// Counters folded from activities that stopped.
	finBuilds [4]int64 // builds (104): done, expected, running, failed
	// finBuildsTotal sums the builds of the finished builds (104) sets.
	finBuildsTotal int64
	// plan is how many derivations nix's newest plan ("these 5
	// derivations will be built:") named, until the builds (104) set it
	// announced starts; plans holds each running set's plan by activity
	// id. Nix's own expected count for the set also counts derivations
	// it goes on to substitute, until each download ends; the plan names
	// only what it builds.
	plan         int64
	plans        map[uint64]int64
	finCopies    [4]int64 // copyPaths (103)
	finBytes     int64    // file transfers (101): bytes done
	finNarBytes  int64    // copyPath (100): bytes done
	finExpBytes  int64    // realise setExpected fileTransfer
	seenBuilds   bool     // a builds (104) progress was seen
	seenCopies   bool     // a copyPaths (103) progress was seen
	builtOK      int      // build (105) activities stopped, not failed
	buildsFailed int      // builds marked failed by a message
	copyStops    int      // copyPath (100) activities stopped
	lastPhase    Phase
	lastExit     int
	hasExit      bool

	activationFailed bool
	// lastStep, linked and afterLink follow the activation steps however
	// many there are (Activation.Steps keeps the first maxSteps).
	lastStep  string
	linked    bool
	afterLink bool

	// plainBuilt and plainCopies count builds and downloads announced in
	// plain text; plainBuilds remembers their derivations.
	plainBuilds map[string]struct{}
	plainBuilt  int
	plainCopies int

	msgs map[int]*ring[Message]

	act Activation
	// textErrors are plain lines outside the activation that look like
	// errors ("error: ...").
	textErrors []string
	// events counts the lines that were `@nix` or `@nixboard` events, not
	// plain text.
	events int64
	// toolFirst says the run starts with `nix run …#home-manager`, which
	// builds the home-manager command before home-manager's own build
	// (the saved log's header says so). toolPid is the process id in the
	// activity ids of that first nix (Nix numbers activities from its
	// pid << 32); toolDone is set once another nix client (clientStart)
	// or the activation speaks.
	toolFirst bool
	// keepGoing is set when the run's command line asks nix to go on
	// with the other builds after one fails (--keep-going).
	keepGoing bool
	toolPid   uint64
	toolDone  bool

	// openBuilds and openCopies count the open build (105) and copyPath
	// (100) activities, which livePhase reads on every line.
	openBuilds, openCopies int
	// builtInSet is set once a build started in the newest set of builds
	// (104): a download still open between two of its builds does not
	// take the run back to downloading.
	builtInSet bool
	// curPhase is the phase the newest MarkPhase entered; marks and
	// markSeq are the journal (journal.go).
	curPhase Phase
	marks    ring[Mark]
	markSeq  int

	// steps are what nix did before the builds (prebuild.go), at most
	// maxPreSteps; openRealise counts open realise (102) activities.
	steps        []Step
	stepsDropped int
	openRealise  int

	// Path downloads (downloads.go): caches by first use with the bytes
	// of stopped downloads, the bytes nix announced, the first download's
	// start, and the totals the header showed last.
	caches                   []CacheRow
	announced                int64
	firstPathXfer            time.Time
	shownDone, shownExpected int64
	// builders are the machines builds ran on, by first use (builders.go).
	builders []BuilderRow
	// doneOut is the done figure downloadTotals last returned: an
	// expected total that comes after it is never below it.
	doneOut int64
	// rateSamples are the path download bytes at recent headers (rate).
	rateSamples []rateSample
	// openXfers are the open file transfers and store path copies, the
	// activities that can stall; waitingCopies the copies whose NAR
	// transfer has not started (stall.go).
	openXfers     []*activity
	waitingCopies []*activity

	stats Stats
}

// clientStart reports whether a start event is what a nix client process
// begins with, never a daemon's worker: evaluating the flake, copying its
// source to the store, fetching an input.
func clientStart(e *rawEvent) bool {
	text := skipSGR(e.text)
	return ActivityType(e.typ) == ActFetchTree || bytes.HasPrefix(text, []byte("evaluating ")) || bytes.HasPrefix(text, []byte("copying '"))
}

// header reads the saved log's header: a run that starts with `nix run
// DIR#home-manager` builds the home-manager command first.
func (s *State) header(line []byte) {
	h, ok := ParseRunHeader(line)
	if !ok || len(h.Argv) < 3 {
		return
	}
	if path.Base(h.Argv[0]) == "nix" && h.Argv[1] == "run" && strings.HasSuffix(h.Argv[2], "#home-manager") {
		s.toolFirst = true
	}
	for i, a := range h.Argv {
		if a == "--keep-going" || a == "keep-going" && i > 0 && h.Argv[i-1] == "--option" && i+1 < len(h.Argv) && h.Argv[i+1] == "true" {
			s.keepGoing = true
		}
	}
}

// StopsAfterFailure says whether nix starts no more builds once one
// failed: the run's command line (from nixboard's saved header) does not
// ask for --keep-going. Without a header (a plain capture) it is nix's
// default, true.
func (s *State) StopsAfterFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.keepGoing
}

// looksLikeNixLog reports whether what was fed is output of nix or
// home-manager: an `@nix` event, nixboard's markers, the activation's
// lines, or nix's plain errors.
func (s *State) looksLikeNixLog() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events > 0 || s.act.Started || len(s.act.Steps) > 0 || len(s.textErrors) > 0
}

// NewState returns an empty State; the run's clock starts now.
func NewState(opts Options) *State {
	lim := opts.Limits
	def := DefaultLimits
	for _, p := range []struct {
		v *int
		d int
	}{
		{&lim.TailLines, def.TailLines}, {&lim.BuildLines, def.BuildLines},
		{&lim.FinishedBuilds, def.FinishedBuilds}, {&lim.Messages, def.Messages},
		{&lim.LineBytes, def.LineBytes}, {&lim.Activities, def.Activities},
	} {
		if *p.v <= 0 {
			*p.v = p.d
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	var lineNow *time.Time
	if opts.LineClock {
		base := time.Now()
		lineNow = &base
		now = func() time.Time { return *lineNow }
	}
	s := &State{
		lineNow:     lineNow,
		lim:         lim,
		now:         now,
		started:     now(),
		acts:        make(map[uint64]*activity),
		buildByDrv:  make(map[string]*buildRec),
		plainBuilds: make(map[string]struct{}),
		msgs:        make(map[int]*ring[Message]),
		tail:        ring[tailSlot]{items: make([]tailSlot, 0, lim.TailLines)},
	}
	// Every run starts evaluating; the journal says so from its start.
	s.mark(Mark{Kind: MarkPhase, Phase: PhaseEvaluating})
	return s
}

// Feed folds one line of the log (without its newline) into the state.
// It never panics, whatever the line holds.
func (s *State) Feed(line []byte) {
	s.mu.Lock()
	s.feed(line)
	s.mu.Unlock()
}

// FeedLines folds a batch from a LineSource under one lock.
func (s *State) FeedLines(lines []RawLine) {
	s.mu.Lock()
	for _, l := range lines {
		if s.lineNow != nil {
			*s.lineNow = s.started.Add(l.At)
		}
		s.feed(l.Text)
	}
	s.mu.Unlock()
}

func (s *State) feed(line []byte) {
	s.stats.Lines++
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	e := s.parser.parse(line)
	if e.unknownField {
		s.stats.UnknownFields++
	}
	if e.kind != KindText {
		s.events++
	}
	if s.toolFirst && !s.toolDone && e.id != 0 && e.kind == KindStart {
		switch pid := e.id >> 32; {
		case s.toolPid == 0:
			s.toolPid = pid
		case pid != s.toolPid && clientStart(e):
			// home-manager runs its own nix, which starts by
			// evaluating: the command is built. (A nix-daemon's
			// worker has a pid of its own too, but starts by querying
			// or building.)
			s.toolDone = true
		}
	}
	switch e.kind {
	case KindResult:
		s.result(e)
	case KindStart:
		s.start(e)
	case KindStop:
		s.stop(e.id)
	case KindMsg:
		s.msg(e)
	case KindText:
		s.text(e.text)
	case KindExit:
		s.hasExit = true
		s.lastExit = e.status
	case KindHeader:
		s.header(line)
	case KindTime:
		// Time markers pace a replay; the state has nothing to fold.
	default:
		s.stats.Malformed++
		s.pushTail(0, KindText, 0, line)
	}
	s.stats.Slow = s.parser.fallbacks
	s.notePhase()
}

func (s *State) lookup(id uint64) *activity {
	if s.last != nil && s.last.id == id {
		return s.last
	}
	a := s.acts[id]
	if a != nil {
		s.last = a
	}
	return a
}

func (s *State) clip(text []byte) []byte {
	if len(text) > s.lim.LineBytes {
		s.stats.Truncated++
		return text[:s.lim.LineBytes]
	}
	return text
}

// maxMessageBytes bounds a kept message: evaluation errors quote code and
// traces, so they get more room than a log line.
const maxMessageBytes = 16 << 10

func clipMsg(m []byte) string {
	if len(m) > maxMessageBytes {
		m = m[:maxMessageBytes]
	}
	return string(m)
}

// clipPath bounds a store path or URL; it is kept whole up to 4 KiB so a
// build stays findable by its derivation.
func clipPath(p []byte) string {
	if len(p) > 4096 {
		p = p[:4096]
	}
	return string(p)
}

func (s *State) pushTail(act uint64, kind Kind, level int, text []byte) {
	text = s.clip(text)
	slot := s.tail.slot(s.lim.TailLines)
	s.tailSeq++
	slot.act, slot.kind, slot.level = act, kind, level
	slot.text = append(slot.text[:0], text...)
}

func (s *State) result(e *rawEvent) {
	a := s.lookup(e.id)
	switch ResultType(e.typ) {
	case ResBuildLogLine, ResPostBuildLogLine:
		text := e.str(0)
		if a != nil && a.build != nil {
			if !a.build.noLines {
				pushLine(&a.build.lines, s.clip(text), s.lim.BuildLines)
			}
			a.build.Lines++
		}
		s.pushTail(e.id, KindResult, 0, text)
	case ResProgress:
		if a == nil {
			return
		}
		prev := a.progress[0]
		for k := 0; k < 4; k++ {
			a.progress[k] = e.num(k)
		}
		if a.typ == ActFileTransfer || a.typ == ActCopyPath {
			s.progressed(a, prev)
		}
		switch a.typ {
		case ActBuilds:
			s.seenBuilds = true
			a.peak = max(a.peak, a.progress[1])
		case ActCopyPaths:
			s.seenCopies = true
		}
	case ResSetExpected:
		if a == nil {
			return
		}
		if a.expected == nil {
			a.expected = make(map[ActivityType]int64, 4)
		}
		a.expected[ActivityType(e.num(0))] = e.num(1)
	case ResSetPhase:
		if a != nil {
			a.phase = string(e.str(0))
			if a.build != nil {
				a.build.Phase = a.phase
			}
		}
	case ResFileLinked, ResUntrustedPath, ResCorruptedPath, ResFetchStatus:
		// Known, with nothing the screen shows.
	default:
		s.stats.UnknownTypes++
	}
}

func (s *State) start(e *rawEvent) {
	if _, ok := activityNames[ActivityType(e.typ)]; !ok {
		s.stats.UnknownTypes++
	}
	if len(s.acts) >= s.lim.Activities {
		s.stats.Dropped++
		return
	}
	now := s.now()
	a := &activity{id: e.id, parent: e.parent, typ: ActivityType(e.typ), text: string(s.clip(e.text)), start: now}
	if old := s.acts[e.id]; old != nil {
		s.stop(e.id)
	}
	s.acts[e.id] = a
	s.last = a
	switch a.typ {
	case ActBuilds:
		s.builtInSet = false
		if s.plan > 0 {
			if s.plans == nil {
				s.plans = map[uint64]int64{}
			}
			s.plans[a.id], s.plan = s.plan, 0
		}
	case ActBuild:
		s.openBuilds++
		s.builtInSet = true
		a.path = clipPath(e.str(0))
		s.buildSeq++
		b := &buildRec{Build: Build{ID: e.id, Drv: a.path, Name: storeName(a.path), Status: BuildRunning, Start: now}, seq: s.buildSeq}
		b.Machine = s.noteBuilder(e.str(1))
		if s.runningWithLogs >= maxBuildsWithLogs {
			b.noLines = true
		} else {
			s.runningWithLogs++
			if n := len(s.spareRings); n > 0 {
				b.lines.items = s.spareRings[n-1]
				s.spareRings = s.spareRings[:n-1]
			}
		}
		a.build = b
		s.builds = append(s.builds, b)
		if a.path != "" {
			s.buildByDrv[a.path] = b
		}
		s.lastPhase = PhaseBuilding
	case ActCopyPath, ActSubstitute:
		if a.typ == ActCopyPath {
			s.openCopies++
		}
		a.path = clipPath(e.str(0))
		if s.lastPhase < PhaseDownloading {
			s.lastPhase = PhaseDownloading
		}
	case ActFileTransfer:
		a.path = clipPath(e.str(0))
	case ActQueryPathInfo:
		a.cache = clipPath(e.str(1))
	case ActRealise:
		s.openRealise++
	}
	s.stepOfStart(a, e.text)
	if a.typ == ActFileTransfer && a.stepOf == 0 && isPathDownload(a.path) {
		i := s.cacheRow(cacheOf(a.path))
		s.caches[i].Downloads++
		a.cacheIdx = i + 1
		if s.firstPathXfer.IsZero() {
			s.firstPathXfer = now
		}
	}
	if a.typ == ActFileTransfer || a.typ == ActCopyPath {
		s.transferStarted(a, e)
	}
	if len(e.text) > 0 && e.level <= LvlInfo {
		s.pushTail(e.id, KindStart, e.level, e.text)
	}
}

func (s *State) stop(id uint64) {
	a := s.acts[id]
	if a == nil {
		return
	}
	delete(s.acts, id)
	if s.last == a {
		s.last = nil
	}
	s.stepStopped(a)
	if a.typ == ActFileTransfer || a.typ == ActCopyPath {
		s.transferStopped(a)
	}
	switch a.typ {
	case ActBuilds:
		for k := range a.progress {
			s.finBuilds[k] += a.progress[k]
		}
		// A finished set of builds counts what it built, not what nix
		// once expected.
		s.finBuildsTotal += max(a.progress[1], a.progress[0]+a.progress[3])
		delete(s.plans, a.id)
	case ActCopyPaths:
		for k := range a.progress {
			s.finCopies[k] += a.progress[k]
		}
	case ActFileTransfer:
		s.finBytes += a.progress[0]
		if a.cacheIdx > 0 {
			s.caches[a.cacheIdx-1].Bytes += a.progress[0]
		}
	case ActCopyPath:
		s.openCopies--
		s.finNarBytes += a.progress[0]
		s.copyStops++
	case ActRealise:
		s.openRealise--
		s.finExpBytes += a.expected[ActFileTransfer]
	case ActBuild:
		s.openBuilds--
		b := a.build
		if !b.noLines {
			s.runningWithLogs--
		}
		b.End = s.now()
		switch {
		case b.Status != BuildRunning:
		case s.cancelledBuild():
			b.Status = BuildCancelled
			s.buildFinished(b)
		default:
			b.Status = BuildSucceeded
			s.builtOK++
			s.buildFinished(b)
		}
		s.forgetBuilds()
	}
}

// cancelledBuild reports whether the build whose activity stops now was
// cancelled rather than built. Nix (2.8 and 2.26, direct and through a
// daemon) counts a build done in its builds progress before it stops the
// build's activity; once a build failed, it cancels the others (without
// --keep-going) and stops them uncounted. So a build that stops after a
// failure nix counted and already reported, while nix counts no more
// builds done than the State saw succeed, was cancelled. Without a failure,
// or before nix's message about it, a stop is a success as before. The
// caller holds s.mu.
func (s *State) cancelledBuild() bool {
	if !s.seenBuilds {
		return false
	}
	done, failed := s.finBuilds[0], s.finBuilds[3]
	for _, a := range s.acts {
		if a.typ == ActBuilds {
			done += a.progress[0]
			failed += a.progress[3]
		}
	}
	return failed > 0 && failed <= int64(s.buildsFailed) && done <= int64(s.builtOK)
}

// buildFinished records that b, kept, no longer runs.
func (s *State) buildFinished(b *buildRec) {
	i := len(s.doneBuilds)
	// Builds mostly finish in the order they started.
	for i > 0 && s.doneBuilds[i-1].seq > b.seq {
		i--
	}
	s.doneBuilds = append(s.doneBuilds, nil)
	copy(s.doneBuilds[i+1:], s.doneBuilds[i:])
	s.doneBuilds[i] = b
}

// forgetBuilds drops the oldest finished builds beyond the limit, the
// successful ones first. It looks at the finished builds only (about
// Limits.FinishedBuilds of them), and builds sheds the forgotten ones once
// they are half of it, so a stop costs the same however many builds run.
func (s *State) forgetBuilds() {
	for len(s.doneBuilds) > s.lim.FinishedBuilds {
		victim := 0
		for i, b := range s.doneBuilds {
			if b.Status == BuildSucceeded {
				victim = i
				break
			}
		}
		b := s.doneBuilds[victim]
		s.doneBuilds = append(s.doneBuilds[:victim], s.doneBuilds[victim+1:]...)
		if len(s.spareRings) < 8 && cap(b.lines.items) > 0 {
			s.spareRings = append(s.spareRings, b.lines.recycle())
		}
		b.lines = lineRing{}
		if s.buildByDrv[b.Drv] == b {
			delete(s.buildByDrv, b.Drv)
		}
		b.forgotten = true
		s.forgotten++
	}
	if s.forgotten > 16 && 2*s.forgotten > len(s.builds) {
		kept := s.builds[:0]
		for _, b := range s.builds {
			if !b.forgotten {
				kept = append(kept, b)
			}
		}
		clear(s.builds[len(kept):])
		s.builds = kept
		s.forgotten = 0
	}
}

func (s *State) msg(e *rawEvent) {
	level := e.level
	switch level {
	case LvlTalkative:
		s.noteMessage(level, e.text)
	case LvlInfo:
		s.noteAnnouncement(e.text)
		if n, ok := PlannedBuilds(e.text); ok {
			s.plan += int64(n)
		}
	}
	if level == LvlError && isWarning(e.text) {
		// A nix-daemon hands its own messages to the client as plain
		// text, which the client logs at level 0 whatever they were:
		// "warning: ignoring substitute ..." is still a warning.
		level = LvlWarn
	}
	// Messages above LvlInfo (-v talk) are kept in the tail only; their
	// strings are not made at all.
	if level <= LvlInfo {
		m := Message{Level: level, Text: clipMsg(e.text), Raw: clipMsg(e.rawMsg),
			File: clipPath(e.file), Line: e.line, Column: e.column}
		r := s.msgs[level]
		if r == nil {
			r = &ring[Message]{}
			s.msgs[level] = r
		}
		*r.slot(s.lim.Messages) = m
		if level <= LvlError {
			s.markFailedBuild(m.Text)
		}
	}
	s.pushTail(0, KindMsg, level, e.text)
}

// isWarning reports whether a message's text is a warning (cutWarning).
func isWarning(text []byte) bool {
	_, _, ok := cutWarning(text)
	return ok
}

// cutWarning is the one reading of a warning's prefix, after any colour
// codes: "warning:" (nix's own), "evaluation warning:" (lib.warn on newer
// Nix), or a warning traced at the error level ("trace: warning: ...",
// home-manager's and nixpkgs' builtins.trace). It returns the text after
// the prefix, and eval for the two the evaluation printed.
func cutWarning(text []byte) (body []byte, eval, ok bool) {
	text = skipSGR(text)
	if rest, traced := bytes.CutPrefix(text, []byte("trace: ")); traced {
		text, eval = skipSGR(rest), true
	}
	if rest, found := bytes.CutPrefix(text, []byte("evaluation warning:")); found {
		return rest, true, true
	}
	if rest, found := bytes.CutPrefix(text, []byte("warning:")); found {
		return rest, eval, true
	}
	return nil, false, false
}

// skipSGR drops the colour codes text starts with.
func skipSGR(text []byte) []byte {
	for len(text) > 2 && text[0] == 0x1b && text[1] == '[' {
		end := bytes.IndexByte(text, 'm')
		if end < 0 {
			return text
		}
		text = text[end+1:]
	}
	return text
}

// markFailedBuild marks the build a "builder for '…drv' failed" (or newer
// Nix's "Cannot build '…drv'") message names as failed.
func (s *State) markFailedBuild(text string) {
	drv := failedDrv(text)
	if drv == "" {
		return
	}
	failed := Mark{Kind: MarkBuildFailed, Drv: drv, Name: storeName(drv), Message: text}
	if _, ok := s.plainBuilds[drv]; ok {
		delete(s.plainBuilds, drv)
		s.plainBuilt--
		s.buildsFailed++
		s.mark(failed)
		return
	}
	b := s.buildByDrv[drv]
	if b == nil || b.Status == BuildFailed {
		return
	}
	if b.Status == BuildSucceeded {
		s.builtOK--
	}
	running := b.Status == BuildRunning
	b.Status = BuildFailed
	s.buildsFailed++
	s.mark(failed)
	if running {
		s.buildFinished(b)
	}
}

// maxSteps bounds Activation.Steps; a real activation has a few dozen.
const maxSteps = 1000

var (
	startingActivation = []byte("Starting Home Manager activation")
	activatingPrefix   = []byte("Activating ")
)

func (s *State) text(line []byte) {
	s.pushTail(0, KindText, 0, line)
	plain := line
	if bytes.IndexByte(line, 0x1b) >= 0 {
		plain = []byte(StripANSI(string(line)))
	}
	plain = bytes.TrimSpace(plain)
	switch {
	case len(plain) == 0:
		return
	case bytes.Equal(plain, startingActivation):
		s.act.Started = true
		return
	case bytes.HasPrefix(plain, activatingPrefix) && bytes.IndexByte(plain, ' ') == len(activatingPrefix)-1 &&
		bytes.IndexByte(plain[len(activatingPrefix):], ' ') < 0:
		s.act.Started = true
		step := string(plain[len(activatingPrefix):])
		if len(s.act.Steps) < maxSteps {
			s.act.Steps = append(s.act.Steps, step)
		}
		s.lastStep = step
		switch {
		case step == "linkGeneration":
			s.linked, s.afterLink = true, false
		case s.linked:
			s.afterLink = true
		}
		return
	}
	s.textLine(string(s.clip(plain)))
}

// ensureLimit appends to a bounded list of strings.
func appendBounded(list []string, v string, max int) []string {
	if len(list) >= max {
		return list
	}
	return append(list, v)
}

// Finish records the end of the run: the phase becomes done or failed and
// the elapsed time stops. Call it with the diagnosis' OK once the process
// has exited (or the replay has ended).
func (s *State) Finish(ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.finished {
		s.ended = s.now()
		p := PhaseFailed
		if ok {
			p = PhaseDone
		}
		s.curPhase = p
		s.mark(Mark{Kind: MarkPhase, Phase: p})
	}
	s.finished = true
	s.ok = ok
}

func (s *State) elapsed() time.Duration {
	end := s.ended
	if !s.finished {
		end = s.now()
	}
	if d := end.Sub(s.started); d > 0 {
		return d
	}
	return 0
}

// figures are the counts Header and Summary both show, derived once.
type figures struct {
	// builds: done (successful), failed, running now, and the total.
	built, failed, running, buildsTotal int
	// downloads: done, expected, running now.
	downloaded, downloadsExpected, downloading int
	// bytesDone are file transfer bytes, pathBytes those of path
	// downloads, narBytes store path copy bytes, bytesExpected the bytes
	// the realisations expect to transfer.
	bytesDone, pathBytes, narBytes, bytesExpected int64
}

// figures sums the progress of stopped and open activities.
//
// The build total never goes down while a set of builds (one nix build, or
// the nix run that builds home-manager before it, each a builds activity)
// runs: an open set counts the derivations nix's plan for it named (Nix
// 2.26 prints one), else the largest total nix gave it (which also counts
// derivations it goes on to download, until each download ends), and at
// least the builds done, failed and running. Once the set ends it counts what it
// built. Sets add up, so a second set raises the total and never resets it.
func (s *State) figures() figures {
	builds, copies := s.finBuilds, s.finCopies
	f := figures{bytesDone: s.finBytes, narBytes: s.finNarBytes, bytesExpected: s.finExpBytes}
	for _, c := range s.caches {
		f.pathBytes += c.Bytes
	}
	total := s.finBuildsTotal
	for _, a := range s.acts {
		switch a.typ {
		case ActBuilds:
			for k := range a.progress {
				builds[k] += a.progress[k]
			}
			expected := a.peak
			if p, ok := s.plans[a.id]; ok {
				expected = p
			}
			total += max(expected, a.progress[0]+a.progress[2]+a.progress[3])
		case ActCopyPaths:
			for k := range a.progress {
				copies[k] += a.progress[k]
			}
		case ActFileTransfer:
			f.bytesDone += a.progress[0]
			if a.cacheIdx > 0 {
				f.pathBytes += a.progress[0]
			}
		case ActCopyPath:
			f.narBytes += a.progress[0]
			f.downloading++
		case ActRealise:
			f.bytesExpected += a.expected[ActFileTransfer]
		case ActBuild:
			if !a.failedBuild() {
				f.running++
			}
		}
	}
	// A build that failed stops before the message that says so: until it
	// comes, a build nix already counts as failed is not also successful.
	unmarked := max(0, int(builds[3])-s.buildsFailed)
	f.built = max(int(builds[0]), s.builtOK-unmarked) + s.plainBuilt
	f.failed = max(int(builds[3]), s.buildsFailed)
	// A build nix already counts as done may not have stopped yet: the
	// lower bound takes nix's figures or the activities, not both.
	seen := max(int(builds[0]+builds[2]+builds[3]), s.builtOK+s.buildsFailed+f.running) + s.plainBuilt
	f.buildsTotal = max(int(total), seen, f.built+f.failed)
	// A build nix counts as done while its activity still stops is not
	// also running.
	f.running = min(f.running, f.buildsTotal-f.built-f.failed)
	f.downloaded = int(copies[0])
	if !s.seenCopies {
		f.downloaded = s.copyStops
	}
	f.downloaded += s.plainCopies
	f.downloadsExpected = max(int(copies[1]), f.downloaded+f.downloading)
	return f
}

// Header returns where the run stands now.
func (s *State) Header() Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.figures()
	done, expected := s.downloadTotals(f.pathBytes, f.bytesExpected)
	h := Header{
		Elapsed:           s.elapsed(),
		BytesDone:         done,
		BytesExpected:     expected,
		BuildsDone:        f.built,
		BuildsExpected:    f.buildsTotal,
		BuildsRunning:     f.running,
		BuildsFailed:      f.failed,
		DownloadsDone:     f.downloaded,
		DownloadsExpected: f.downloadsExpected,
		DownloadsRunning:  f.downloading,
	}
	h.Rate = s.rate(done)
	h.ActivationStep = s.lastStep
	h.Tool = s.toolFirst && !s.toolDone && !s.act.Started
	switch {
	case s.finished && s.ok:
		h.Phase = PhaseDone
	case s.finished:
		h.Phase = PhaseFailed
	default:
		// The journal's phase, so the header and the marks never
		// disagree.
		h.Phase = s.livePhase()
	}
	return h
}

// Running returns the activities running now that the screen lists
// (builds, store path copies and file transfers), oldest first.
func (s *State) Running() []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Activity
	for _, a := range s.acts {
		switch a.typ {
		case ActBuild, ActCopyPath, ActFileTransfer, ActPostBuildHook, ActFetchTree:
		default:
			continue
		}
		if a.failedBuild() {
			continue
		}
		name := storeName(a.path)
		if a.typ == ActFileTransfer || name == "" {
			name = a.path
		}
		if name == "" {
			name = a.text
		}
		act := Activity{ID: a.id, Parent: a.parent, Type: a.typ, Text: a.text, Name: name,
			Path: a.path, Start: a.start, Phase: a.phase, Done: a.progress[0], Expected: a.progress[1]}
		s.stallFields(a, &act)
		out = append(out, act)
	}
	sortActivities(out)
	return out
}

func sortActivities(a []Activity) {
	// Insertion sort: the list is as long as the running activities.
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && (a[j].Start.Before(a[j-1].Start) || a[j].Start.Equal(a[j-1].Start) && a[j].ID < a[j-1].ID); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// LogTail returns the newest n lines of the whole log, oldest first (all
// kept lines when n <= 0).
func (s *State) LogTail(n int) []Line {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 || n > s.tail.len() {
		n = s.tail.len()
	}
	out := make([]Line, 0, n)
	s.tail.newest(n, func(t *tailSlot) {
		out = append(out, Line{Activity: t.act, Kind: t.kind, Level: t.level, Text: string(t.text)})
	})
	return out
}

// LogTailSince returns the kept lines of the whole log numbered after seq,
// oldest first, with the number of the newest line (lines are numbered
// from 1 as they arrive) and how many lines are kept in all. A screen that
// shows the tail on every frame reads only the lines it has not seen; when
// fewer lines come back than newest-seq, the older ones were dropped.
func (s *State) LogTailSince(seq uint64) (lines []Line, newest uint64, kept int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept = s.tail.len()
	if seq >= s.tailSeq {
		return nil, s.tailSeq, kept
	}
	n := kept
	if d := s.tailSeq - seq; d < uint64(n) {
		n = int(d)
	}
	lines = make([]Line, 0, n)
	s.tail.newest(n, func(t *tailSlot) {
		lines = append(lines, Line{Activity: t.act, Kind: t.kind, Level: t.level, Text: string(t.text)})
	})
	return lines, s.tailSeq, kept
}

// Builds returns the running builds and the newest finished ones, in the
// order they started.
func (s *State) Builds() []Build {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Build, 0, len(s.builds)-s.forgotten)
	for _, b := range s.builds {
		if !b.forgotten {
			out = append(out, b.Build)
		}
	}
	return out
}

// BuildLog returns the newest n lines the build with activity id printed,
// oldest first (all kept lines when n <= 0; nil when the build is unknown
// or forgotten).
func (s *State) BuildLog(id uint64, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.builds {
		if b.ID == id && !b.forgotten {
			return newestLines(&b.lines, n)
		}
	}
	return nil
}

// Messages returns the kept messages of one level (LvlError to LvlInfo),
// oldest first.
func (s *State) Messages(level int) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.msgs[level]; r != nil {
		return allMessages(r)
	}
	return nil
}

// allMessages returns the kept messages of r, oldest first.
func allMessages(r *ring[Message]) []Message {
	out := make([]Message, 0, r.len())
	r.newest(0, func(m *Message) { out = append(out, *m) })
	return out
}

// Activation returns what the activation output said so far.
func (s *State) Activation() Activation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.activation()
}

func (s *State) activation() Activation {
	a := s.act
	a.Steps = append([]string(nil), a.Steps...)
	a.Errors = append([]string(nil), a.Errors...)
	a.Clobbered = append([]Clobber(nil), a.Clobbered...)
	a.MovedAside = append([]Moved(nil), a.MovedAside...)
	a.Complete = a.Started && s.afterLink && !s.activationFailed
	return a
}

// Summary returns the figures of the closing line.
func (s *State) Summary() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.summary()
}

func (s *State) summary() Summary {
	f := s.figures()
	sum := Summary{Built: f.built, Failed: f.failed, Downloaded: f.downloaded, Bytes: f.bytesDone, Elapsed: s.elapsed()}
	if sum.Bytes == 0 {
		sum.Bytes = f.narBytes
	}
	return sum
}

// ExitStatus returns the exit status recorded by an exit marker in the log
// (see ExitMarker), and whether there was one.
func (s *State) ExitStatus() (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastExit, s.hasExit
}

// Stats returns the reader's counters.
func (s *State) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// StoreName returns the name part of a store path: "hello-2.12" for
// "/nix/store/<hash>-hello-2.12.drv", or "" when p is not a store path.
func StoreName(p string) string { return storeName(p) }

// storeName returns the name part of a store path: "hello-2.12" for
// "/nix/store/<hash>-hello-2.12.drv", or "" when p is not a store path.
func storeName(p string) string {
	const store = "/nix/store/"
	i := len(p) - 1
	for i >= 0 && p[i] != '/' {
		i--
	}
	base := p[i+1:]
	if i < 0 || len(base) < 34 || base[32] != '-' || !bytes.HasSuffix([]byte(p[:i+1]), []byte("/store/")) {
		_ = store
		return ""
	}
	name := base[33:]
	if len(name) > 4 && name[len(name)-4:] == ".drv" {
		name = name[:len(name)-4]
	}
	return name
}
