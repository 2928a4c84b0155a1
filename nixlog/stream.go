package nixlog

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/internal/textwrap"
)

// StreamSchema is the version of the stream's objects (their "schema"
// field). It changes only when a field changes meaning or goes away; new
// fields may appear within a version.
const StreamSchema = 1

// The kinds of stream events (their "event" field).
const (
	EventStart    = "start"
	EventPhase    = "phase"
	EventProgress = "progress"
	EventFailure  = "failure"
	EventResult   = "result"
	EventStep     = "step"
	EventQuiet    = "quiet"
	EventStall    = "stall"
)

// StreamEvent is one event of a run as both views show it: plain mode
// prints its PlainLines, `--json` writes its JSON on one line. Exactly one
// of the pointers is set, the one Event names.
type StreamEvent struct {
	Event string
	// Elapsed is the time since the run started, by the State's clock
	// (the recording's clock in a replay).
	Elapsed time.Duration

	Start    *StartInfo
	Phase    *PhaseChange
	Progress *ProgressInfo
	Failure  *FailureInfo
	Result   *ResultInfo
	Step     *StepInfo
	Quiet    *QuietInfo
	Stall    *StallInfo
}

// StepInfo is a step before the builds starting or finishing: nix
// evaluating, fetching a flake input, querying the caches.
type StepInfo struct {
	// Step is "evaluate", "fetch" or "query"; State "started" or
	// "finished".
	Step  string `json:"step"`
	State string `json:"state"`
	// What is what it is about: the installable, the path, git
	// repository or URL fetched, the (first) cache queried.
	What string `json:"what,omitempty"`
	// Seconds is how long a finished step took.
	Seconds *float64 `json:"seconds,omitempty"`
	// Paths and Caches count what a query asked about.
	Paths  int `json:"paths,omitempty"`
	Caches int `json:"caches,omitempty"`
	// Bytes is what a finished fetch from a URL downloaded.
	Bytes int64 `json:"bytes,omitempty"`
}

// QuietInfo says the run has printed nothing for a while.
type QuietInfo struct {
	Seconds float64 `json:"seconds"`
	// Doing is what nix was doing, Meaning what the silence may mean.
	Doing   string `json:"doing"`
	Meaning string `json:"meaning"`
}

// StartInfo opens the stream: what runs.
type StartInfo struct {
	// Title is what runs, e.g. "switch alice@laptop" or "replay x.log".
	Title string `json:"title"`
	// Command is the command line a switch runs ("" for a replay), and
	// NixConfig what nixboard adds to NIX_CONFIG for it.
	Command   string `json:"command,omitempty"`
	NixConfig string `json:"nix_config,omitempty"`
}

// PhaseChange is the run entering a phase.
type PhaseChange struct {
	Phase string `json:"phase"`
	// Previous is the phase it left and PreviousSeconds how long that
	// lasted; both are absent on the first phase.
	Previous        string   `json:"previous,omitempty"`
	PreviousSeconds *float64 `json:"previous_seconds,omitempty"`
}

// ProgressInfo is where the run stands.
type ProgressInfo struct {
	Phase     string         `json:"phase"`
	Builds    BuildCounts    `json:"builds"`
	Downloads DownloadCounts `json:"downloads"`
	Bytes     ByteCounts     `json:"bytes"`
	// Rate is the average download rate in bytes per second since the
	// first transfer, absent before one started.
	Rate *float64 `json:"rate,omitempty"`
	// Estimate is the time left in words ("3m10s"), or "unknown";
	// EstimateSeconds the same in seconds, absent when unknown.
	Estimate        string   `json:"estimate"`
	EstimateSeconds *float64 `json:"estimate_seconds,omitempty"`
	// ActivationStep is the newest "Activating X" step.
	ActivationStep string `json:"activation_step,omitempty"`
	// Caches are the caches paths came from, when more than one.
	Caches []CacheCounts `json:"caches,omitempty"`
	// Builders are the machines builds ran on, when more than one.
	Builders []BuilderCounts `json:"builders,omitempty"`

	header Header
}

