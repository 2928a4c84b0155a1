// Package wizard is nixboard's interactive wizard: one root Bubble Tea model
// that walks a person from detection through questions, review, writing and
// the switch to a summary. The plain logic behind each step (the order of
// steps, what to ask on which platform, what the review shows, which
// installer to offer) lives in plain functions and types that tests reach
// without a program.
package wizard

// Step is one screen of the wizard.
type Step int

// The steps in the order a first run visits them.
const (
	StepWelcome Step = iota
	StepInstall
	StepQuestions
	StepReview
	StepWrite
	StepSwitch
	StepDone
)

var stepNames = [...]string{
	StepWelcome:   "welcome",
	StepInstall:   "install-nix",
	StepQuestions: "questions",
	StepReview:    "review",
	StepWrite:     "write",
	StepSwitch:    "switch",
	StepDone:      "done",
}

// String returns the step's name as tests and logs show it.
func (s Step) String() string {
	if s < 0 || int(s) >= len(stepNames) {
		return "unknown"
	}
	return stepNames[s]
}

// Title is the heading a step's screen shows.
func (s Step) Title() string {
	switch s {
	case StepWelcome:
		return "Welcome"
	case StepInstall:
		return "Install Nix"
	case StepQuestions:
		return "Questions"
	case StepReview:
		return "Review"
	case StepWrite:
		return "Write"
	case StepSwitch:
		return "Switch"
	case StepDone:
		return "Done"
	}
	return "?"
}

// stepFlow is what decides where forward and back lead from each step.
type stepFlow struct {
	// NixInstalled is false when detection found no Nix at all.
	NixInstalled bool
	// SkipQuestions is set by --answers FILE --yes.
	SkipQuestions bool
	// DryRun stops after the review: nothing is written.
	DryRun bool
	// NoSwitch stops after writing.
	NoSwitch bool
}

// skips says whether the flow passes over step s going forward.
func (f stepFlow) skips(s Step) bool {
	switch s {
	case StepInstall:
		return f.NixInstalled
	case StepQuestions:
		return f.SkipQuestions
	case StepWrite:
		// A dry run stops after the review: nothing is written.
		return f.DryRun
	case StepSwitch:
		return f.DryRun || f.NoSwitch
	}
	return false
}

// Next returns the step that follows s when the person goes forward: the
// next step of the list (screens.list, in Step order) that the flow does
// not skip. The installer is a detour of the welcome step: after it ran,
// detection runs again on the welcome screen.
func (f stepFlow) Next(s Step) Step {
	if s == StepInstall {
		return StepWelcome
	}
	for n := s + 1; n <= StepDone; n++ {
		if !f.skips(n) {
			return n
		}
	}
	return s
}

// Back returns the step that esc leads to from s, and false when going back
// is not possible there (on the welcome step, while files are written or
// the switch runs). Going back passes over the steps the flow skips and the
// installer's detour; from the summary one goes back to the review, to
// change answers and write again.
func (f stepFlow) Back(s Step) (Step, bool) {
	switch s {
	case StepWelcome, StepWrite, StepSwitch:
		return s, false
	case StepDone:
		return StepReview, true
	}
	for p := s - 1; p >= StepWelcome; p-- {
		if p != StepInstall && !f.skips(p) {
			return p, true
		}
	}
	return s, false
}
