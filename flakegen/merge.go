package flakegen

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nixboard/nixboard/internal/gitrepo"
	"github.com/nixboard/nixboard/internal/textwrap"
)

// How a re-run keeps a person's edits of a generated file (flake.nix,
// nixboard/*.nix, .gitignore; home.nix is theirs and nixboard.json is
// answers, neither is merged):
//
// Every Apply also writes what it rendered to RecordPath(path). On the
// next run, a file whose marker says it is unedited is replaced as before.
// An edited one is merged three ways with git merge-file: base = the
// record, ours = the person's file, theirs = the new rendering. Only the
// bodies are merged; the result gets the new rendering's marker line,
// whose hash is the new rendering's body, not the merged one. So the
// merged file still reads as "edited" on the next run, which merges again
// (base = this run's record, the new rendering) and keeps the edit. A
// marker whose hash matched the merged file would make the next run take
// it for nixboard's own and overwrite the edit.
//
// With no record (a directory an older nixboard wrote, or a record someone
// removed or edited) nixboard cannot tell its own lines from the person's:
// the file is backed up and replaced, as before records existed, and the
// reason says so.

// Resolution is what a person chose for a file whose edits conflict with
// nixboard's changes (ActionConflict).
type Resolution int

const (
	// KeepTheirs leaves the person's file exactly as it is, without
	// nixboard's new changes to it (ActionKeep). The record is still
	// updated to the new rendering, so the next run merges against it and
	// does not ask again about the same change.
	KeepTheirs Resolution = iota + 1
	// TakeNew writes the new rendering and moves the person's file to a
	// backup, as nixboard did with every edited file before merging
	// (ActionBackup).
	TakeNew
	// WriteMarkers writes the merge with its conflict markers in place of
	// the file, keeping the person's file whole in a backup too
	// (ActionMarkers). The configuration does not evaluate until the
	// markers are resolved: Plan.HasMarkers says to stop before a switch.
	WriteMarkers
)

func (r Resolution) String() string {
	switch r {
	case KeepTheirs:
		return "keep"
	case TakeNew:
		return "new"
	case WriteMarkers:
		return "markers"
	}
	return fmt.Sprintf("Resolution(%d)", int(r))
}

// ParseResolution reads "keep", "new" or "markers" (the words of
// Resolution.String, render's --on-conflict).
func ParseResolution(s string) (Resolution, bool) {
	for _, r := range []Resolution{KeepTheirs, TakeNew, WriteMarkers} {
		if r.String() == s {
			return r, true
		}
	}
	return 0, false
}

// conflict is what a plan holds for a file whose merge conflicts, for as
// long as the plan lives, so that Resolve can be called again.
type conflict struct {
	// merged is the merge with conflict markers, marker line included.
	merged []byte
	// count is the number of conflicting hunks.
	count int
}

// Merged returns, for a file whose merge conflicts (ActionConflict, or
// resolved since), the merge with conflict markers; nil for other files.
// Current is the person's file and Rendered the new rendering.
func (f FileChange) Merged() []byte {
	if f.conflict == nil {
		return nil
	}
	return f.conflict.merged
}

// ConflictCount is the number of conflicting changes in Merged.
func (f FileChange) ConflictCount() int {
	if f.conflict == nil {
		return 0
	}
	return f.conflict.count
}

// Current returns the file as it is on disk now (nil when it does not
// exist).
func (f FileChange) Current() []byte { return f.old }

// Rendered returns what nixboard renders for the file this time. It is
// Content except for a merged, kept or conflicting file.
func (f FileChange) Rendered() []byte { return f.rendered }

// Conflicts returns the files whose edits conflict with nixboard's changes
// and have no Resolution yet; Apply refuses while there is any.
func (p *Plan) Conflicts() []FileChange { return p.withAction(ActionConflict) }

// HasMarkers reports whether Apply writes a file with conflict markers
// (WriteMarkers): the configuration then does not evaluate, and a caller
// must stop before the switch and ask the person to resolve them.
func (p *Plan) HasMarkers() bool {
	for _, f := range p.Files {
		if f.Action == ActionMarkers {
			return true
		}
	}
	return false
}