// BuilderCounts is what one machine built; Machine is "" for this one.
type BuilderCounts struct {
	Machine string `json:"machine"`
	Builds  int    `json:"builds"`
	Running int    `json:"running"`
}

// CacheCounts is what one cache delivered.
type CacheCounts struct {
	URL       string `json:"url"`
	Downloads int    `json:"downloads"`
	Running   int    `json:"running"`
	Bytes     int64  `json:"bytes"`
}

// BuildCounts are derivation builds.
type BuildCounts struct {
	Done     int `json:"done"`
	Expected int `json:"expected"`
	Running  int `json:"running"`
	Failed   int `json:"failed"`
}

// DownloadCounts are store paths substituted from a cache.
type DownloadCounts struct {
	Done     int `json:"done"`
	Expected int `json:"expected"`
	Running  int `json:"running"`
}

// ByteCounts are download bytes: transferred, and expected in total
// (absent while nix has not said).
type ByteCounts struct {
	Done     int64  `json:"done"`
	Expected *int64 `json:"expected,omitempty"`
}

// FailureInfo is a build that failed, with the diagnosis of that build.
type FailureInfo struct {
	Build  FailedBuild `json:"build"`
	Reason string      `json:"reason"`
	Hint   StreamHint  `json:"hint"`
}

// FailedBuild names a failed build.
type FailedBuild struct {
	Name string `json:"name"`
	Drv  string `json:"drv"`
}

// StreamHint is a Hint as the stream writes it.
type StreamHint struct {
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	Fix    string `json:"fix,omitempty"`
	// Code is an evaluation error's code frame, also part of Detail.
	Code []string `json:"code,omitempty"`
}

// ResultInfo is the end of the run: the verdict the screen shows.
type ResultInfo struct {
	OK bool `json:"ok"`
	// Reason is the one-line reason of a failure ("" when OK).
	Reason  string        `json:"reason,omitempty"`
	Hints   []StreamHint  `json:"hints"`
	Summary StreamSummary `json:"summary"`
	// Log is the saved log of a switch ("" for a replay).
	Log string `json:"log,omitempty"`
	// ExitCode is nixboard's exit status.
	ExitCode int `json:"exit_code"`
	// NotALog says a replayed file holds nothing nix or home-manager
	// wrote: no switch was judged, and Reason says so.
	NotALog bool `json:"not_a_log,omitempty"`
}

// StreamSummary are the figures of the closing line.
type StreamSummary struct {
	Built      int     `json:"built"`
	Failed     int     `json:"failed"`
	Downloaded int     `json:"downloaded"`
	Bytes      int64   `json:"bytes"`
	Seconds    float64 `json:"seconds"`
}

// Diagnosis returns the verdict the result carries.
func (r *ResultInfo) Diagnosis() Diagnosis {
	d := Diagnosis{OK: r.OK, Reason: r.Reason, NotALog: r.NotALog}
	for _, h := range r.Hints {
		d.Hints = append(d.Hints, Hint(h))
	}
	return d
}

// seconds is d in seconds, to the millisecond.
func seconds(d time.Duration) float64 {
	return math.Round(d.Seconds()*1000) / 1000
}

// MarshalJSON writes the event as one flat object: "schema", "event" and
// "elapsed", then the fields of its kind.
func (e StreamEvent) MarshalJSON() ([]byte, error) {
	var body any
	switch {
	case e.Start != nil:
		body = e.Start
	case e.Phase != nil:
		body = e.Phase
	case e.Progress != nil:
		body = e.Progress
	case e.Failure != nil:
		body = e.Failure
	case e.Result != nil:
		body = e.Result
	case e.Step != nil:
		body = e.Step
	case e.Quiet != nil:
		body = e.Quiet
	case e.Stall != nil:
		body = e.Stall
	default:
		return nil, fmt.Errorf("stream event %q has no payload", e.Event)
	}
	head, err := json.Marshal(struct {
		Schema  int     `json:"schema"`
		Event   string  `json:"event"`
		Elapsed float64 `json:"elapsed"`
	}{StreamSchema, e.Event, seconds(e.Elapsed)})
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("stream event %s: %w", e.Event, err)
	}
	if len(b) <= 2 {
		return head, nil
	}
	out := append(head[:len(head)-1:len(head)-1], ',')
	return append(out, b[1:]...), nil
}

