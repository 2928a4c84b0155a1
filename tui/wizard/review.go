package wizard

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/internal/wizardlogic"
)

// reviewScreen holds what the review shows: the normalised answers, the
// notes Normalize made, validation problems and the plan of file changes.
type reviewScreen struct {
	planning bool
	answers  flakegen.Answers
	notes    []string
	problems flakegen.ValidationErrors
	plan     *flakegen.Plan
	err      error
	// sel is the conflicting file (of wizardlogic.ConflictFiles) the
	// conflict keys choose for.
	sel int
	// refused is set when --yes met a conflict: it chooses nothing, so
	// nothing is written until the person chooses here.
	refused bool
	// wantWrite is set when enter was pressed while a conflict had no
	// choice yet: the footer says what is missing.
	wantWrite bool
	// waitingBase is set while the team base's evaluation, which the
	// review checks the team's values with, is still running (--yes skips
	// the questions that would have waited for it).
	waitingBase bool
}

// planDoneMsg carries the plan computed for the review.
type planDoneMsg struct {
	plan *flakegen.Plan
	err  error
}

// enter normalises and validates the answers and computes the plan in a
// command: nothing is written.
func (r *reviewScreen) enter(m *Model, _ Step) tea.Cmd {
	a := m.answers
	// A new review asks again before a switch that cannot succeed.
	m.sw.tryAnyway = false
	notes := a.Normalize()
	m.answers = a
	*r = reviewScreen{answers: a, notes: notes}
	if err := a.Validate(); err != nil {
		var ve flakegen.ValidationErrors
		if errors.As(err, &ve) {
			r.problems = ve
		} else {
			r.err = err
		}
		return nil
	}
	if a.Base != nil && m.baseEval.key == baseKey(a.Base) {
		// The team's values are held to its declarations, as render
		// does, before anything is written.
		switch e := m.baseEval; {
		case e.running:
			r.waitingBase, r.planning = true, true
			return nil
		case e.err != nil:
			r.err = fmt.Errorf("the base layer %s could not be evaluated, so its values cannot be checked: %w; esc goes back to the questions, where b goes on with the built-in layer", a.Base.Flake, e.err)
			return nil
		case e.src != nil:
			if err := a.CheckBase(e.src.decl); err != nil {
				r.err = err
				return nil
			}
		}
	}
	r.planning = true
	ctx, dir, env := m.ctx, m.dir, m.opts.Deps.Env
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		p, err := flakegen.NewPlan(ctx, dir, a, env)
		return planDoneMsg{plan: p, err: err}
	})
}

var reviewKeys = struct{ next, back, scroll, keep, takeNew, markers, nextConflict key.Binding }{
	next:         binding("enter", "write files"),
	back:         binding("esc", "back"),
	scroll:       binding("↑/↓ pgup/pgdn", "scroll", "up", "down", "pgup", "pgdown"),
	keep:         binding("k", "keep yours"),
	takeNew:      binding("n", "take new"),
	markers:      binding("m", "write markers"),
	nextConflict: binding("tab", "next conflict"),
}

func (r *reviewScreen) update(m *Model, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case baseEvaluatedMsg:
		if r.waitingBase {
			cmd := r.enter(m, StepReview)
			m.refreshPager()
			return cmd
		}
		return nil
	case planDoneMsg:
		r.planning = false
		r.plan, r.err = msg.plan, msg.err
		if m.opts.Yes && m.flow.SkipQuestions && msg.err == nil {
			if msg.plan != nil && len(msg.plan.Conflicts()) > 0 {
				// --yes chooses nothing for the person: refuse, write
				// nothing, and say how to choose.
				r.refused = true
				m.outcome.Failed = true
				m.refreshPager()
				return nil
			}
			m.refreshPager()
			return m.forward()
		}
		m.refreshPager()
		return nil
	case tea.KeyPressMsg:
		conflicts := wizardlogic.ConflictFiles(r.plan)
		switch {
		case key.Matches(msg, reviewKeys.back):
			return m.back()
		case key.Matches(msg, reviewKeys.next):
			if r.ready() && len(r.plan.Conflicts()) > 0 {
				r.wantWrite = true
				return nil
			}
			if r.ready() {
				return m.forward()
			}
			return nil
		case len(conflicts) > 0 && !r.planning && key.Matches(msg, reviewKeys.nextConflict):
			r.sel = (r.sel + 1) % len(conflicts)
			m.refreshPager()
			return nil
		case len(conflicts) > 0 && !r.planning && key.Matches(msg, reviewKeys.keep, reviewKeys.takeNew, reviewKeys.markers):
			return r.resolve(m, conflicts, msg)
		}
	}
	return m.updatePager(msg)
}

