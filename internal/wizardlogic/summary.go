package wizardlogic

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
)

// ReviewSummary is the text the review shows above the files: the answers
// in words and, on a re-run, every answer that changed since the last run.
// The configuration directory is shown as ~/... when it is under home. Each
// row wraps between words to width, under its value; a width of 0 or less
// leaves the rows whole (plain output).
func ReviewSummary(a flakegen.Answers, dir, home string, previous *flakegen.Answers, width int) []string {
	return ReviewSummaryWith(a, dir, home, previous, width, nil)
}

// ReviewSummaryWith is ReviewSummary with a team base's rows (TeamReview)
// in place of the built-in layer's modules, aliases, variables and
// packages, which a team base does not use.
func ReviewSummaryWith(a flakegen.Answers, dir, home string, previous *flakegen.Answers, width int, team [][2]string) []string {
	if width <= 0 {
		width = 1 << 20
	}
	var on, off []string
	for _, c := range ModuleChoices(a) {
		switch {
		case !c.Offered:
		case c.On:
			on = append(on, c.Flag.Title)
		default:
			off = append(off, c.Flag.Title)
		}
	}
	git := "(not set)"
	if a.Git.Name != "" || a.Git.Email != "" {
		git = strings.TrimSpace(fmt.Sprintf("%s <%s>", a.Git.Name, a.Git.Email))
	}
	var lines []string
	rows := [][2]string{
		{"Configuration", a.ConfigName() + "  (" + a.System + ", " + a.Platform + ")"},
		{"Home", a.HomeBase.HomeDirectory},
		{"Git identity", git},
		{"Directory", TildePath(dir, home)},
		{"Release", a.Release + "  (stateVersion " + a.HomeBase.StateVersion + ")"},
	}
	if a.Base != nil {
		rows = append(append(rows, [2]string{"Shell", a.Shell}), team...)
	} else {
		rows = append(rows, [][2]string{
			{"Shell, editor", a.Shell + ", " + a.HomeBase.DefaultEditor},
			{"Modules on", listOrNone(on)},
			{"Modules off", listOrNone(off)},
			{"Aliases", listOrNone(slices.Sorted(maps.Keys(a.HomeBase.ShellAliases)))},
			{"Variables", listOrNone(slices.Sorted(maps.Keys(a.HomeBase.EnvironmentVariables)))},
			{"Packages", listOrNone(a.HomeBase.AdditionalPackages)},
		}...)
	}
	for _, r := range rows {
		lines = append(lines, textwrap.Hanging(fmt.Sprintf("%-14s ", r[0]), r[1], width)...)
	}
	if previous == nil {
		return append(append(lines, ""), textwrap.Words("First run here: no earlier answers to compare with.", width)...)
	}
	changes := changedAnswers(*previous, a)
	if len(changes) == 0 {
		return append(append(lines, ""), textwrap.Words("Same answers as the last run.", width)...)
	}
	lines = append(lines, "", "Changed since the last run:")
	for _, c := range changes {
		lines = append(lines, textwrap.Hanging("  ", c.String(), width)...)
	}
	return lines
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// PlanRow is one file of the plan as the review lists it.
type PlanRow struct {
	Action string
	Path   string
	Note   string
	Diff   string
}

// PlanRows lists the plan's files with what happens to each, the git
// repository nixboard would create, and what stops the plan (Blockers).
func PlanRows(p *flakegen.Plan) []PlanRow {
	if p == nil {
		return nil
	}
	var rows []PlanRow
	if p.GitInit {
		rows = append(rows, PlanRow{Action: "git init", Path: ".", Note: "the directory becomes a git repository (flakes only see tracked files)"})
	}
	for _, b := range p.Blockers {
		rows = append(rows, PlanRow{Action: string(flakegen.ActionRefuse), Path: b.What, Note: b.Reason})
	}
	for _, f := range p.Files {
		r := PlanRow{Action: string(f.Action), Path: f.Path, Note: f.Reason, Diff: f.Diff}
		if f.Action == flakegen.ActionBackup && f.BackupPath != "" {
			r.Note = strings.TrimSpace(f.Reason + " (the old file moves to " + f.BackupPath + ")")
		}
		rows = append(rows, r)
	}
	return rows
}
