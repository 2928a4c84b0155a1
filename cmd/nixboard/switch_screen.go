package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
	"github.com/nixboard/nixboard/tui/switchview"
	"github.com/nixboard/nixboard/tui/theme"
)

// screenConfig is what the standalone live screen shows.
type screenConfig struct {
	title   string
	source  nixlog.LineSource
	run     *nixrun.Run
	state   *nixlog.State
	logPath string
	now     func() time.Time
}

// screenRoot is the tiny root model of `nixboard switch` and `replay`: it
// sizes the switch screen, follows the terminal's background, and quits
// once the run ended and the person pressed q.
type screenRoot struct {
	sv      switchview.Model
	noColor bool
}

func (r screenRoot) Init() tea.Cmd {
	return tea.Batch(r.sv.Init(), tea.RequestBackgroundColor)
}

func (r screenRoot) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		r.sv.SetSize(msg.Width, msg.Height)
		return r, nil
	case tea.BackgroundColorMsg:
		r.sv.SetStyles(theme.New(msg.IsDark(), r.noColor))
		return r, nil
	case tea.KeyPressMsg:
		if r.sv.Done() {
			switch msg.String() {
			case "q", "enter", "esc", "ctrl+c":
				return r, tea.Quit
			}
		}
	}
	var cmd tea.Cmd
	r.sv, cmd = r.sv.Update(msg)
	return r, cmd
}

func (r screenRoot) View() tea.View {
	v := tea.NewView(r.sv.View())
	v.AltScreen = true
	return v
}

// runScreen runs the live screen, then prints the closing line and hints on
// stdout (after the terminal is restored, so they stay in the scrollback).
func runScreen(ctx context.Context, st *stdio, c screenConfig) error {
	noColor := theme.NoColor(st.getenv)
	sv := switchview.New(switchview.Config{
		Source:  c.source,
		Run:     c.run,
		Title:   c.title,
		State:   c.state,
		LogPath: c.logPath,
		Styles:  theme.New(true, noColor),
		Now:     c.now,
	})
	// Signals are nixboard's (signals.go): a stop signal ends ctx, which
	// ends the program and interrupts the run. Bubble Tea's own handler
	// would end the program on its own, in a race with that.
	p := tea.NewProgram(screenRoot{sv: sv, noColor: noColor}, tea.WithContext(ctx), tea.WithInput(st.in), tea.WithOutput(st.out), tea.WithoutSignalHandler())
	final, err := p.Run()
	root, _ := final.(screenRoot)
	if c.run != nil && !root.sv.Done() {
		// However the screen ended, no process of the switch outlives
		// it: Interrupt returns once the run is over, also when ctx
		// started the interrupt already.
		c.run.Interrupt()
	}
	if errors.Is(err, tea.ErrInterrupted) {
		return errInterrupted
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("switch screen: %w", err)
	}
	if !root.sv.Done() {
		return errInterrupted
	}
	res := root.sv.Result()
	return finishPlain(st, res.Diagnosis, res.Summary, res.LogPath)
}
