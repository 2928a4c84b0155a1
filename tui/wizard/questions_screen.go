package wizard

import (
	"fmt"
	"image/color"
	"reflect"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/tui/theme"
)

// questionPages are the pages of the questions step, in order.
var questionPages = []string{"Who you are", "Where and which release", "Shell and editor", "Modules", "Extras"}

// questionsScreen shows one question page (a huh form) at a time.
type questionsScreen struct {
	idx  int
	form *huh.Form
	// gen counts the forms built; the messages of a form's commands carry
	// it, so a message of an earlier page's form is dropped (see formMsg).
	gen    int
	checks checks
	apply  func(a *flakegen.Answers, dir *string)
	// live is the problem of the focused field's current value, shown as it
	// is typed.
	live string
	// modules is the modules page's part while that page is shown: the
	// screen describes its highlighted flag below the list.
	modules *modulesPart
	width   int
	height  int
	dark    bool
	noColor bool
	home    string
	// root is Options.DirRoot: the directory question refuses any other
	// place.
	root string
}

// start opens a page (0 is the first; -1 the last, for coming back from
// the review) with the answers as they stand.
func (q *questionsScreen) start(a flakegen.Answers, home, dir string, dark, noColor bool, page int) tea.Cmd {
	q.idx = page
	if page < 0 || page >= len(questionPages) {
		q.idx = len(questionPages) - 1
	}
	q.home, q.dark, q.noColor = home, dark, noColor
	return q.build(a, dir)
}

// build makes the form of the current page from the answers.
func (q *questionsScreen) build(a flakegen.Answers, dir string) tea.Cmd {
	var f *huh.Form
	q.modules = nil
	switch q.idx {
	case 0:
		form, p := buildIdentityForm(a)
		f, q.checks, q.apply = form, p.checks, func(a *flakegen.Answers, _ *string) { p.apply(a) }
	case 1:
		form, p := buildPlaceForm(a, dir, q.home, q.root)
		f, q.checks, q.apply = form, p.checks, p.apply
	case 2:
		form, p := buildShellForm(a)
		f, q.checks, q.apply = form, p.checks, func(a *flakegen.Answers, _ *string) { p.apply(a) }
	case 3:
		form, p := buildModulesForm(a, q.modulesListHeight(a), false)
		f, q.checks, q.apply = form, p.checks, func(a *flakegen.Answers, _ *string) { p.apply(a) }
		q.modules = p
	default:
		form, p := buildExtrasForm(a)
		f, q.checks, q.apply = form, p.checks, func(a *flakegen.Answers, _ *string) { p.apply(a) }
	}
	// An embedded form must not quit the program: the root decides.
	f.SubmitCmd, f.CancelCmd = nil, nil
	f = f.WithShowHelp(false).WithTheme(formTheme(q.noColor))
	q.form = f
	q.gen++
	q.live = ""
	cmd := q.tag(f.Init())
	q.pushSize()
	dark := q.dark
	bg := func() tea.Msg { return darkMsg(dark) }
	return tea.Batch(cmd, bg)
}

// formMsg is a message of a question form's command, with the generation
// of the form whose command made it.
//
// huh moves between fields and pages through commands: enter returns a
// command whose message (huh's nextField, then nextGroup) moves the focus.
// Keys arrive faster than those messages when a person types quickly or a
// terminal delivers several keys at once, so the messages of a page that
// has just completed can still be on their way when the next page's form
// is built. Delivered to the new form, a stale "next group" completes a
// page the person never saw (four quick enters on the first page used to
// skip the second), and a stale "next field" after esc moves the focus of
// the page one went back to. Tagging every message of a form's commands
// with the form's generation lets update drop the ones of earlier forms.
type formMsg struct {
	gen int
	msg tea.Msg
}

// teaPackage is the package path of Bubble Tea's own messages.
var teaPackage = reflect.TypeFor[tea.WindowSizeMsg]().PkgPath()

// tag wraps a form's command so that its messages reach only this form.
// Batches and sequences are unpacked and their commands wrapped in turn;
// Bubble Tea's own messages (a window size request, say) go to the program
// untouched, since the program acts on them.
func (q *questionsScreen) tag(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	gen := q.gen
	var wrap func(tea.Cmd) tea.Cmd
	wrap = func(cmd tea.Cmd) tea.Cmd {
		if cmd == nil {
			return nil
		}
		return func() tea.Msg {
			msg := cmd()
			if msg == nil {
				return nil
			}
			if batch, ok := msg.(tea.BatchMsg); ok {
				cmds := make([]tea.Cmd, len(batch))
				for i, c := range batch {
					cmds[i] = wrap(c)
				}
				return tea.BatchMsg(cmds)
			}
			t := reflect.TypeOf(msg)
			if t.PkgPath() == teaPackage && t.Kind() == reflect.Slice && t.Elem() == reflect.TypeFor[tea.Cmd]() {
				// A sequence (its type is not exported): keep the order.
				v := reflect.ValueOf(msg)
				cmds := make([]tea.Cmd, v.Len())
				for i := range cmds {
					cmds[i] = wrap(v.Index(i).Interface().(tea.Cmd))
				}
				if seq := tea.Sequence(cmds...); seq != nil {
					return seq()
				}
				return nil
			}
			if t.PkgPath() == teaPackage {
				return msg
			}
			return formMsg{gen: gen, msg: msg}
		}
	}
	return wrap(cmd)
}

// darkMsg tells a freshly built form whether the background is dark.
func darkMsg(dark bool) tea.Msg {
	if dark {
		return tea.BackgroundColorMsg{Color: color.Black}
	}
	return tea.BackgroundColorMsg{Color: color.White}
}

