package nixrun

import (
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
// fields take the defaults of DefaultLimits.
type Limits struct {
	// TailLines is how many of the newest lines of the whole log are kept.
	TailLines int
	// BuildLines is how many of the newest lines of each build are kept.
	BuildLines int
	// FinishedBuilds is how many finished builds (with their lines) are
	// kept; older ones are forgotten, their counts stay.
	FinishedBuilds int
	// Messages is how many messages of each level are kept.
	Messages int
	// LineBytes is the longest line kept; longer lines are cut.
	LineBytes int
}

// DefaultLimits are the limits NewState uses for zero fields.
var DefaultLimits = Limits{
	TailLines:      2000,
	BuildLines:     200,
	FinishedBuilds: 200,
	Messages:       100,
	LineBytes:      4096,
}

// Options configure a State.
type Options struct {
	Limits Limits
	// Now is the clock (time.Now when nil). Replays and tests pass their own.
	Now func() time.Time
}

// Activity is a running (or finished) nix activity as the screen shows it.
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
}

// BuildStatus says where a single build (activity type 105) stands.
type BuildStatus int

// The states of a build.
const (
	BuildRunning BuildStatus = iota
	BuildSucceeded
	BuildFailed
)

// Build is one derivation build with its own newest log lines.
type Build struct {
	ID     uint64
	Drv    string
	Name   string
	Phase  string
	Status BuildStatus
	Start  time.Time
	End    time.Time
	// Lines is how many log lines the build printed (more than are kept).
	Lines int
}

// Line is one line of the log tail.
type Line struct {
	// Activity is the build (or other activity) that printed the line, 0
	// for messages and plain activation text.
	Activity uint64
	// Kind is KindResult for a build's log line, KindMsg for a nix message
	// and KindText for plain text.
	Kind Kind
	// Level is the message level for KindMsg lines.
	Level int
	// Text is the line as printed, ANSI colour included: pass it through
	// Sanitize before it reaches a terminal.
	Text string
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
	// Builds: done (finished, successful or not), expected in total,
	// running now, failed.
	BuildsDone, BuildsExpected, BuildsRunning, BuildsFailed int
	// Downloads (store paths substituted): done, expected, running.
	DownloadsDone, DownloadsExpected, DownloadsRunning int
	// BytesDone and BytesExpected are bytes transferred and expected.
	BytesDone, BytesExpected int64
	// Rate is the average download rate in bytes per second while
	// downloading.
	Rate float64
	// ActivationStep is the newest "Activating X" step, e.g.
	// "checkLinkTargets".
	ActivationStep string
}

// Summary are the figures of the closing line `switch ok: built N,
// downloaded M (X MiB) in Ts`.
type Summary struct {
	// Built counts derivations built during the whole run.
	Built int
	// Failed counts builds that failed.
	Failed int
	// Downloaded counts store paths actually substituted.
	Downloaded int
	// Bytes is the number of bytes transferred.
	Bytes   int64
	Elapsed time.Duration
}

// Activation is what the plain-text activation output said.
type Activation struct {
	// Started is true once "Starting Home Manager activation" was seen.
	Started bool
	// Steps are the "Activating X" steps in order (X only).
	Steps []string
	// Complete is true when the activation ran to its end (see
	// Diagnose for how a replay decides this).
	Complete bool
	// Errors are activation lines that report a failure.
	Errors []string
}

// State folds the events of a run into what the screen and the diagnosis
// need. Feed it every line, in order; call the accessors from any goroutine:
// State is safe for concurrent use.
type State struct {
	mu sync.Mutex
}

// NewState returns an empty State.
func NewState(opts Options) *State {
	return &State{}
}

// Feed folds one line of the log (without its newline) into the state.
// It never panics, whatever the line holds.
func (s *State) Feed(line []byte) {}

// Finish records the end of the run: the phase becomes done or failed.
// Call it with the diagnosis' OK once the process has exited.
func (s *State) Finish(ok bool) {}

// Header returns where the run stands now.
func (s *State) Header() Header { return Header{} }

// Running returns the activities running now that the screen lists
// (builds, downloads and file transfers), oldest first.
func (s *State) Running() []Activity { return nil }

// LogTail returns the newest n lines of the whole log, oldest first.
func (s *State) LogTail(n int) []Line { return nil }

// Builds returns the running builds and the newest finished ones, in the
// order they started.
func (s *State) Builds() []Build { return nil }

// BuildLog returns the newest lines the build with activity id printed,
// oldest first (nil when the build is unknown or forgotten).
func (s *State) BuildLog(id uint64) []string { return nil }

// Messages returns the kept messages of one level, oldest first.
func (s *State) Messages(level int) []Message { return nil }

// Activation returns what the activation output said so far.
func (s *State) Activation() Activation { return Activation{} }

// Summary returns the figures of the closing line.
func (s *State) Summary() Summary { return Summary{} }

// Stats counts lines the reader could not fully use; they are counted,
// never printed one by one.
type Stats struct {
	Lines        int64
	Malformed    int64
	UnknownTypes int64
	Truncated    int64
}

// Stats returns the reader's counters.
func (s *State) Stats() Stats { return Stats{} }
