package wizard

import (
	"fmt"
	"image/color"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/tui/theme"
)

// enter builds the form from the answers as they stand. Coming back from
// the review leads to the last page, as esc on any page leads to the page
// before it.
func (q *questionsScreen) enter(m *Model, from Step) tea.Cmd {
	page := 0
	if from == StepReview {
		page = -1
	}
	if m.report != nil {
		q.login = m.report.User.Name
	}
	q.waiting = false
	q.src = m.teamSourceFor(m.answers)
	eval := m.evaluateBase(m.answers)
	return tea.Batch(eval, q.start(m.answers, m.home(), m.dir, m.isDark, m.opts.NoColor, page))
}

func (q *questionsScreen) update(m *Model, msg tea.Msg) tea.Cmd {
	if _, ok := msg.(baseEvaluatedMsg); ok {
		// While the team's pages wait, they come now; otherwise the next
		// page the person opens is built with them (building the page
		// they are on again would move the focus under their fingers).
		if q.waiting && m.teamSourceFor(m.answers) != nil {
			return q.teamReady(m)
		}
		return nil
	}
	if q.waiting {
		return q.updateWaiting(m, msg)
	}
	idx := q.idx
	res, cmd := q.handle(msg, &m.answers, &m.dir)
	switch res {
	case questionsBack:
		return tea.Batch(cmd, m.back())
	case questionsDone:
		if m.answers.Base != nil && q.src == nil {
			// The team's pages need its declarations.
			if m.teamSourceFor(m.answers) != nil {
				return tea.Batch(cmd, q.teamReady(m))
			}
			q.waiting = true
			return tea.Batch(cmd, m.evaluateBase(m.answers))
		}
		return tea.Batch(cmd, m.forward())
	}
	if q.idx != idx && q.src != m.teamSourceFor(m.answers) || q.idx != idx && baseKey(m.answers.Base) != q.builtFor {
		// The base layer answer, or the declarations that arrived,
		// changed the pages: build them again, on the page the person went
		// to, with the release the team pins.
		if q.src == nil && m.teamSourceFor(m.answers) != nil {
			pinRelease(&m.answers, m.teamSourceFor(m.answers).hints)
		}
		q.src = m.teamSourceFor(m.answers)
		return tea.Batch(cmd, m.evaluateBase(m.answers), q.start(m.answers, q.home, m.dir, q.dark, q.noColor, q.idx))
	}
	return cmd
}

// teamReady builds the form again with the team's pages, on the first of
// them; a team that asks nothing goes on to the review.
func (q *questionsScreen) teamReady(m *Model) tea.Cmd {
	q.waiting = false
	q.src = m.teamSourceFor(m.answers)
	cmd := q.start(m.answers, q.home, m.dir, q.dark, q.noColor, teamPagesBefore)
	if len(q.values.pages()) <= teamPagesBefore {
		q.values.apply(&m.answers, &m.dir)
		return tea.Batch(cmd, m.forward())
	}
	return cmd
}

// updateWaiting handles keys while the team's pages wait for its
// declarations: esc goes back to the base layer question, and once the
// evaluation failed, b goes on with the built-in layer.
func (q *questionsScreen) updateWaiting(m *Model, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch k.String() {
	case "esc":
		q.waiting = false
		return q.start(m.answers, q.home, m.dir, q.dark, q.noColor, fieldPage[keyBase])
	case "b":
		if m.baseEval.err == nil {
			return nil
		}
		q.waiting = false
		m.answers.Base = nil
		q.src = nil
		return q.start(m.answers, q.home, m.dir, q.dark, q.noColor, fieldPage[keyModules])
	}
	return nil
}

func (q *questionsScreen) view(m *Model, width, _ int) string {
	status := m.baseStatus(m.answers, m.styles)
	if q.waiting {
		return q.drawWaiting(m, width, status)
	}
	out := q.draw(m.styles, width)
	if status != "" {
		out += "\n\n" + wrapText(status, width)
	}
	return out
}