// PlainLines are the event as plain mode prints it (without escapes).
func (e StreamEvent) PlainLines() []string {
	var out []string
	switch {
	case e.Start != nil:
		if e.Start.Command != "" {
			out = append(out, "running: "+safetext.Line(e.Start.Command))
		}
		if e.Start.NixConfig != "" {
			out = append(out, "with NIX_CONFIG += "+e.Start.NixConfig)
		}
	case e.Phase != nil:
		l := "phase: " + e.Phase.Phase
		if e.Phase.PreviousSeconds != nil {
			l += fmt.Sprintf(" (%s took %s)", e.Phase.Previous,
				Seconds(time.Duration(*e.Phase.PreviousSeconds*float64(time.Second))))
		}
		out = append(out, l)
	case e.Progress != nil:
		l := ProgressLine(e.Progress.header)
		if e.Progress.EstimateSeconds != nil {
			l += ", about " + e.Progress.Estimate + " left"
		}
		if len(e.Progress.Caches) > 1 {
			rows := make([]CacheRow, len(e.Progress.Caches))
			for i, c := range e.Progress.Caches {
				rows[i] = CacheRow(c)
			}
			l += "; " + CacheWords(rows)
		}
		if len(e.Progress.Builders) > 1 {
			rows := make([]BuilderRow, len(e.Progress.Builders))
			for i, b := range e.Progress.Builders {
				rows[i] = BuilderRow(b)
			}
			l += "; " + BuilderWords(rows)
		}
		out = append(out, l)
	case e.Failure != nil:
		out = append(out, "failed: "+e.Failure.Reason+" ("+e.Failure.Hint.Fix+")")
	case e.Step != nil:
		out = append(out, stepLine(e.Step))
	case e.Quiet != nil:
		out = append(out, fmt.Sprintf("no output for %s while %s: %s", Seconds(time.Duration(e.Quiet.Seconds*float64(time.Second))), e.Quiet.Doing, e.Quiet.Meaning))
	case e.Stall != nil:
		out = append(out, stallLine(e.Stall))
	case e.Result != nil:
		r := e.Result
		sum := Summary{Built: r.Summary.Built, Failed: r.Summary.Failed, Downloaded: r.Summary.Downloaded,
			Bytes: r.Summary.Bytes, Elapsed: time.Duration(r.Summary.Seconds * float64(time.Second))}
		out = append(out, ResultLine(r.Diagnosis(), sum))
		out = append(out, HintLines(r.Diagnosis())...)
		if r.Log != "" {
			out = append(out, "full log: "+safetext.Line(r.Log))
		}
	}
	for i, l := range out {
		out[i] = StripANSI(l)
	}
	return out
}

// stepLine is a step event as a plain line: "fetching /x", "fetched /x in
// 0.2s", "queried https://cache.nixos.org for 12 paths in 1.1s".
func stepLine(st *StepInfo) string {
	verbs := map[string][2]string{"evaluate": {"evaluating", "evaluated"}, "fetch": {"fetching", "fetched"}, "query": {"querying", "queried"}}[st.Step]
	if verbs[0] == "" {
		verbs = [2]string{st.Step, st.Step}
	}
	if st.State != "finished" {
		return strings.TrimSpace(verbs[0] + " " + st.What)
	}
	l := strings.TrimSpace(verbs[1] + " " + st.What)
	if st.Caches > 1 {
		l += " and " + textwrap.Count(st.Caches-1, "more cache", "more caches")
	}
	if st.Step == "query" {
		l += " for " + textwrap.Count(st.Paths, "path", "paths")
	}
	if st.Bytes > 0 {
		l += " (" + Size(st.Bytes) + ")"
	}
	if st.Seconds != nil {
		l += " in " + Seconds(time.Duration(*st.Seconds*float64(time.Second)))
	}
	return l
}

