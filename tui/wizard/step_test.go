package wizard

import "testing"

func TestStepNames(t *testing.T) {
	for s := StepWelcome; s <= StepDone; s++ {
		if s.String() == "unknown" || s.Title() == "?" {
			t.Errorf("step %d has no name", s)
		}
	}
	if Step(99).String() != "unknown" {
		t.Errorf("Step(99) = %q", Step(99).String())
	}
}

func TestFlowNext(t *testing.T) {
	tests := []struct {
		name string
		flow Flow
		from Step
		want Step
	}{
		{"nix present asks questions", Flow{NixInstalled: true}, StepWelcome, StepQuestions},
		{"nix missing offers installer", Flow{}, StepWelcome, StepInstall},
		{"installer leads back to detection", Flow{}, StepInstall, StepWelcome},
		{"--answers --yes skips questions", Flow{NixInstalled: true, SkipQuestions: true}, StepWelcome, StepReview},
		{"questions lead to review", Flow{NixInstalled: true}, StepQuestions, StepReview},
		{"review writes", Flow{NixInstalled: true}, StepReview, StepWrite},
		{"dry run ends after review", Flow{DryRun: true}, StepReview, StepDone},
		{"write switches", Flow{}, StepWrite, StepSwitch},
		{"--no-switch ends after write", Flow{NoSwitch: true}, StepWrite, StepDone},
		{"switch ends", Flow{}, StepSwitch, StepDone},
		{"done stays", Flow{}, StepDone, StepDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.flow.Next(tt.from); got != tt.want {
				t.Errorf("Next(%s) = %s, want %s", tt.from, got, tt.want)
			}
		})
	}
}

func TestFlowBack(t *testing.T) {
	tests := []struct {
		flow   Flow
		from   Step
		want   Step
		wantOK bool
	}{
		{Flow{}, StepWelcome, StepWelcome, false},
		{Flow{}, StepInstall, StepWelcome, true},
		{Flow{}, StepQuestions, StepWelcome, true},
		{Flow{}, StepReview, StepQuestions, true},
		{Flow{SkipQuestions: true}, StepReview, StepWelcome, true},
		{Flow{}, StepWrite, StepWrite, false},
		{Flow{}, StepSwitch, StepSwitch, false},
		{Flow{}, StepDone, StepReview, true},
	}
	for _, tt := range tests {
		got, ok := tt.flow.Back(tt.from)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%+v Back(%s) = %s, %v; want %s, %v", tt.flow, tt.from, got, ok, tt.want, tt.wantOK)
		}
	}
}
