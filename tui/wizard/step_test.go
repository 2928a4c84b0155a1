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
		flow stepFlow
		from Step
		want Step
	}{
		{"nix present asks questions", stepFlow{NixInstalled: true}, StepWelcome, StepQuestions},
		{"nix missing offers installer", stepFlow{}, StepWelcome, StepInstall},
		{"installer leads back to detection", stepFlow{}, StepInstall, StepWelcome},
		{"--answers --yes skips questions", stepFlow{NixInstalled: true, SkipQuestions: true}, StepWelcome, StepReview},
		{"questions lead to review", stepFlow{NixInstalled: true}, StepQuestions, StepReview},
		{"review writes", stepFlow{NixInstalled: true}, StepReview, StepWrite},
		{"dry run ends after review", stepFlow{DryRun: true}, StepReview, StepDone},
		{"write switches", stepFlow{}, StepWrite, StepSwitch},
		{"--no-switch ends after write", stepFlow{NoSwitch: true}, StepWrite, StepDone},
		{"switch ends", stepFlow{}, StepSwitch, StepDone},
		{"done stays", stepFlow{}, StepDone, StepDone},
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
		flow   stepFlow
		from   Step
		want   Step
		wantOK bool
	}{
		{stepFlow{}, StepWelcome, StepWelcome, false},
		{stepFlow{}, StepInstall, StepWelcome, true},
		{stepFlow{}, StepQuestions, StepWelcome, true},
		{stepFlow{}, StepReview, StepQuestions, true},
		{stepFlow{SkipQuestions: true}, StepReview, StepWelcome, true},
		{stepFlow{}, StepWrite, StepWrite, false},
		{stepFlow{}, StepSwitch, StepSwitch, false},
		{stepFlow{}, StepDone, StepReview, true},
	}
	for _, tt := range tests {
		got, ok := tt.flow.Back(tt.from)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%+v Back(%s) = %s, %v; want %s, %v", tt.flow, tt.from, got, ok, tt.want, tt.wantOK)
		}
	}
}