// Stream turns a State into the events of its run: the phase changes and
// build failures from the State's journal (in the order and at the time
// they happened, however seldom it is polled), progress when asked, and
// the result. It is the one source of both plain mode and the JSON stream.
// A Stream is used from one goroutine.
type Stream struct {
	s        *State
	now      func() time.Time
	estimate func() Left
	next     int
	// quiet watches for a stretch without output, by the wall clock.
	quiet Quiet
	// phase and phaseAt are the phase of the newest phase event and when
	// it began; started says there was one.
	phase   Phase
	phaseAt time.Duration
	started bool
	// lastProgress is the plain line of the newest progress event.
	lastProgress string
}

// StreamOptions configure a Stream.
type StreamOptions struct {
	// Now is the wall clock the quiet check uses (time.Now when nil):
	// a replay's State follows the recording, but a silence is one the
	// reader waits through.
	Now func() time.Time
	// Estimate returns the time left for a progress event (internal/eta
	// makes it from the builds' recorded durations and the download
	// rate); nil or an unknown Left says "unknown".
	Estimate func() Left
}

// Left is an estimate of the time left: Words as a person reads it
// ("3m10s"), Known false when there is nothing to go on.
type Left struct {
	Known bool
	Left  time.Duration
	Words string
}

// NewStream returns the stream of s's run.
func NewStream(s *State, o StreamOptions) *Stream {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Stream{s: s, now: o.Now, estimate: o.Estimate}
}

// StartEvent is the stream's first event.
func (st *Stream) StartEvent(info StartInfo) StreamEvent {
	return StreamEvent{Event: EventStart, Elapsed: st.s.Header().Elapsed, Start: &info}
}

// Poll returns the events since the last call: the marks recorded (the
// phases, failed builds, steps and stalls), then, when progress is set, a
// progress event unless nothing changed, and a quiet event once the run
// has printed nothing for QuietAfter.
func (st *Stream) Poll(progress bool) []StreamEvent {
	// A stall while nix prints nothing at all is marked by the State's
	// clock now; the others were marked on the line that showed them.
	st.s.checkStalls()
	out := st.marks()
	if progress {
		if e, ok := st.progress(); ok {
			out = append(out, e)
		}
	}
	if d, ok := st.quiet.Check(st.s, st.now()); ok {
		doing, meaning := st.s.Doing()
		out = append(out, StreamEvent{Event: EventQuiet, Elapsed: st.s.Header().Elapsed,
			Quiet: &QuietInfo{Seconds: seconds(d), Doing: doing, Meaning: meaning}})
	}
	return out
}

// Finish returns the last events of a run the State has Finished: the
// remaining marks, the final progress and the result with d's verdict.
func (st *Stream) Finish(d Diagnosis, sum Summary, logPath string, exitCode int) []StreamEvent {
	out := st.marks()
	if e, ok := st.progress(); ok {
		out = append(out, e)
	}
	r := &ResultInfo{OK: d.OK, Reason: d.Reason, Hints: []StreamHint{}, Log: logPath, ExitCode: exitCode, NotALog: d.NotALog,
		Summary: StreamSummary{Built: sum.Built, Failed: sum.Failed, Downloaded: sum.Downloaded, Bytes: sum.Bytes, Seconds: seconds(sum.Elapsed)}}
	if d.OK {
		r.Reason = ""
	}
	for _, h := range d.Hints {
		r.Hints = append(r.Hints, StreamHint(h))
	}
	return append(out, StreamEvent{Event: EventResult, Elapsed: sum.Elapsed, Result: r})
}