// resolve settles the selected conflicting file as the key says and moves
// to the next file still without a choice. Plan.Resolve works on the plan
// in memory; its only look at the disk is a Lstat or two for a free backup
// name, too little to need a command.
func (r *reviewScreen) resolve(m *Model, conflicts []flakegen.FileChange, k tea.KeyPressMsg) tea.Cmd {
	choice := flakegen.KeepTheirs
	switch {
	case key.Matches(k, reviewKeys.takeNew):
		choice = flakegen.TakeNew
	case key.Matches(k, reviewKeys.markers):
		choice = flakegen.WriteMarkers
	}
	r.sel = min(r.sel, len(conflicts)-1)
	if err := r.plan.Resolve(conflicts[r.sel].Path, choice); err != nil {
		r.err = err
		m.refreshPager()
		return nil
	}
	conflicts = wizardlogic.ConflictFiles(r.plan)
	for i := range conflicts {
		if j := (r.sel + 1 + i) % len(conflicts); conflicts[j].Action == flakegen.ActionConflict {
			r.sel = j
			break
		}
	}
	if len(r.plan.Conflicts()) == 0 {
		r.wantWrite = false
	}
	m.refreshPager()
	return nil
}

// prompt says, while a conflict has no choice yet, that writing waits for
// it.
func (r *reviewScreen) prompt() string {
	if r.planning || r.plan == nil {
		return ""
	}
	open := r.plan.Conflicts()
	if len(open) == 0 {
		return ""
	}
	conflicts := wizardlogic.ConflictFiles(r.plan)
	path := conflicts[min(r.sel, len(conflicts)-1)].Path
	if r.wantWrite {
		return fmt.Sprintf("Cannot write yet: %s without a choice. %s:", textwrap.Count(len(open), "conflict", "conflicts"), path)
	}
	return path + " conflicts:"
}

func (r *reviewScreen) view(m *Model, _, _ int) string { return m.pager.View() }

func (r *reviewScreen) keys(m *Model) []key.Binding {
	keys := []key.Binding{reviewKeys.back, reviewKeys.scroll, keyQuit}
	if conflicts := wizardlogic.ConflictFiles(r.plan); len(conflicts) > 0 && !r.planning {
		choose := []key.Binding{reviewKeys.keep, reviewKeys.takeNew, reviewKeys.markers}
		if len(conflicts) > 1 {
			choose = append(choose, reviewKeys.nextConflict)
		}
		if len(r.plan.Conflicts()) > 0 {
			// Enter does not write while a conflict has no choice.
			return append(choose, keys...)
		}
		keys = append(choose, keys...)
	}
	if !r.ready() {
		// Enter does nothing until the plan is there and nothing needs
		// fixing: do not offer it.
		return keys
	}
	next := reviewKeys.next
	switch {
	case m.flow.DryRun:
		next.SetHelp("enter", "finish (dry run)")
	case len(m.blockers()) > 0 && !m.flow.NoSwitch:
		// Detection knows the switch cannot succeed: the review lists
		// why, and the switch will not start by itself.
		next.SetHelp("enter", "write files (switch waits)")
	}
	return append([]key.Binding{next}, keys...)
}

