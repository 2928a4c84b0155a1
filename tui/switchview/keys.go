package switchview

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"

	"github.com/nixboard/nixboard/tui/theme"
)

// KeyMap is the switch screen's keys. The key help is drawn from the same
// bindings the screen matches keys with, so the two cannot disagree.
type KeyMap struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Top, Follow      key.Binding
	NextBuild        key.Binding
	PrevBuild        key.Binding
	AllLog           key.Binding
	// EvalLines shows or hides Nix's "evaluating file" lines in the pane.
	EvalLines key.Binding
	// Stop asks to stop a live run, or ends a replay at once.
	Stop key.Binding
	// Quit closes the screen once the run ended.
	Quit key.Binding
	// Yes confirms the stop; any other key (No in the help) keeps going.
	Yes, No key.Binding

	// scroll is Up and Down as one entry of the help.
	scroll key.Binding
}

// DefaultKeyMap is the screen's keys: arrows and vi keys scroll, tab
// walks through the builds' own logs.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:        key.NewBinding(key.WithKeys("up", "k")),
		Down:      key.NewBinding(key.WithKeys("down", "j")),
		PageUp:    key.NewBinding(key.WithKeys("pgup", "b")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown", "space", " ")),
		Top:       key.NewBinding(key.WithKeys("home", "g")),
		Follow:    key.NewBinding(key.WithKeys("end", "G", "f"), key.WithHelp("f", "follow")),
		NextBuild: key.NewBinding(key.WithKeys("tab", "l"), key.WithHelp("tab", "build log")),
		PrevBuild: key.NewBinding(key.WithKeys("shift+tab", "h")),
		AllLog:    key.NewBinding(key.WithKeys("a", "esc"), key.WithHelp("a", "all")),
		EvalLines: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "evaluation lines")),
		Stop:      key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "stop")),
		Quit:      key.NewBinding(key.WithKeys("q", "enter", "esc", "ctrl+c"), key.WithHelp("q", "quit")),
		Yes:       key.NewBinding(key.WithKeys("y", "Y", "ctrl+c", "enter"), key.WithHelp("y", "stop")),
		No:        key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "continue")),
		scroll:    key.NewBinding(key.WithKeys("up", "k", "down", "j"), key.WithHelp("↑/↓", "scroll")),
	}
}

// Bindings is the key help for what the screen does now, most needed
// first, so a narrow help line that drops its tail keeps them: y/n while
// it asks, then ctrl+c to stop a live run or end a replay, or q once it
// ended.
func (m Model) Bindings() []key.Binding {
	k := m.keys
	if m.confirming {
		return []key.Binding{k.Yes, k.No}
	}
	var first key.Binding
	switch {
	case m.done:
		first = k.Quit
	case m.cfg.Run != nil:
		first = k.Stop
	default:
		first = k.Stop
		first.SetHelp("ctrl+c", "end replay")
	}
	keys := []key.Binding{first, k.scroll, k.NextBuild, k.AllLog, k.Follow}
	if m.hiddenEval > 0 || m.showEval {
		keys = append(keys, k.EvalLines)
	}
	return keys
}

// Keys is Bindings as (key, description) pairs, for an embedder that draws
// its own key help.
func (m Model) Keys() [][2]string {
	var out [][2]string
	for _, b := range m.Bindings() {
		out = append(out, [2]string{b.Help().Key, b.Help().Desc})
	}
	return out
}

// newHelp is the help model drawn in the screen's styles.
func newHelp(st theme.Styles) help.Model { return st.Help("  ") }
