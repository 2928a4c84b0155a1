package wizard

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// screen is one step of the wizard. The root model holds the steps in
// order (screens.list) and moves between them with stepFlow; the accessible
// runner walks the same list, so a step added once appears in both.
//
// A screen keeps its own state; what the steps share (the answers, the
// report, the directory, the window size and the styles) is the root's,
// which every method gets.
type screen interface {
	// enter starts the step; from is the step the wizard comes from.
	enter(m *Model, from Step) tea.Cmd
	// update handles a message while the step is shown.
	update(m *Model, msg tea.Msg) tea.Cmd
	// view draws the step's body in the room between the header and the
	// key help.
	view(m *Model, width, height int) string
	// keys are the step's keys, as its key help shows them.
	keys(m *Model) []key.Binding
	// accessible runs the step as line prompts; stop ends the run after
	// it (the person declined, or the run is over).
	accessible(r *plainRun) (stop bool, err error)
}

// pagedScreen is a screen whose body is text in the root's pager: body
// draws it at width, and the pager scrolls it.
type pagedScreen interface {
	screen
	body(m *Model, width int) string
}

// keyTaker is a screen that, while takesKeys, gets every key first, ctrl+c
// included (a running switch asks before it stops).
type keyTaker interface{ takesKeys() bool }

// quitAsker is a screen with its own quit question and its keys.
type quitAsker interface {
	quitQuestion() (string, []key.Binding)
}

// prompter is a screen with a question of its own in front of its key
// help; empty when there is none.
type prompter interface{ prompt() string }

// redetector is a screen that acts on a new detection report while it is
// shown.
type redetector interface{ redetected(m *Model) tea.Cmd }

// screens are the wizard's steps, one screen each.
type screens struct {
	welcome   *welcomeScreen
	install   *installScreen
	questions *questionsScreen
	review    *reviewScreen
	write     *writeScreen
	sw        *switchScreen
	done      *doneScreen
}

func newScreens(dirRoot string) screens {
	return screens{
		welcome:   &welcomeScreen{},
		install:   &installScreen{},
		questions: &questionsScreen{root: dirRoot},
		review:    &reviewScreen{},
		write:     &writeScreen{},
		sw:        &switchScreen{},
		done:      &doneScreen{},
	}
}

// list is the steps in the order a first run visits them: list()[s] is the
// screen of Step s.
func (s screens) list() []screen {
	return []screen{s.welcome, s.install, s.questions, s.review, s.write, s.sw, s.done}
}

// binding is a key binding whose help shows help and desc; keys are the
// keys it matches (help itself when none are given).
func binding(help, desc string, keys ...string) key.Binding {
	if len(keys) == 0 {
		keys = []string{help}
	}
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// bindings turns key help pairs (key, what it does) drawn elsewhere (the
// switch view's) into bindings.
func bindings(pairs [][2]string) []key.Binding {
	out := make([]key.Binding, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, binding(p[0], p[1], strings.Split(p[0], "/")...))
	}
	return out
}

// Keys every step shares.
var (
	keyQuit   = binding("ctrl+c", "quit")
	keyScroll = binding("↑/↓", "scroll", "up", "down")
)
