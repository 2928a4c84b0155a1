// Package nixlog reads what nix and home-manager print during a switch and
// turns it into events, a folded state and a diagnosis. It runs nothing:
// package nixrun starts the processes, and both a live run and a Replay of a
// saved log hand their lines over as a LineSource.
//
// It understands the interleaved stream a `home-manager switch --log-format
// internal-json -v` prints: `@nix {json}` lines from the builds on stderr and
// plain text from the activation on stdout. A State folds it line by line in
// bounded memory; Diagnose turns a failed run into a reason and next steps.
package nixlog

import "strconv"

// Kind says what a line of the log is.
type Kind uint8

// The kinds of lines a log holds.
const (
	// KindText is a plain line that is not an `@nix` event, such as the
	// activation's "Activating checkLinkTargets".
	KindText Kind = iota
	// KindStart is an activity starting (`"action":"start"`).
	KindStart
	// KindStop is an activity stopping (`"action":"stop"`).
	KindStop
	// KindResult is a result of a running activity (`"action":"result"`).
	KindResult
	// KindMsg is a message with a verbosity level (`"action":"msg"`).
	KindMsg
	// KindExit is the marker nixboard appends to the logs it saves, carrying
	// the exit status of the real run (see ExitMarker).
	KindExit
	// KindTime is a time marker nixboard writes into the logs it saves
	// (`@nixboard {"action":"time","ms":N}`); the state ignores it.
	KindTime
	// KindMalformed is an `@nix` line whose JSON could not be read, or whose
	// action is unknown. Its Text holds the line.
	KindMalformed
	// KindHeader is the first line of a log nixboard saves: the command
	// line and environment of the run (HeaderMarker). The state ignores it.
	KindHeader
)

var kindNames = [...]string{"text", "start", "stop", "result", "msg", "exit", "time", "malformed", "header"}

// String names the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// ActivityType is the type of a nix activity (the `type` of a start event).
type ActivityType int

// The activity types Nix defines. Newer Nix versions add more; a reader keeps
// unknown types as they are.
const (
	ActUnknown       ActivityType = 0
	ActCopyPath      ActivityType = 100
	ActFileTransfer  ActivityType = 101
	ActRealise       ActivityType = 102
	ActCopyPaths     ActivityType = 103
	ActBuilds        ActivityType = 104
	ActBuild         ActivityType = 105
	ActOptimiseStore ActivityType = 106
	ActVerifyPaths   ActivityType = 107
	ActSubstitute    ActivityType = 108
	ActQueryPathInfo ActivityType = 109
	ActPostBuildHook ActivityType = 110
	ActBuildWaiting  ActivityType = 111
	ActFetchTree     ActivityType = 112
)

var activityNames = map[ActivityType]string{
	ActUnknown: "unknown", ActCopyPath: "copyPath", ActFileTransfer: "fileTransfer",
	ActRealise: "realise", ActCopyPaths: "copyPaths", ActBuilds: "builds", ActBuild: "build",
	ActOptimiseStore: "optimiseStore", ActVerifyPaths: "verifyPaths", ActSubstitute: "substitute",
	ActQueryPathInfo: "queryPathInfo", ActPostBuildHook: "postBuildHook",
	ActBuildWaiting: "buildWaiting", ActFetchTree: "fetchTree",
}

// String names the activity type as Nix's sources do.
func (t ActivityType) String() string {
	if n, ok := activityNames[t]; ok {
		return n
	}
	return "activity(" + strconv.Itoa(int(t)) + ")"
}

// ResultType is the type of a result event.
type ResultType int

// The result types Nix defines.
const (
	ResFileLinked       ResultType = 100
	ResBuildLogLine     ResultType = 101
	ResUntrustedPath    ResultType = 102
	ResCorruptedPath    ResultType = 103
	ResSetPhase         ResultType = 104
	ResProgress         ResultType = 105
	ResSetExpected      ResultType = 106
	ResPostBuildLogLine ResultType = 107
	ResFetchStatus      ResultType = 108
)

var resultNames = map[ResultType]string{
	ResFileLinked: "fileLinked", ResBuildLogLine: "buildLogLine", ResUntrustedPath: "untrustedPath",
	ResCorruptedPath: "corruptedPath", ResSetPhase: "setPhase", ResProgress: "progress",
	ResSetExpected: "setExpected", ResPostBuildLogLine: "postBuildLogLine", ResFetchStatus: "fetchStatus",
}

// String names the result type as Nix's sources do.
func (t ResultType) String() string {
	if n, ok := resultNames[t]; ok {
		return n
	}
	return "result(" + strconv.Itoa(int(t)) + ")"
}

// Message levels (the `level` of a msg event), as in Nix's Verbosity.
const (
	LvlError     = 0
	LvlWarn      = 1
	LvlNotice    = 2
	LvlInfo      = 3
	LvlTalkative = 4
	LvlChatty    = 5
	LvlDebug     = 6
	LvlVomit     = 7
)

// Field is one element of an event's `fields` array: Nix only puts
// integers and strings there.
type Field struct {
	Int   int64
	Str   string
	IsStr bool
}

// maxFields is how many fields an event keeps; Nix uses at most four.
const maxFields = 8

// Event is one line of the log, decoded.
//
// An Event returned by a Parser is only valid until the parser's next call:
// its Text and string Fields may share the parser's buffers. Copy what you
// keep (State does).
type Event struct {
	Kind Kind
	// ID is the activity id of start, stop and result events. Ids are
	// 64-bit integers and are never decoded through floating point.
	ID uint64
	// Parent is the parent activity of a start event (0 when none).
	Parent uint64
	// Type is the ActivityType of a start event or the ResultType of a
	// result event.
	Type int
	// Level is the verbosity of a msg event and of a start event.
	Level int
	// Text is the text of a start or msg event, the line of a text or
	// malformed event, or the first string field of a result. It keeps
	// ANSI colour codes as Nix printed them; see Sanitize and StripANSI.
	Text string
	// RawMsg, File, Line and Column are set on error messages that carry a
	// position (evaluation errors).
	RawMsg string
	File   string
	Line   int
	Column int
	// Fields are the `fields` of a start or result event.
	Fields []Field
	// Status is the exit status of a KindExit event.
	Status int
	// Millis is the time of a KindTime marker, in milliseconds since the
	// run started.
	Millis int64
}

// Int returns field i as an integer, or 0 when it is missing or a string.
func (e *Event) Int(i int) int64 {
	if i < len(e.Fields) && !e.Fields[i].IsStr {
		return e.Fields[i].Int
	}
	return 0
}

// Str returns field i as a string, or "" when it is missing or an integer.
func (e *Event) Str(i int) string {
	if i < len(e.Fields) && e.Fields[i].IsStr {
		return e.Fields[i].Str
	}
	return ""
}

// ExitMarker returns the line nixboard appends to a log it saves after the
// real run ended, so a replay knows the exit status: `@nixboard
// {"action":"exit","status":N}` followed by a newline. A reader turns it into
// a KindExit event.
func ExitMarker(status int) []byte {
	return []byte(`@nixboard {"action":"exit","status":` + strconv.Itoa(status) + "}\n")
}
