package wizardlogic

import (
	"fmt"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
)

// ConflictFiles are the files of the plan whose edits conflict with
// nixboard's changes, resolved or not (each has a Merged with markers), in
// the plan's order: the review lets the person choose for each.
func ConflictFiles(p *flakegen.Plan) []flakegen.FileChange {
	if p == nil {
		return nil
	}
	var out []flakegen.FileChange
	for _, f := range p.Files {
		if f.Merged() != nil {
			out = append(out, f)
		}
	}
	return out
}

// ConflictChoice says what a conflicting file's action means, in a few
// words, for the review's list of conflicts.
func ConflictChoice(f flakegen.FileChange) string {
	switch f.Action {
	case flakegen.ActionKeep:
		return "keep yours"
	case flakegen.ActionBackup:
		return "take the new one (yours backed up as " + f.BackupPath + ")"
	case flakegen.ActionMarkers:
		return "write the merge with markers"
	}
	return "not chosen yet"
}

// conflictFlags are render's three answers to a conflict, as the refusal
// of --yes lists them.
var conflictFlags = [][2]string{
	{"keep", "keep your file as it is, without nixboard's changes to it"},
	{"new", "take nixboard's new file; yours is kept as FILE.nixboard-backup"},
	{"markers", "write the merge with conflict markers (yours is kept as a backup too) and resolve them before you switch"},
}

// ConflictRefusal is what --answers FILE --yes says when the plan has
// conflicts: nothing is written, which files conflict, and the three ways
// to settle them with render (answers is the FILE, dir the directory).
func ConflictRefusal(conflicts []flakegen.FileChange, answers, dir, home string) []string {
	lines := []string{"Nothing was written: your edits conflict with the changes nixboard makes to"}
	for _, f := range conflicts {
		lines = append(lines, fmt.Sprintf("  %s (%s)", f.Path, textwrap.Count(f.ConflictCount(), "conflict", "conflicts")))
	}
	if answers == "" {
		answers = "FILE"
	} else {
		answers = ShellPath(answers, home)
	}
	lines = append(lines, "--yes asks nothing, so it does not choose for you. Run nixboard without --yes to choose for each file, or render with one of:")
	for _, c := range conflictFlags {
		lines = append(lines, fmt.Sprintf("  nixboard render --answers %s --dir %s --on-conflict %s   (%s)", answers, ShellPath(dir, home), c[0], c[1]))
	}
	return lines
}

// MarkerLines is what a run that wrote conflict markers says instead of
// switching: which files to resolve, how, and the command to switch
// afterwards.
func MarkerLines(p *flakegen.Plan, dir, home string) []string {
	var files []string
	for _, f := range p.Files {
		if f.Action == flakegen.ActionMarkers {
			files = append(files, fmt.Sprintf("  %s (%s; your own file is kept as %s)", f.Path, textwrap.Count(f.ConflictCount(), "conflict", "conflicts"), f.BackupPath))
		}
	}
	lines := []string{"The configuration is written with conflict markers, so nixboard stopped before the switch. Resolve them in:"}
	lines = append(lines, files...)
	lines = append(lines,
		"Keep the lines you want and delete the <<<<<<<, |||||||, ======= and >>>>>>> lines, then switch with:",
		"  nixboard switch --dir "+ShellPath(dir, home))
	return lines
}
