package switchview

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/theme"
)

// StartedMsg is the result of Start: a running switch, or why it could not
// start (no flake.nix, nix missing, git add failed, ...).
type StartedMsg struct {
	Plan nixrun.Plan
	Run  *nixrun.Run
	Err  error
}

// Start plans, prepares and starts a switch in a command, as the wizard
// does after rendering; on StartedMsg without Err, build the screen with
// NewSwitch and pass on its Init. The run lives until it ends or ctx ends
// (cancelling ctx interrupts it like a confirmed Ctrl-C).
func Start(ctx context.Context, opts nixrun.SwitchOptions) tea.Cmd {
	return func() tea.Msg {
		plan, err := nixrun.NewPlan(opts)
		if err != nil {
			return StartedMsg{Err: err}
		}
		if err := nixrun.Prepare(ctx, plan); err != nil {
			return StartedMsg{Plan: plan, Err: err}
		}
		run, err := nixrun.Start(ctx, plan)
		return StartedMsg{Plan: plan, Run: run, Err: err}
	}
}

// NewSwitch is the screen of a switch Start started.
func NewSwitch(msg StartedMsg, styles theme.Styles) Model {
	return New(Config{Source: msg.Run, Run: msg.Run, Title: "switch " + msg.Plan.ConfigName, Styles: styles})
}

// NewDemo is the screen of the embedded demo recording (a real switch of
// nixboard's fixture home-manager) replayed at speed (1 is the recorded
// pace, 0 as fast as possible).
func NewDemo(speed float64, styles theme.Styles) Model {
	return New(Config{Replay: nixrun.DemoReplay(speed), Title: "demo (replay of a fixture switch)", Styles: styles})
}
