package nixlog

import (
	"bytes"
	"strconv"
	"time"
)

// StepKind says what nix does in a step before the builds.
type StepKind uint8

// The steps nix takes before it builds.
const (
	// StepEvaluate is nix evaluating an installable (Nix 2.26's
	// "evaluating derivation 'REF'"; Nix 2.8 says nothing).
	StepEvaluate StepKind = iota
	// StepFetch is nix fetching a flake (one of its inputs, or the flake
	// itself): copying a path to the store, reading a git repository,
	// downloading and unpacking a tarball, or a fetchTree activity.
	StepFetch
	// StepQuery is nix asking the binary caches which paths they have.
	StepQuery
)

var stepNames = [...]string{"evaluate", "fetch", "query"}

// String names the step kind as the stream writes it.
func (k StepKind) String() string {
	if int(k) < len(stepNames) {
		return stepNames[k]
	}
	return "step(" + strconv.Itoa(int(k)) + ")"
}

// Step is one thing nix did before the builds, with its times.
type Step struct {
	Kind StepKind
	// What is what the step is about: the installable evaluated, the
	// path, git repository or URL fetched, the cache queried (the first
	// one, when there are several).
	What string
	// Paths counts the store paths a query asked about; Caches the
	// caches it asked (StepQuery).
	Paths, Caches int
	// Bytes and Expected are the download progress of a fetch from a URL.
	Bytes, Expected int64
	// Start and End are times since the run started; Done says End is
	// set.
	Start, End time.Duration
	Done       bool

	act    uint64
	caches []string
	// silent is set on a query that asked about no path yet and on a
	// fetch repeating an earlier one: it has no mark and Steps leaves it
	// out.
	silent bool
}

// Took is how long the step ran, until now when it still runs.
func (st Step) Took(now time.Duration) time.Duration {
	if st.Done {
		return st.End - st.Start
	}
	return max(0, now-st.Start)
}

// maxSteps bounds the steps a State keeps; a flake has a few dozen inputs
// at most, and a log that starts fetches for ever is cut.
const maxPreSteps = 256

// The texts of the activities and messages that are steps, as Nix 2.8 and
// 2.26 print them (captured in testdata/logs/*/inputs.log).
var (
	evaluatingDerivation = []byte("evaluating derivation '")
	copyingPrefix        = []byte("copying '")
	gitRevCountPrefix    = []byte("getting Git revision count of '")
	unpackingPrefix      = []byte("unpacking '")
	missingPaths         = []byte("querying info about missing paths")
	usingRevision        = []byte("using revision ")
	ofRepo               = []byte(" of repo '")
	storeDir             = []byte("/nix/store/")
)

// quoted returns the text between the first quote after prefix and the
// last quote of text, without the extra double quotes Nix 2.26 puts around
// a path ("copying '\"/x\"' to the store").
func quoted(text, prefix []byte) []byte {
	rest := text[len(prefix):]
	end := bytes.LastIndexByte(rest, '\'')
	if end < 0 {
		return nil
	}
	rest = rest[:end]
	if len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"' {
		rest = rest[1 : len(rest)-1]
	}
	return rest
}

// stepOfStart records the step an activity start begins, if it is one.
// The caller holds s.mu; a is the activity just opened.
func (s *State) stepOfStart(a *activity, text []byte) {
	n := len(s.steps)
	defer func() {
		if len(s.steps) > n && s.steps[len(s.steps)-1].act == a.id {
			a.isStep = true
		}
	}()
	switch a.typ {
	case ActUnknown:
		switch {
		case bytes.HasPrefix(text, evaluatingDerivation):
			s.addStep(Step{Kind: StepEvaluate, What: string(quoted(text, evaluatingDerivation)), act: a.id})
		case bytes.HasPrefix(text, copyingPrefix):
			// Copies of store paths are nix moving what it already
			// fetched; a path outside the store is a flake or input
			// being fetched.
			// Nix 2.26 also copies what it fetched from a URL through
			// a virtual path ('«http://…»/'): the fetch is recorded.
			if p := quoted(text, copyingPrefix); len(p) > 0 && !bytes.HasPrefix(p, storeDir) && !bytes.HasPrefix(p, []byte("«")) {
				s.addStep(Step{Kind: StepFetch, What: string(bytes.TrimSuffix(p, []byte("/"))), act: a.id})
			}
		case bytes.HasPrefix(text, gitRevCountPrefix):
			s.addStep(Step{Kind: StepFetch, What: string(quoted(text, gitRevCountPrefix)), act: a.id})
		case bytes.HasPrefix(text, unpackingPrefix):
			s.addStep(Step{Kind: StepFetch, What: string(quoted(text, unpackingPrefix)), act: a.id})
		case bytes.Equal(text, missingPaths):
			// Every build queries, mostly for nothing: the step is
			// only shown once it asks a cache about a path.
			s.addStep(Step{Kind: StepQuery, act: a.id, silent: true})
		}
	case ActFetchTree:
		s.addStep(Step{Kind: StepFetch, What: string(text), act: a.id})
	case ActQueryPathInfo:
		q := s.openStep(StepQuery)
		if q == nil {
			s.addStep(Step{Kind: StepQuery, act: a.id, silent: true})
			if q = s.openStep(StepQuery); q == nil {
				return
			}
		}
		q.Paths++
		s.addCache(q, a.cache)
		if q.silent {
			q.silent = false
			s.mark(Mark{Kind: MarkStep, Step: s.stepIndex(q)})
		}
	case ActFileTransfer:
		// A download is a fetch of its own when nothing else explains
		// it: not part of an unpacking (its parent on newer Nix), not a
		// cache query's .narinfo, not a substitution (under realise).
		if s.openRealise > 0 || s.openStep(StepQuery) != nil {
			return
		}
		if p := s.stepOf(a.parent); p != nil && p.Kind == StepFetch && !p.Done {
			a.stepOf = a.parent
			return
		}
		// Nix 2.26 downloads a tarball beside (not under) the step that
		// unpacks it, with the same URL.
		if p := s.openFetch(a.path); p != nil {
			a.stepOf = p.act
			return
		}
		s.addStep(Step{Kind: StepFetch, What: a.path, act: a.id})
		a.stepOf = a.id
	}
}

