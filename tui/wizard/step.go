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

// Flow is what decides where forward and back lead from each step.
type Flow struct {
	// NixInstalled is false when detection found no Nix at all.
	NixInstalled bool
	// SkipQuestions is set by --answers FILE --yes.
	SkipQuestions bool
	// DryRun stops after the review: nothing is written.
	DryRun bool
	// NoSwitch stops after writing.
	NoSwitch bool
}

// Next returns the step that follows s when the person goes forward.
func (f Flow) Next(s Step) Step {
	switch s {
	case StepWelcome:
		if !f.NixInstalled {
			return StepInstall
		}
		if f.SkipQuestions {
			return StepReview
		}
		return StepQuestions
	case StepInstall:
		// After an installer ran, detection runs again on the welcome screen.
		return StepWelcome
	case StepQuestions:
		return StepReview
	case StepReview:
		if f.DryRun {
			return StepDone
		}
		return StepWrite
	case StepWrite:
		if f.NoSwitch {
			return StepDone
		}
		return StepSwitch
	case StepSwitch:
		return StepDone
	}
	return s
}

// Back returns the step that esc leads to from s, and false when going back
// is not possible there (while files are written or the switch runs).
func (f Flow) Back(s Step) (Step, bool) {
	switch s {
	case StepInstall:
		return StepWelcome, true
	case StepQuestions:
		return StepWelcome, true
	case StepReview:
		if f.SkipQuestions {
			return StepWelcome, true
		}
		return StepQuestions, true
	case StepDone:
		// From the summary one can go back to the review, change answers
		// and write again.
		return StepReview, true
	}
	return s, false
}
