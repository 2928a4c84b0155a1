package wizard

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
)

// ReviewSummary is the text the review shows above the files: the answers
// in words and, on a re-run, every answer that changed since the last run.
func ReviewSummary(a flakegen.Answers, dir string, previous *flakegen.Answers) []string {
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
	lines := []string{
		row("Configuration", a.ConfigName()+"  ("+a.System+", "+a.Platform+")"),
		row("Home", a.HomeBase.HomeDirectory),
		row("Git identity", git),
		row("Directory", dir),
		row("Release", a.Release+"  (stateVersion "+a.HomeBase.StateVersion+")"),
		row("Shell, editor", a.Shell+", "+a.HomeBase.DefaultEditor),
		row("Modules on", listOrNone(on)),
		row("Modules off", listOrNone(off)),
		row("Aliases", listOrNone(sortedKeys(a.HomeBase.ShellAliases))),
		row("Variables", listOrNone(sortedKeys(a.HomeBase.EnvironmentVariables))),
		row("Packages", listOrNone(a.HomeBase.AdditionalPackages)),
	}
	if previous == nil {
		return append(lines, "", "First run here: no earlier answers to compare with.")
	}
	changes := ChangedAnswers(*previous, a)
	if len(changes) == 0 {
		return append(lines, "", "Same answers as the last run.")
	}
	lines = append(lines, "", "Changed since the last run:")
	for _, c := range changes {
		lines = append(lines, "  "+c.String())
	}
	return lines
}

func row(label, value string) string { return fmt.Sprintf("%-14s %s", label, value) }

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PlanRow is one file of the plan as the review lists it.
type PlanRow struct {
	Action string
	Path   string
	Note   string
	Diff   string
}

// PlanRows lists the plan's files with what happens to each, and the
// git repository nixboard would create.
func PlanRows(p *flakegen.Plan) []PlanRow {
	if p == nil {
		return nil
	}
	var rows []PlanRow
	if p.GitInit {
		rows = append(rows, PlanRow{Action: "git init", Path: ".", Note: "the directory becomes a git repository (flakes only see tracked files)"})
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