// noteMessage turns the few messages that are steps into steps: Nix 2.8's
// "using revision R of repo 'P'" is the only sign it read a git input.
func (s *State) noteMessage(level int, text []byte) {
	if level != LvlTalkative || !bytes.HasPrefix(text, usingRevision) {
		return
	}
	i := bytes.Index(text, ofRepo)
	if i < 0 {
		return
	}
	what := quoted(text[i:], ofRepo)
	s.addStep(Step{Kind: StepFetch, What: string(what)})
	st := &s.steps[len(s.steps)-1]
	st.End, st.Done = st.Start, true
}

// openFetch returns the running fetch step of what, or nil.
func (s *State) openFetch(what string) *Step {
	for i := len(s.steps) - 1; i >= 0; i-- {
		if st := &s.steps[i]; st.Kind == StepFetch && !st.Done && st.act != 0 && st.What == what {
			return st
		}
	}
	return nil
}

// addStep records a step starting now, with its mark. A fetch of what an
// earlier step fetched (nix copies a flake again once it wrote the lock
// file, and reads a git repository twice) is kept silent: one input, one
// step.
func (s *State) addStep(st Step) {
	if len(s.steps) >= maxPreSteps {
		s.stepsDropped++
		return
	}
	st.Start = s.sinceStart()
	st.What = clipPath([]byte(st.What))
	if st.Kind == StepFetch {
		for i := range s.steps {
			if s.steps[i].Kind == StepFetch && s.steps[i].What == st.What {
				st.silent = true
				break
			}
		}
	}
	s.steps = append(s.steps, st)
	if !st.silent {
		s.mark(Mark{Kind: MarkStep, Step: len(s.steps) - 1})
	}
}

// stepIndex is the index of st in s.steps.
func (s *State) stepIndex(st *Step) int {
	for i := range s.steps {
		if &s.steps[i] == st {
			return i
		}
	}
	return -1
}

// addCache counts a cache a query asked.
func (s *State) addCache(q *Step, cache string) {
	if cache == "" {
		return
	}
	for _, c := range q.caches {
		if c == cache {
			return
		}
	}
	if len(q.caches) < 8 {
		q.caches = append(q.caches, cache)
	}
	q.Caches++
	if q.What == "" {
		q.What = cache
	}
}

// stepOf returns the step of activity id, or nil.
func (s *State) stepOf(id uint64) *Step {
	if id == 0 {
		return nil
	}
	for i := len(s.steps) - 1; i >= 0; i-- {
		if s.steps[i].act == id {
			return &s.steps[i]
		}
	}
	return nil
}

// openStep returns the newest running step of kind k, or nil.
func (s *State) openStep(k StepKind) *Step {
	for i := len(s.steps) - 1; i >= 0; i-- {
		if st := &s.steps[i]; st.Kind == k && !st.Done && st.act != 0 {
			return st
		}
	}
	return nil
}

// stepStopped ends the step of a stopped activity, with its mark.
func (s *State) stepStopped(a *activity) {
	if !a.isStep && a.stepOf == 0 {
		return
	}
	if a.typ == ActFileTransfer && a.stepOf != 0 {
		if st := s.stepOf(a.stepOf); st != nil {
			st.Bytes, st.Expected = max(st.Bytes, a.progress[0]), max(st.Expected, a.progress[1])
		}
		if a.stepOf != a.id {
			return
		}
	}
	for i := len(s.steps) - 1; i >= 0; i-- {
		if st := &s.steps[i]; st.act == a.id && !st.Done {
			st.End, st.Done = s.sinceStart(), true
			if !st.silent {
				s.mark(Mark{Kind: MarkStepEnd, Step: i})
			}
			return
		}
	}
}

// sinceStart is the time since the run started, by the State's clock.
func (s *State) sinceStart() time.Duration {
	return max(0, s.now().Sub(s.started))
}

// Steps returns what nix did before the builds, in order, with the
// progress of the running fetches; a fetch from a URL has its bytes.
func (s *State) Steps() []Step {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stepsNow()
}

// allSteps returns every kept step, silent ones included, so a mark's
// index finds its step.
func (s *State) allSteps() []Step {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Step, len(s.steps))
	copy(out, s.steps)
	return out
}

func (s *State) stepsNow() []Step {
	out := make([]Step, 0, len(s.steps))
	for _, st := range s.steps {
		if !st.silent {
			st.caches = nil
			out = append(out, st)
		}
	}
	for _, a := range s.acts {
		if a.typ == ActFileTransfer && a.stepOf != 0 {
			for i := range out {
				if out[i].act == a.stepOf && !out[i].Done {
					out[i].Bytes, out[i].Expected = max(out[i].Bytes, a.progress[0]), max(out[i].Expected, a.progress[1])
				}
			}
		}
	}
	return out
}