// accessible prints the review: the answers, what Normalize adjusted, the
// files with their diffs, and what blocks the switch.
func (r *reviewScreen) accessible(p *plainRun) (bool, error) {
	a := p.answers
	notes := a.Normalize()
	p.answers = a
	fmt.Fprintln(p.out, "\nReview")
	for _, l := range wizardlogic.ReviewSummaryWith(a, p.dir, p.report.User.Home, p.previous, 0, teamRows(a, p.teamSrc)) {
		fmt.Fprintln(p.out, l)
	}
	for _, n := range notes {
		fmt.Fprintln(p.out, "note: "+n)
	}
	if a.Base != nil && (p.teamSrc == nil || p.teamSrc.key != baseKey(a.Base)) {
		// With --yes the team's pages were not asked, so its base has
		// not been evaluated yet: its values are held to the
		// declarations all the same, as render does.
		if !p.evaluateTeam() {
			fmt.Fprintln(p.out, "✗ the answers' base layer values cannot be checked; nothing was written")
			p.o.Failed = true
			return true, nil
		}
	}
	if p.teamSrc != nil && p.teamSrc.key == baseKey(a.Base) {
		if err := a.CheckBase(p.teamSrc.decl); err != nil {
			fmt.Fprintln(p.out, "✗ "+err.Error())
			p.o.Failed = true
			return true, nil
		}
	}
	plan, err := flakegen.NewPlan(p.ctx, p.dir, a, p.opts.Deps.Env)
	if err != nil {
		return true, err
	}
	p.plan = plan
	for _, row := range wizardlogic.PlanRows(plan) {
		fmt.Fprintf(p.out, "%-10s %s %s\n", row.Action, row.Path, row.Note)
	}
	if stop, err := p.askConflicts(plan); stop || err != nil {
		return true, err
	}
	if err := p.offerDiffs(plan); err != nil {
		return true, err
	}
	p.blockers = p.report.Blockers()
	if len(p.blockers) > 0 {
		fmt.Fprintln(p.out, "\nThe switch cannot succeed yet: doctor found")
		printBlockers(p.out, p.blockers)
	}
	return false, nil
}

// ready says whether the review may go forward: the plan exists and there
// is nothing to fix.
func (r reviewScreen) ready() bool {
	return !r.planning && r.err == nil && len(r.problems) == 0 && r.plan != nil
}