// drawWaiting is the page between the shell page and the team's pages
// while the declarations are evaluated, or the failure with the way on.
func (q *questionsScreen) drawWaiting(m *Model, width int, status string) string {
	st := m.styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Your team's questions") + "\n\n")
	b.WriteString(wrapText(status, width) + "\n")
	if m.baseEval.err != nil {
		b.WriteString("\n" + wrapText("nixboard expects "+m.answers.Base.Flake+" to be a flake whose output "+m.answers.Base.Module+" is a home-manager module declaring homeBase options. Press b to go on with nixboard's built-in base layer, or esc to change the base layer.", width))
	}
	return b.String()
}

var questionsKeys = []key.Binding{
	binding("enter", "next"),
	binding("tab/shift+tab", "field", "tab", "shift+tab"),
	binding("esc", "back"),
	keyQuit,
}

func (q *questionsScreen) keys(m *Model) []key.Binding {
	if q.waiting {
		if m.baseEval.err != nil {
			return []key.Binding{binding("b", "built-in layer"), binding("esc", "change the base"), keyQuit}
		}
		return []key.Binding{binding("esc", "back"), keyQuit}
	}
	return questionsKeys
}

// accessible asks the questions form as line prompts.
func (q *questionsScreen) accessible(r *plainRun) (bool, error) {
	if err := r.askQuestions(); err != nil {
		return true, err
	}
	r.o.Dir = r.dir
	return false, nil
}

// questionsScreen shows the questions form one page (one group) at a time.
type questionsScreen struct {
	// login is the user name detection found ($USER), which the user name
	// question compares with.
	login  string
	form   *huh.Form
	values *questionValues
	// idx is the page of the focused field.
	idx int
	// gen counts the pages shown: it grows whenever a form is built or the
	// form's page changes. The messages of the form's commands carry it,
	// so a message sent for an earlier page is dropped (see formMsg).
	gen int
	// live is the problem of the focused field's current value, shown as it
	// is typed.
	live    string
	width   int
	height  int
	dark    bool
	noColor bool
	home    string
	// root is Options.DirRoot: the directory question refuses any other
	// place.
	root string
	// src is the team base's declarations the form was built with (nil:
	// the built-in layer, or not evaluated yet), builtFor the base it was
	// built for. waiting is set while the team's pages wait for them.
	src      *teamSource
	builtFor string
	waiting  bool
}

// formKeys is huh's key map without the select lists' filter: the lists are
// a few entries long, and a filter started by a typed "/" would take the
// question's title and, matching nothing, empty the list, with no key help
// to say so (the wizard draws its own). A binding without keys never
// matches, whatever huh enables.
func formKeys() *huh.KeyMap {
	km := huh.NewDefaultKeyMap()
	km.Select.Filter = key.NewBinding()
	km.MultiSelect.Filter = key.NewBinding()
	return km
}

// start builds the form from the answers as they stand and opens a page
// (0 is the first; -1 the last, for coming back from the review).
func (q *questionsScreen) start(a flakegen.Answers, home, dir string, dark, noColor bool, page int) tea.Cmd {
	q.home, q.dark, q.noColor = home, dark, noColor
	f, v := buildQuestionsForm(a, dir, q.home, q.root, q.modulesListHeight(a), false, q.src)
	q.builtFor = baseKey(a.Base)
	if pages := len(v.pages()); page < 0 || page >= pages {
		page = pages - 1
	}
	v.login = q.login
	v.followShell()
	// An embedded form must not quit the program: the root decides.
	f.SubmitCmd, f.CancelCmd = nil, nil
	f = f.WithShowHelp(false).WithTheme(formTheme(q.noColor)).WithKeyMap(formKeys())
	q.form, q.values = f, v
	q.gen++
	q.live = ""
	// Init's command is a sequence of the first group's focus and Bubble
	// Tea's window size request: it goes to the program untagged, and its
	// messages (a cursor blink, a field refresh) are harmless on any page.
	initCmd := f.Init()
	moved := make([]tea.Cmd, 0, page)
	for range page {
		moved = append(moved, f.NextGroup())
	}
	q.idx = q.page()
	q.pushSize()
	bg := func() tea.Msg { return darkMsg(dark) }
	return tea.Batch(initCmd, q.tag(tea.Batch(moved...)), bg)
}