func (st *Stream) marks() []StreamEvent {
	marks, next := st.s.MarksSince(st.next)
	st.next = next
	var out []StreamEvent
	var steps []Step
	for _, m := range marks {
		switch m.Kind {
		case MarkStep, MarkStepEnd:
			if steps == nil {
				steps = st.s.allSteps()
			}
			if m.Step < 0 || m.Step >= len(steps) {
				continue
			}
			step := steps[m.Step]
			info := &StepInfo{Step: step.Kind.String(), State: "started", What: step.What, Paths: step.Paths, Caches: step.Caches}
			// A step nix only mentions (Nix 2.8's "using revision")
			// has no activity: it is finished as it starts.
			if m.Kind == MarkStepEnd || step.act == 0 && step.Done {
				took := seconds(step.End - step.Start)
				info.State, info.Seconds, info.Bytes = "finished", &took, step.Bytes
			} else if step.Kind == StepQuery {
				// A query starts asking about one path; the count is
				// the finished event's.
				info.Paths, info.Caches = 0, 0
			}
			out = append(out, StreamEvent{Event: EventStep, Elapsed: m.At, Step: info})
		case MarkPhase:
			pc := &PhaseChange{Phase: m.Phase.String()}
			if st.started {
				took := seconds(m.At - st.phaseAt)
				pc.Previous, pc.PreviousSeconds = st.phase.String(), &took
			}
			st.phase, st.phaseAt, st.started = m.Phase, m.At, true
			out = append(out, StreamEvent{Event: EventPhase, Elapsed: m.At, Phase: pc})
		case MarkStall:
			info := *m.Stall
			out = append(out, StreamEvent{Event: EventStall, Elapsed: m.At, Stall: &info})
		case MarkBuildFailed:
			reason, h := buildFailure(m.Drv, m.Message, st.s.buildLogByDrv(m.Drv, BuildLogHintLines))
			name := m.Name
			if name == "" {
				name = m.Drv
			}
			out = append(out, StreamEvent{Event: EventFailure, Elapsed: m.At, Failure: &FailureInfo{
				Build: FailedBuild{Name: name, Drv: m.Drv}, Reason: reason, Hint: StreamHint(h)}})
		}
	}
	return out
}

// progress returns a progress event, unless its plain line is the one the
// previous progress event had.
func (st *Stream) progress() (StreamEvent, bool) {
	h := st.s.Header()
	caches, builders := st.s.Caches(), st.s.Builders()
	line := ProgressLine(h)
	if len(caches) > 1 {
		line += "; " + CacheWords(caches)
	}
	if len(builders) > 1 {
		line += "; " + BuilderWords(builders)
	}
	if line == st.lastProgress {
		return StreamEvent{}, false
	}
	st.lastProgress = line
	p := progressInfo(h)
	if st.estimate != nil {
		if left := st.estimate(); left.Known && left.Words != "" {
			secs := seconds(left.Left)
			p.Estimate, p.EstimateSeconds = left.Words, &secs
		}
	}
	if len(caches) > 1 {
		for _, c := range caches {
			p.Caches = append(p.Caches, CacheCounts(c))
		}
	}
	if len(builders) > 1 {
		for _, b := range builders {
			p.Builders = append(p.Builders, BuilderCounts(b))
		}
	}
	return StreamEvent{Event: EventProgress, Elapsed: h.Elapsed, Progress: p}, true
}

// CacheWords says what each cache delivered: "from https://cache.nixos.org
// 3 paths (1.2 MiB), from https://x.cachix.org 1 path (0.3 MiB)".
func CacheWords(caches []CacheRow) string {
	parts := make([]string, 0, len(caches))
	for _, c := range caches {
		w := "from " + c.URL + " " + textwrap.Count(c.Downloads, "path", "paths") + " (" + Size(c.Bytes)
		if c.Running > 0 {
			w += fmt.Sprintf(", %d running", c.Running)
		}
		parts = append(parts, w+")")
	}
	return strings.Join(parts, ", ")
}

func progressInfo(h Header) *ProgressInfo {
	p := &ProgressInfo{
		Phase:          h.Phase.String(),
		Builds:         BuildCounts{Done: h.BuildsDone, Expected: h.BuildsExpected, Running: h.BuildsRunning, Failed: h.BuildsFailed},
		Downloads:      DownloadCounts{Done: h.DownloadsDone, Expected: h.DownloadsExpected, Running: h.DownloadsRunning},
		Bytes:          ByteCounts{Done: h.BytesDone},
		Estimate:       "unknown",
		ActivationStep: h.ActivationStep,
		header:         h,
	}
	if h.BytesExpected > 0 {
		exp := h.BytesExpected
		p.Bytes.Expected = &exp
	}
	if h.Rate > 0 {
		r := math.Round(h.Rate)
		p.Rate = &r
	}
	return p
}