func (r *reviewScreen) body(m *Model, width int) string {
	s := m.styles
	home := m.home()
	var b strings.Builder
	line := func(ls ...string) {
		for _, l := range ls {
			b.WriteString(l + "\n")
		}
	}
	// What blocks the switch is shown below the files (the summary and the
	// files come first at 80x24); the key help says the switch will wait.
	bs := m.blockers()
	line(wizardlogic.ReviewSummaryWith(r.answers, m.dir, home, m.previous, width, teamRows(r.answers, m.teamSourceFor(r.answers)))...)
	if len(r.notes) > 0 {
		line("", s.Warn.Render("Adjusted for this machine:"))
		for _, n := range r.notes {
			line(textwrap.Hanging("  • ", n, width)...)
		}
	}
	if len(r.problems) > 0 {
		line("", s.Fail.Render("These answers need fixing (esc to go back):"))
		for _, p := range r.problems {
			ls := textwrap.HangingBy("  ✗ ", 4, fmt.Sprintf("%s %q: %s", p.Field, p.Value, p.Problem), width)
			ls[0] = "  " + s.Fail.Render(strings.TrimPrefix(ls[0], "  "))
			line(ls...)
		}
		return b.String()
	}
	if r.err != nil {
		line("")
		for _, l := range textwrap.Hanging("✗ ", r.err.Error(), width) {
			line(s.Fail.Render(l))
		}
		return b.String()
	}
	if r.planning {
		line("", m.spinner.View()+" Working out what would change…")
		return b.String()
	}
	if r.refused {
		line("")
		for _, l := range wizardlogic.ConflictRefusal(r.plan.Conflicts(), m.opts.AnswersFile, m.dir, home) {
			line(s.Fail.Render(wrapText(l, width)))
		}
	}
	if conflicts := wizardlogic.ConflictFiles(r.plan); len(conflicts) > 0 {
		line("", s.Warn.Render(wrapText("Your edits conflict with nixboard's changes: choose for each file (k keeps yours as it is, n takes the new one and backs yours up, m writes the merge with conflict markers and stops before the switch).", width)))
		for i, f := range conflicts {
			mark := "  "
			if i == min(r.sel, len(conflicts)-1) {
				mark = "› "
			}
			line(textwrap.HangingBy(mark+f.Path+": ", 4, wizardlogic.ConflictChoice(f), width)...)
		}
	}
	line("")
	for _, l := range textwrap.HangingBy("Files in ", 2, wizardlogic.TildePath(m.dir, home), width) {
		line(s.Title.Render(l))
	}
	for _, f := range wizardlogic.PlanRows(r.plan) {
		line(textwrap.HangingBy(fmt.Sprintf("  %-10s ", f.Action), 13, f.Path, width)...)
		if f.Note != "" {
			for _, l := range textwrap.Hanging(strings.Repeat(" ", 13), f.Note, width) {
				line(s.Subtle.Render(l))
			}
		}
	}
	if m.flow.DryRun {
		line("", s.Warn.Render("Dry run: nothing will be written."))
	} else {
		line("", s.Subtle.Render("Nothing has been written yet."))
	}
	if len(bs) > 0 {
		line("", s.Fail.Render("The switch cannot succeed until these are fixed:"))
		line(m.blockerLines(bs, width)...)
		next := "The files can be written now; the switch waits until these are fixed, or until you ask to try it anyway."
		if m.flow.NoSwitch || m.flow.DryRun {
			next = "Fix these before you switch."
		}
		line(s.Subtle.Render(wrapText(next, width)))
	}
	for _, f := range wizardlogic.PlanRows(r.plan) {
		title := "── " + f.Path
		if c, ok := conflictOf(r.plan, f.Path); ok && c.Action == flakegen.ActionConflict {
			// Until the person chooses, the diff pane shows the merge
			// with its conflict markers: what "m" would write.
			f.Diff = flakegen.UnifiedDiff("a/"+f.Path, "b/"+f.Path, c.Current(), c.Merged())
			title += " (the merge with conflict markers)"
		}
		if f.Diff == "" {
			continue
		}
		line("", s.Accent.Render(title))
		for _, l := range strings.Split(strings.TrimRight(f.Diff, "\n"), "\n") {
			switch {
			case strings.HasPrefix(l, "+"):
				l = s.OK.Render(l)
			case strings.HasPrefix(l, "-"):
				l = s.Fail.Render(l)
			}
			line(l)
		}
	}
	return b.String()
}

// conflictOf is the plan's file at path when its edits conflict.
func conflictOf(p *flakegen.Plan, path string) (flakegen.FileChange, bool) {
	for _, f := range wizardlogic.ConflictFiles(p) {
		if f.Path == path {
			return f, true
		}
	}
	return flakegen.FileChange{}, false
}

// blockers are what makes a switch impossible, as detection reported it.
func (m *Model) blockers() []detect.Blocker {
	if m.report == nil {
		return nil
	}
	return m.report.Blockers()
}

// blockerLines shows each blocker: what doctor found, why it stops the
// switch, and its fix as commands to paste.
func (m *Model) blockerLines(bs []detect.Blocker, width int) []string {
	s := m.styles
	var out []string
	for _, b := range bs {
		ls := textwrap.Hanging("  ✗ ", b.Message, width)
		ls[0] = "  " + s.Fail.Render("✗") + strings.TrimPrefix(ls[0], "  ✗")
		out = append(out, ls...)
		for _, l := range textwrap.Hanging("    why: ", b.Reason, width) {
			out = append(out, s.Subtle.Render(l))
		}
		for _, fix := range strings.Split(b.Fix, "\n") {
			if strings.TrimSpace(fix) == "" {
				continue
			}
			for _, l := range textwrap.CommandLines(fix, 4, width) {
				out = append(out, s.Accent.Render(l))
			}
		}
	}
	return out
}