func formTheme(noColor bool) huh.Theme {
	if noColor {
		return huh.ThemeFunc(huh.ThemeBase)
	}
	return huh.ThemeFunc(huh.ThemeCharm)
}

func (q *questionsScreen) setSize(w, h int) {
	q.width, q.height = w, h
	q.pushSize()
}

// pushSize hands the form the room it has: the root owns the window size.
func (q *questionsScreen) pushSize() {
	if q.form == nil {
		return
	}
	q.form.WithWidth(q.width)
	fm, _ := q.form.Update(tea.WindowSizeMsg{Width: q.width, Height: max(q.height-3, 5)})
	q.form = fm.(*huh.Form)
}

func (q *questionsScreen) setDark(dark bool) tea.Cmd {
	q.dark = dark
	if q.form == nil {
		return nil
	}
	fm, cmd := q.form.Update(darkMsg(dark))
	q.form = fm.(*huh.Form)
	return q.tag(cmd)
}

// questionsResult tells the root what the page did.
type questionsResult int

const (
	questionsStay questionsResult = iota
	questionsDone
	questionsBack
)

// update hands a message to the form; it applies a finished page to the
// answers and moves between pages.
func (q *questionsScreen) update(msg tea.Msg, a *flakegen.Answers, dir *string) (questionsResult, tea.Cmd) {
	if q.form == nil {
		return questionsStay, nil
	}
	if fm, ok := msg.(formMsg); ok {
		if fm.gen != q.gen {
			return questionsStay, nil
		}
		msg = fm.msg
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "esc" {
		q.apply(a, dir)
		if q.idx == 0 {
			return questionsBack, nil
		}
		q.idx--
		return questionsStay, q.build(*a, *dir)
	}
	fm, cmd := q.form.Update(msg)
	q.form = fm.(*huh.Form)
	cmd = q.tag(cmd)
	if q.form.State == huh.StateCompleted {
		q.apply(a, dir)
		q.idx++
		if q.idx >= len(questionPages) {
			q.idx = len(questionPages) - 1
			return questionsDone, cmd
		}
		return questionsStay, tea.Batch(cmd, q.build(*a, *dir))
	}
	q.checkLive()
	return questionsStay, cmd
}

// checkLive validates the focused field's current value.
func (q *questionsScreen) checkLive() {
	q.live = ""
	f := q.form.GetFocusedField()
	if f == nil {
		return
	}
	check, ok := q.checks[f.GetKey()]
	if !ok {
		return
	}
	v, ok := f.GetValue().(string)
	if !ok {
		return
	}
	// After an attempt to move on, huh shows the same problem under the
	// field itself; saying it twice would only add noise.
	if f.Error() != nil {
		return
	}
	if err := check(v); err != nil {
		q.live = err.Error()
	}
}

func (q *questionsScreen) view(st theme.Styles, width, height int) string {
	if q.form == nil {
		return ""
	}
	var b strings.Builder
	// The heading is the page's only title: the forms' groups have none.
	b.WriteString(st.Subtle.Render(fmt.Sprintf("Question page %d of %d:", q.idx+1, len(questionPages))) + " " +
		st.Title.Render(questionPages[q.idx]) + "\n")
	b.WriteString(strings.TrimRight(q.form.View(), "\n"))
	if q.live != "" {
		b.WriteString("\n" + st.Fail.Render("✗ "+wrapText(q.live, width-2)))
	}
	if q.modules != nil {
		b.WriteString("\n" + strings.Join(q.modulesFooter(st, width), "\n"))
	}
	return b.String()
}

// modulesFooter is what the modules page shows below the list: the
// highlighted flag's description, in as many lines as the longest one
// needs so the page does not jump while the cursor moves, then the flags
// that are not offered here and why.
func (q *questionsScreen) modulesFooter(st theme.Styles, width int) []string {
	var lines []string
	if f, ok := q.modules.hoveredFlag(); ok {
		for i, l := range textwrap.Hanging("  ", f.Title+": "+f.Description, width) {
			if i == 0 {
				l = "  " + st.Accent.Render(strings.TrimPrefix(l, "  "))
			}
			lines = append(lines, l)
		}
	}
	for len(lines) < describeLines(q.modules.choices, width) {
		lines = append(lines, "")
	}
	if notes := wizardlogic.ExcludedNotes(q.modules.choices); len(notes) > 0 {
		lines = append(lines, st.Subtle.Render("Not offered on this machine:"))
		for _, n := range notes {
			for _, l := range textwrap.Hanging("• ", n, width) {
				lines = append(lines, st.Subtle.Render(l))
			}
		}
	}
	return lines
}

// describeLines is the number of lines the longest description of an
// offered flag takes at width.
func describeLines(choices []wizardlogic.ModuleChoice, width int) int {
	n := 0
	for _, c := range choices {
		if c.Offered {
			n = max(n, len(textwrap.Hanging("  ", c.Flag.Title+": "+c.Flag.Description, width)))
		}
	}
	return n
}

// modulesListHeight is the room for the modules list (its title and
// description included): the body without the page line and what
// modulesFooter draws below the list, and no more than the list needs.
func (q *questionsScreen) modulesListHeight(a flakegen.Answers) int {
	choices := wizardlogic.ModuleChoices(a)
	offered := 0
	for _, c := range choices {
		if c.Offered {
			offered++
		}
	}
	below := describeLines(choices, q.width)
	if notes := wizardlogic.ExcludedNotes(choices); len(notes) > 0 {
		below++
		for _, n := range notes {
			below += len(textwrap.Hanging("• ", n, q.width))
		}
	}
	// The field's frame (the focus bar) takes two cells of the width.
	need := len(textwrap.Words(modulesHelp, q.width-2)) + offered
	return min(need, q.height-1-below)
}