// page is the page of the focused field.
func (q *questionsScreen) page() int {
	if p, ok := q.values.pageOf(q.focusedKey()); ok {
		return p
	}
	return q.idx
}

// focusedKey is the key of the focused field.
func (q *questionsScreen) focusedKey() string {
	if f := q.form.GetFocusedField(); f != nil {
		return f.GetKey()
	}
	return ""
}

// formMsg is a message of the questions form's command, with the
// generation of the page that was shown when the form returned the
// command.
//
// huh moves between fields and pages through commands: enter returns a
// command whose message (huh's nextField, then nextGroup) moves the focus.
// Keys arrive faster than those messages when a person types quickly or a
// terminal delivers several keys at once, so the messages of a page that
// has just been left can still be on their way when the next page shows.
// Delivered, a stale "next group" completes a page the person never saw
// (four quick enters on the first page used to skip the second), and a
// stale "next field" after esc moves the focus of the page one went back
// to. Tagging every message of the form's commands with the page's
// generation lets update drop the ones of pages already left.
type formMsg struct {
	gen int
	msg tea.Msg
}

// tag wraps a command of the form's so that its messages reach the form
// only while the page they were sent for is shown. A batch is unpacked and
// its commands wrapped in turn (tea.BatchMsg is exported). Every other
// message is wrapped: huh's Update (v2.0.3) returns no command of Bubble
// Tea's own (no sequence, no window size request: those come from Init,
// which is not tagged; the external editor, which execs, is off). Should a
// later huh return one, the program would never see it and the focus would
// stop moving, which every driver test of the questions catches.
func (q *questionsScreen) tag(cmd tea.Cmd) tea.Cmd {
	gen := q.gen
	var wrap func(tea.Cmd) tea.Cmd
	wrap = func(cmd tea.Cmd) tea.Cmd {
		if cmd == nil {
			return nil
		}
		return func() tea.Msg {
			switch msg := cmd().(type) {
			case nil:
				return nil
			case tea.BatchMsg:
				cmds := make([]tea.Cmd, len(msg))
				for i, c := range msg {
					cmds[i] = wrap(c)
				}
				return tea.BatchMsg(cmds)
			default:
				return formMsg{gen: gen, msg: msg}
			}
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
	q.updateForm(tea.WindowSizeMsg{Width: q.width, Height: max(q.height-3, 5)})
}

// updateForm hands msg to the form and keeps the form it returns.
func (q *questionsScreen) updateForm(msg tea.Msg) tea.Cmd {
	m, cmd := q.form.Update(msg)
	if f, ok := m.(*huh.Form); ok {
		q.form = f
	}
	return cmd
}

func (q *questionsScreen) setDark(dark bool) tea.Cmd {
	q.dark = dark
	if q.form == nil {
		return nil
	}
	return q.tag(q.updateForm(darkMsg(dark)))
}

// questionsResult tells the root what the form did.
type questionsResult int

const (
	questionsStay questionsResult = iota
	questionsDone
	questionsBack
)

// handle hands a message to the form. Leaving a page applies the form's
// values to the answers, as finishing the form does.
func (q *questionsScreen) handle(msg tea.Msg, a *flakegen.Answers, dir *string) (questionsResult, tea.Cmd) {
	if q.form == nil {
		return questionsStay, nil
	}
	if fm, ok := msg.(formMsg); ok {
		if fm.gen != q.gen {
			return questionsStay, nil
		}
		msg = fm.msg
	}
	var cmd tea.Cmd
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "esc" {
		if q.idx == 0 {
			q.values.apply(a, dir)
			return questionsBack, nil
		}
		// Esc leads to the page before, at its first field, as a page
		// always opens (shift+tab on a first field leads to the last
		// field of the page before).
		cmds := []tea.Cmd{q.form.PrevGroup()}
		keys := q.values.pages()[q.idx-1].keys
		for i := 0; i < len(keys) && q.page() == q.idx-1 && q.focusedKey() != keys[0]; i++ {
			cmds = append(cmds, q.form.PrevField())
		}
		cmd = tea.Batch(cmds...)
		if q.page() == q.idx {
			// huh does not leave a page whose field shows a problem; esc
			// always did: keep the values and open the page before.
			q.values.apply(a, dir)
			q.src = q.srcFor(*a)
			return questionsStay, q.start(*a, q.home, *dir, q.dark, q.noColor, q.idx-1)
		}
	} else {
		cmd = q.updateForm(msg)
	}
	if p := q.page(); p != q.idx {
		q.idx = p
		q.gen++
		q.values.apply(a, dir)
	}
	q.values.followShell()
	cmd = q.tag(cmd)
	if q.form.State == huh.StateCompleted {
		q.values.apply(a, dir)
		return questionsDone, cmd
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
	check, ok := q.values.checks[f.GetKey()]
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

// draw is the page's heading, the form's page and what goes below it.
func (q *questionsScreen) draw(st theme.Styles, width int) string {
	if q.form == nil {
		return ""
	}
	var b strings.Builder
	// The heading is the page's only title: the forms' groups have none.
	pages := q.values.pages()
	b.WriteString(st.Subtle.Render(fmt.Sprintf("Question page %d of %d:", q.idx+1, len(pages))) + " " +
		st.Title.Render(pages[q.idx].title) + "\n")
	if t := q.values.team; t != nil && q.idx == teamPagesBefore && t.src.hints.Welcome != "" {
		// The team's own welcome opens its pages.
		b.WriteString(wrapText(t.src.hints.Welcome, width) + "\n")
	}
	b.WriteString(trimBlankTail(q.form.View()))
	if q.live != "" {
		b.WriteString("\n" + st.Fail.Render("✗ "+wrapText(q.live, width-2)))
	}
	if q.values.base.Base == nil && q.idx == fieldPage[keyModules] {
		b.WriteString("\n" + strings.Join(q.modulesFooter(st, width), "\n"))
	}
	if p, ok := q.values.pageOf(keyTeamModules); ok && p == q.idx {
		if t, ok := q.values.hoveredToggle(); ok {
			for i, l := range textwrap.Hanging("  ", toggleLabel(t)+": "+t.Option.Description, width) {
				if i == 0 {
					l = "  " + st.Accent.Render(strings.TrimPrefix(l, "  "))
				}
				b.WriteString("\n" + l)
			}
		}
	}
	return b.String()
}

// srcFor is the team source the form keeps for answers a: the one it was
// built with while a's base is still that one.
func (q *questionsScreen) srcFor(a flakegen.Answers) *teamSource {
	if q.src != nil && q.src.key == baseKey(a.Base) {
		return q.src
	}
	return nil
}

// modulesFooter is what the modules page shows below the list: the
// highlighted flag's description, in as many lines as the longest one
// needs so the page does not jump while the cursor moves, then the flags
// that are not offered here and why.
func (q *questionsScreen) modulesFooter(st theme.Styles, width int) []string {
	var lines []string
	if f, ok := q.values.hoveredFlag(); ok {
		for i, l := range textwrap.Hanging("  ", f.Title+": "+f.Description, width) {
			if i == 0 {
				l = "  " + st.Accent.Render(strings.TrimPrefix(l, "  "))
			}
			lines = append(lines, l)
		}
	}
	for len(lines) < describeLines(q.values.choices, width) {
		lines = append(lines, "")
	}
	if notes := wizardlogic.ExcludedNotes(q.values.choices); len(notes) > 0 {
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
	if a.Base != nil && q.src != nil {
		// A team's toggles: the list, and its hovered one's description.
		offered, below = len(wizardlogic.Layout(q.src.decl, q.src.hints.Order, q.src.hints.Hide).Toggles), 3
	}
	// The field's frame (the focus bar) takes two cells of the width.
	need := len(textwrap.Words(modulesHelp, q.width-2)) + offered
	return min(need, q.height-1-below)
}

// trimBlankTail drops the blank lines at the end of a form's view: huh
// pads every group to the height of the tallest, and what the screen draws
// below the form (the live problem, the modules footer) belongs right
// under the page's fields.
func trimBlankTail(s string) string {
	lines := strings.Split(s, "\n")
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}