// home is the person's home directory as detection found it, for showing
// paths under it as ~/....
func (m *Model) home() string {
	if m.report == nil {
		return ""
	}
	return m.report.User.Home
}

// offerDiffs says how long the plan's diffs are and shows them only when
// the person asks: hundreds of lines before the write question would bury
// it.
func (p *plainRun) offerDiffs(plan *flakegen.Plan) error {
	rows := wizardlogic.PlanRows(plan)
	files, lines := 0, 0
	for _, row := range rows {
		if row.Diff != "" {
			files++
			lines += strings.Count(strings.TrimRight(row.Diff, "\n"), "\n") + 1
		}
	}
	if files == 0 {
		return nil
	}
	fmt.Fprintf(p.out, "\nThe diffs of %s have %s.\n", textwrap.Count(files, "file", "files"), textwrap.Count(lines, "line", "lines"))
	// --yes asks nothing: its output shows what it did, as a dry run
	// shows what it would do.
	show := p.opts.Yes
	if !show {
		if err := p.confirm("Show the diffs?", &show); err != nil {
			return err
		}
	}
	if !show {
		return nil
	}
	for _, row := range rows {
		if row.Diff != "" {
			fmt.Fprint(p.out, "\n"+row.Diff)
		}
	}
	fmt.Fprintln(p.out, "\nEnd of the diffs.")
	return nil
}

// askConflicts asks, for each file whose edits conflict with nixboard's
// changes, what to do, showing the merge with its markers first. --yes
// chooses nothing: the run stops, writing nothing, and says how to choose.
func (p *plainRun) askConflicts(plan *flakegen.Plan) (stop bool, err error) {
	conflicts := plan.Conflicts()
	if len(conflicts) == 0 {
		return false, nil
	}
	if p.opts.Yes {
		fmt.Fprintln(p.out)
		for _, l := range wizardlogic.ConflictRefusal(conflicts, p.opts.AnswersFile, p.dir, p.report.User.Home) {
			fmt.Fprintln(p.out, l)
		}
		p.o.Failed = true
		return true, nil
	}
	choices := []huh.Option[string]{
		huh.NewOption("keep yours as it is, without nixboard's change", flakegen.KeepTheirs.String()),
		huh.NewOption("take the new one, yours kept as a backup", flakegen.TakeNew.String()),
		huh.NewOption("write the merge with conflict markers and stop before the switch", flakegen.WriteMarkers.String()),
	}
	for _, f := range conflicts {
		fmt.Fprintf(p.out, "\n%s: your edits conflict with nixboard's changes (%s). The merge, with conflict markers:\n\n%s\n",
			f.Path, textwrap.Count(f.ConflictCount(), "conflict", "conflicts"), strings.TrimRight(string(f.Merged()), "\n"))
		v, err := p.askChoice("What to do with "+f.Path, "choose for this file", choices, flakegen.KeepTheirs.String())
		if err != nil {
			return true, err
		}
		r, _ := flakegen.ParseResolution(v)
		if err := plan.Resolve(f.Path, r); err != nil {
			return true, err
		}
		fmt.Fprintln(p.out, f.Path+": "+wizardlogic.ConflictChoice(mustFile(plan, f.Path)))
	}
	return false, nil
}

// mustFile is the plan's file at path (a path the plan itself gave).
func mustFile(plan *flakegen.Plan, path string) flakegen.FileChange {
	for _, f := range plan.Files {
		if f.Path == path {
			return f
		}
	}
	return flakegen.FileChange{Path: path}
}

// teamRows are the review's rows about a team base: which layer, the
// values set, and what is not asked (with the declarations, src).
func teamRows(a flakegen.Answers, src *teamSource) [][2]string {
	if src == nil {
		return wizardlogic.TeamReview(a, nil, nil, nil)
	}
	return wizardlogic.TeamReview(a, &src.decl, src.hints.Order, src.hints.Hide)
}