// Resolve settles the conflict of the file at path (a Path of the plan)
// as r says. It can be called again with another choice before Apply.
func (p *Plan) Resolve(path string, r Resolution) error {
	for i := range p.Files {
		f := &p.Files[i]
		if f.Path != path {
			continue
		}
		if f.conflict == nil {
			return fmt.Errorf("resolve %s: its edits do not conflict with nixboard's (it is %s)", path, f.Action)
		}
		f.BackupPath = ""
		switch r {
		case KeepTheirs:
			f.Action, f.content, f.Diff = ActionKeep, f.old, ""
			f.Reason = "you chose to keep your edited file as it is, without nixboard's new changes to it; nixboard records its new rendering in " + RecordPath(path) + ", so the next run does not ask again"
		case TakeNew:
			f.Action, f.content = ActionBackup, f.rendered
			f.BackupPath = freeBackupPath(p.Dir, path)
			f.Diff = UnifiedDiff("a/"+path, "b/"+path, f.old, f.rendered)
			f.Reason = "you chose nixboard's new file; your edited file is kept as " + f.BackupPath
		case WriteMarkers:
			f.Action, f.content = ActionMarkers, f.conflict.merged
			f.BackupPath = freeBackupPath(p.Dir, path)
			f.Diff = UnifiedDiff("a/"+path, "b/"+path, f.old, f.conflict.merged)
			f.Reason = fmt.Sprintf("you chose the merge with conflict markers (%s): resolve them (keep the lines you want, delete the <<<<<<<, |||||||, ======= and >>>>>>> lines) before you switch; your edited file is also kept as %s", textwrap.Count(f.conflict.count, "conflict", "conflicts"), f.BackupPath)
		default:
			return fmt.Errorf("resolve %s: unknown resolution %d", path, int(r))
		}
		return nil
	}
	return fmt.Errorf("resolve %s: no such file in the plan", path)
}

// readGeneratedRecord reads RecordPath(path) for a generated file: ok is
// false when there is none, or it is not nixboard's own unedited rendering
// (a record is only a base for a merge while nobody changed it).
func readGeneratedRecord(dir, path string) (record []byte, ok bool) {
	full := filepath.Join(dir, filepath.FromSlash(RecordPath(path)))
	st, err := os.Lstat(full)
	if err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	record, err = os.ReadFile(full)
	if err != nil || OwnershipOf(record) != Ours {
		return nil, false
	}
	return record, true
}

// splitMarker splits a generated file into its marker line (with its
// newline) and the body.
func splitMarker(content []byte) (marker, body []byte) {
	if i := bytes.IndexByte(content, '\n'); i >= 0 && bytes.HasPrefix(content, []byte(Marker)) {
		return content[:i+1], content[i+1:]
	}
	return nil, content
}

// mergeEdited plans an edited generated file that has a record: c holds
// the file as planFile found it (old, the new rendering in content).
func mergeEdited(ctx context.Context, git gitrepo.Git, c *FileChange, record []byte) {
	_, base := splitMarker(record)
	_, ours := splitMarker(c.old)
	marker, theirs := splitMarker(c.rendered)
	if bytes.Equal(base, theirs) {
		// nixboard renders what it rendered last time: nothing to bring
		// in, the person's file stays exactly as it is.
		c.Action, c.content, c.Diff = ActionUnchanged, c.old, ""
		c.Reason = "you edited it, and nixboard renders nothing new for it, so it stays as you left it"
		return
	}
	labels := gitrepo.MergeLabels{
		Ours:   c.Path + " (yours)",
		Base:   c.Path + " (as nixboard last rendered it, " + RecordPath(c.Path) + ")",
		Theirs: c.Path + " (as nixboard renders it now)",
	}
	body, n, err := git.MergeFile(ctx, "", base, ours, theirs, labels)
	if err != nil {
		c.Action = ActionRefuse
		c.Reason = fmt.Sprintf("you edited it, and merging your edits with nixboard's changes failed, so nothing is written: %v", err)
		return
	}
	merged := append(append([]byte{}, marker...), body...)
	c.Diff = UnifiedDiff("a/"+c.Path, "b/"+c.Path, c.old, merged)
	switch {
	case n > 0:
		c.Action = ActionConflict
		c.conflict = &conflict{merged: merged, count: n}
		c.Diff = UnifiedDiff("a/"+c.Path, "b/"+c.Path, c.old, c.rendered)
		c.Reason = fmt.Sprintf("you edited it, and %s the same lines nixboard changes; choose: keep (your file stays as it is, without nixboard's change), new (nixboard's file, yours kept as a backup) or markers (the merge with conflict markers, to resolve before switching)",
			map[bool]string{true: "your change touches", false: fmt.Sprintf("%d of your changes touch", n)}[n == 1])
	case bytes.Equal(merged, c.rendered):
		// The person's edits are what nixboard renders now.
		c.Action, c.content = ActionUpdate, c.rendered
		c.Reason = "you edited it, and your edits are what nixboard renders now"
	default:
		c.Action, c.content = ActionMerge, merged
		c.Reason = "you edited it after nixboard wrote it; nixboard's changes are merged into your edits (git merge-file with its last rendering, " + RecordPath(c.Path) + "), which stay"
	}
}
