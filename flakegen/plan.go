package flakegen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nixboard/nixboard/internal/gitrepo"
)

// Action is what Apply does with one file.
type Action string

const (
	// ActionCreate writes a file that does not exist yet.
	ActionCreate Action = "create"
	// ActionUpdate replaces a file nixboard wrote and nobody edited.
	ActionUpdate Action = "update"
	// ActionUnchanged leaves a file that already has the rendered content.
	ActionUnchanged Action = "unchanged"
	// ActionKeep leaves a file that is the person's own (home.nix).
	ActionKeep Action = "kept"
	// ActionBackup moves a foreign or edited file aside to BackupPath
	// (keeping it whole) and writes the rendered file in its place.
	ActionBackup Action = "backup"
	// ActionRefuse means the file cannot be written safely; Apply writes
	// nothing at all while any file is refused.
	ActionRefuse Action = "refuse"
	// ActionRemove deletes a file nixboard wrote earlier, nobody edited
	// since, and the answers no longer need (nixboard/base.nix once a team
	// base flake replaces the built-in base layer), and removes it from the
	// git index so the flake no longer sees it.
	ActionRemove Action = "remove"
	// ActionMerge writes a generated file the person edited with
	// nixboard's new changes merged into their edits (see mergeEdited).
	ActionMerge Action = "merge"
	// ActionConflict is an edited generated file whose edits touch the
	// lines nixboard changes. Apply refuses to run until Plan.Resolve
	// turns it into keep, backup (the new file) or markers.
	ActionConflict Action = "conflict"
	// ActionMarkers writes the merge of an edited file with its conflict
	// markers, after a backup of the person's file (Resolve with
	// WriteMarkers); the configuration must not be switched to before
	// they are resolved (Plan.HasMarkers).
	ActionMarkers Action = "markers"
)

// FileChange is the plan for one file.
type FileChange struct {
	// Path is relative to the plan's directory, slash-separated.
	Path   string
	Action Action
	// Reason explains kept, backup, refuse and remove in a sentence, and
	// any other action when it is not the obvious one.
	Reason string
	// BackupPath, for ActionBackup and ActionMarkers, is where the existing
	// file goes (relative to the directory).
	BackupPath string
	// Stale says nixboard no longer renders this file: remove deletes it,
	// backup moves it to BackupPath without writing anything in its place,
	// and kept leaves a file nixboard did not write alone.
	Stale bool
	// Diff is a unified diff from the file on disk to the rendered one; empty
	// when nothing changes.
	Diff string

	kind Kind
	// content is what Apply writes; rendered is the new rendering.
	content  []byte
	rendered []byte
	old      []byte
	existed  bool
	// conflict is set for a file whose merge conflicts, also once it is
	// resolved.
	conflict *conflict
}

// Content returns what Apply writes into the file: the rendered content,
// or for ActionMerge and ActionMarkers the merge.
func (f FileChange) Content() []byte { return f.content }

// Changes reports whether Apply writes, moves or removes this file.
func (f FileChange) Changes() bool {
	switch f.Action {
	case ActionCreate, ActionUpdate, ActionBackup, ActionRemove, ActionMerge, ActionMarkers:
		return true
	}
	return false
}

// Plan is everything Apply will do, decided before anything is written.
type Plan struct {
	// Dir is the absolute configuration directory.
	Dir string
	// ConfigName is the homeConfigurations attribute, user@host.
	ConfigName string
	// Answers are the answers rendered into nixboard.json: the ones given
	// to NewPlan, except homeBase.stateVersion when an existing home.nix
	// sets home.stateVersion (see NewPlan).
	Answers Answers
	// Files lists every rendered file in a fixed order, then the files
	// nixboard wrote earlier and no longer renders (Stale).
	Files []FileChange
	// GitInit says Dir is not inside a git work tree and Apply runs git init.
	GitInit bool
	// Blockers are problems outside the files, found while planning (git
	// cannot take the files, too little free space), that stop Apply before
	// it writes anything, as refused files do.
	Blockers []Blocker

	git gitrepo.Git
	// ops are the file operations Apply uses; nil means the real ones.
	// Tests put a failing one here where no real failure can be arranged.
	ops fileOps
}

// Blocker is a problem, found while planning, that is not about one file.
type Blocker struct {
	// What names the area: "git" or "disk space".
	What string
	// Reason says what is wrong and how to fix it, in a sentence.
	Reason string
}

// RefusedError is returned by Apply when some files cannot be written
// safely, a person's edits conflict with nixboard's changes and wait for
// Plan.Resolve (Conflicts), or something else stops the plan (Blockers).
// Nothing has been written.
type RefusedError struct {
	Files     []FileChange
	Conflicts []FileChange
	Blockers  []Blocker
}

func (e *RefusedError) Error() string {
	var b strings.Builder
	b.WriteString("nothing was written, because")
	for _, f := range e.Files {
		fmt.Fprintf(&b, "\n  %s: %s", f.Path, f.Reason)
	}
	for _, f := range e.Conflicts {
		fmt.Fprintf(&b, "\n  %s: %s", f.Path, f.Reason)
	}
	for _, bl := range e.Blockers {
		fmt.Fprintf(&b, "\n  %s: %s", bl.What, bl.Reason)
	}
	return b.String()
}

// Problems returns what stops Apply (refused files, unresolved conflicts
// and Blockers), or nil when Apply can go ahead. --dry-run reports it.
func (p *Plan) Problems() *RefusedError {
	refused, conflicts := p.Refused(), p.Conflicts()
	if len(refused) == 0 && len(conflicts) == 0 && len(p.Blockers) == 0 {
		return nil
	}
	return &RefusedError{Files: refused, Conflicts: conflicts, Blockers: p.Blockers}
}

// Refused returns the files that cannot be written, or nil.
func (p *Plan) Refused() []FileChange { return p.withAction(ActionRefuse) }

// withAction lists the files of the plan with action a, in plan order.
func (p *Plan) withAction(a Action) []FileChange {
	var out []FileChange
	for _, f := range p.Files {
		if f.Action == a {
			out = append(out, f)
		}
	}
	return out
}

// Changed reports whether Apply would write any file.
func (p *Plan) Changed() bool {
	for _, f := range p.Files {
		if f.Changes() {
			return true
		}
	}
	return false
}

// NewPlan validates a, renders every file and decides, by looking at dir
// without changing it, what Apply will do with each. Invalid answers return
// ValidationErrors. (It is NewPlan, not Plan, because Go does not allow a
// function and a type of the same name.) A missing git binary is an error:
// flakes only see files that git tracks. git is looked up on the PATH of
// env, the environment nixboard was given, and runs with env and ctx, here
// and in Apply. A repository git refuses (dubious ownership, a broken .git)
// is a Blocker, never a reason to run git init inside it.
//
// An existing home.nix (say from `home-manager init`) is kept and imported,
// so NewPlan reads it, without evaluating it, for definitions of
// home.username, home.homeDirectory and home.stateVersion, which the base
// layer also sets from nixboard.json; differing values would make
// home-manager stop with "conflicting definition values" at switch time:
//   - home.stateVersion: nixboard.json follows home.nix (Plan.Answers), as
//     the version the person's home-manager state started with; home.nix's
//     and nixboard.json's rows say so. A value the release does not accept
//     refuses home.nix, with the fix.
//   - home.username or home.homeDirectory that differ from the answers
//     refuse home.nix, naming the line and both fixes; nothing is written.
//   - A definition through an expression, lib.mkForce, or a file nixboard
//     cannot read as Nix is kept with a note in its reason.
//
// A generated file the person edited since nixboard wrote it is merged
// with the new rendering, using nixboard's record of its last rendering as
// the base (merge.go): ActionMerge when the merge is clean, ActionConflict
// when their edits touch the lines nixboard changes, which Apply refuses
// until Resolve; ActionBackup, with the reason, when there is no record.
//
// Files nixboard wrote earlier and the answers no longer need (Stale) are
// listed after the rendered ones: removed when unedited, moved aside when
// edited, left alone when nixboard did not write them.
func NewPlan(ctx context.Context, dir string, a Answers, env []string) (*Plan, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	git, err := gitrepo.Find(env)
	if err != nil {
		return nil, fmt.Errorf("git is needed to track the rendered files (flakes only see tracked files): %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", dir, err)
	}
	if st, err := os.Stat(abs); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("render %s: it is a file, not a directory", abs)
	}
	home := inspectHome(abs, a)
	answered := a.HomeBase.StateVersion
	if home.stateVersion != "" {
		a.HomeBase.StateVersion = home.stateVersion
	}
	files, err := Render(a)
	if err != nil {
		return nil, err
	}
	p := &Plan{Dir: abs, ConfigName: a.ConfigName(), Answers: a, git: git}
	record, haveRecord := readRecord(abs)
	rendered := map[string]bool{}
	for _, f := range files {
		c := planFile(ctx, git, abs, f, record, haveRecord)
		switch {
		case f.Path == HomeFile && c.Action == ActionKeep && len(home.refuse) > 0:
			c.Action = ActionRefuse
			c.Reason = "nixboard keeps and imports your home.nix, but " + strings.Join(home.refuse, "; also, ")
		case f.Path == HomeFile && c.Action == ActionKeep:
			c.Reason = home.keepReason(answered)
		case f.Path == AnswersFile && home.stateVersion != "":
			note := fmt.Sprintf("homeBase.stateVersion is %q to match home.stateVersion in home.nix (line %d); the answers said %q", home.stateVersion, home.svLine, answered)
			if c.Reason != "" {
				note = c.Reason + "; " + note
			}
			c.Reason = note
		}
		p.Files = append(p.Files, c)
		rendered[f.Path] = true
	}
	for _, s := range staleCandidates(a) {
		if !rendered[s.path] {
			if c, ok := planStale(abs, s.path, s.why); ok {
				p.Files = append(p.Files, c)
			}
		}
	}
	p.Files = append(p.Files, staleTemporaries(abs, files)...)
	repo, err := findRepo(ctx, git, abs)
	switch {
	case errors.Is(err, gitrepo.ErrNotRepository):
		p.GitInit = true
	case err != nil:
		p.Blockers = append(p.Blockers, Blocker{What: "git", Reason: fmt.Sprintf(
			"git failed on the directory %s, so nixboard could not track the files it writes there (a flake only sees tracked files): %v", abs, err)})
	default:
		p.Blockers = append(p.Blockers, repo.problems(ctx, abs, p.Files)...)
	}
	p.Blockers = append(p.Blockers, spaceProblems(abs, p)...)
	return p, nil
}

// readRecord reads AnswersRecordFile; ok is false when there is no such
// regular file.
func readRecord(dir string) (record []byte, ok bool) {
	full := filepath.Join(dir, filepath.FromSlash(AnswersRecordFile))
	if st, err := os.Lstat(full); err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	record, err := os.ReadFile(full)
	return record, err == nil
}

// tempInfix is in the name of every temporary file Apply makes next to a
// target: .flake.nix.nixboard-tmp-123 for a new content, and the same
// pattern for the copies of the originals it keeps until it is done.
const tempInfix = ".nixboard-tmp-"

// staleTemporaries lists the temporary files an interrupted run (killed, or
// the machine went down) left next to the rendered files, to be removed.
// They hold nothing a person wrote: new contents nixboard renders again, or
// copies of nixboard's own files taken while replacing them.
func staleTemporaries(dir string, files []File) []FileChange {
	var out []FileChange
	seen := map[string]bool{}
	for _, f := range files {
		sub := path.Dir(f.Path)
		if seen[sub] {
			continue
		}
		seen[sub] = true
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(sub)))
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if !e.Type().IsRegular() || !strings.HasPrefix(name, ".") || !strings.Contains(name, tempInfix) {
				continue
			}
			rel := path.Join(sub, name)
			old, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
			if err != nil {
				continue
			}
			out = append(out, FileChange{
				Path: rel, Action: ActionRemove, Stale: true, kind: Generated, existed: true, old: old,
				Reason: "a temporary file left by an interrupted nixboard run; it is deleted",
			})
		}
	}
	return out
}

// recordReason says why nixboard writes the record at path.
func recordReason(path string) string {
	return "a copy of the " + strings.TrimPrefix(path, LastRenderedDir+"/") + " nixboard writes, so that it can tell your edits from its own file"
}

func planFile(ctx context.Context, git gitrepo.Git, dir string, f File, record []byte, haveRecord bool) FileChange {
	c := FileChange{Path: f.Path, kind: f.Kind, content: f.Content, rendered: f.Content}
	full := filepath.Join(dir, filepath.FromSlash(f.Path))
	// A parent that is not a directory (say a file named "nixboard") would
	// make the write fail half-way: refuse now instead.
	for parent := filepath.Dir(full); parent != dir && strings.HasPrefix(parent, dir); parent = filepath.Dir(parent) {
		if st, err := os.Lstat(parent); err == nil && !st.IsDir() {
			c.Action = ActionRefuse
			c.Reason = fmt.Sprintf("%s is in the way and is not a directory; move it away", filepath.Base(parent))
			return c
		}
	}
	st, err := os.Lstat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Action = ActionCreate
		c.Diff = UnifiedDiff("/dev/null", "b/"+f.Path, nil, f.Content)
		if f.Kind == Record {
			c.Reason = recordReason(f.Path)
		}
		return c
	case err != nil:
		c.Action, c.Reason = ActionRefuse, fmt.Sprintf("cannot inspect it: %v", err)
		return c
	}
	c.existed = true
	if f.Kind == Once {
		c.Action = ActionKeep
		c.Reason = "it is yours: nixboard creates home.nix once and never changes it"
		return c
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		c.Action = ActionRefuse
		c.Reason = "it is a symbolic link and nixboard does not write through links; move it away or replace it with a plain file"
		return c
	}
	if !st.Mode().IsRegular() {
		c.Action, c.Reason = ActionRefuse, "it is not a regular file; move it away"
		return c
	}
	old, err := os.ReadFile(full)
	if err != nil {
		c.Action, c.Reason = ActionRefuse, fmt.Sprintf("cannot read it: %v", err)
		return c
	}
	c.old = old
	if bytes.Equal(old, f.Content) {
		c.Action = ActionUnchanged
		return c
	}
	c.Diff = UnifiedDiff("a/"+f.Path, "b/"+f.Path, old, f.Content)
	if f.Kind == Record {
		c.Action = ActionUpdate
		return c
	}
	owner := OwnershipOf(old)
	if f.Kind == AnswersData {
		if v, ok := answersFileVersion(old); ok && v > AnswersVersion {
			c.Action = ActionRefuse
			c.Reason = fmt.Sprintf("it is version %d of the answers format, written by a newer nixboard than this one (which knows versions 1 to %d); upgrade nixboard, or move the file away to start afresh", v, AnswersVersion)
			return c
		}
		owner = answersOwnership(old, record, haveRecord)
	}
	if owner == Ours {
		c.Action = ActionUpdate
		return c
	}
	if owner == Edited && f.Kind == Generated {
		if base, ok := readGeneratedRecord(dir, f.Path); ok {
			mergeEdited(ctx, git, &c, base)
			return c
		}
	}
	c.Action = ActionBackup
	c.BackupPath = freeBackupPath(dir, f.Path)
	switch {
	case owner == Edited && f.Kind == AnswersData && !haveRecord:
		c.Reason = "nixboard has no record of the nixboard.json it last wrote here (" + AnswersRecordFile + "), so it cannot tell whether you edited this one; it is kept as " + c.BackupPath
	case owner == Edited && f.Kind == AnswersData:
		c.Reason = "it was edited after nixboard last wrote it; the edited file is kept as " + c.BackupPath
	case owner == Edited:
		c.Reason = "it was edited after nixboard wrote it, and nixboard has no record of what it rendered last (" + RecordPath(f.Path) + ", which nixboard versions before it did not keep), so it cannot merge your edits; the edited file is kept as " + c.BackupPath + " (put your own settings in home.nix)"
	default:
		c.Reason = "it was not written by nixboard; it is kept as " + c.BackupPath
	}
	return c
}

// staleCandidate is a file some answers make nixboard render and others
// do not, with the reason it is not needed under the current answers.
type staleCandidate struct{ path, why string }

// staleCandidates lists every generated file nixboard may have written
// into a directory before, with why a's rendering would not need it.
// NewPlan considers the ones Render did not produce this time.
func staleCandidates(a Answers) []staleCandidate {
	why := "nixboard no longer renders it"
	if a.Base != nil {
		why = "the team base flake (base.flake " + strconv.Quote(a.Base.Flake) + ") replaces nixboard's built-in base layer"
	}
	return []staleCandidate{{BaseModuleFile, why}, {RecordPath(BaseModuleFile), "it is nixboard's record of " + BaseModuleFile + ", which goes too"}}
}

// planStale decides what happens to a file nixboard no longer renders:
// deleted when it is nixboard's own and unedited, moved aside when it was
// edited, left alone when nixboard did not write it. ok is false when the
// file does not exist.
func planStale(dir, rel, why string) (FileChange, bool) {
	c := FileChange{Path: rel, Stale: true, kind: Generated}
	full := filepath.Join(dir, filepath.FromSlash(rel))
	st, err := os.Lstat(full)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return c, false
	case err != nil:
		c.Action = ActionKeep
		c.Reason = fmt.Sprintf("no longer used (%s), but nixboard cannot inspect it (%v), so it is left as it is", why, err)
		return c, true
	case !st.Mode().IsRegular():
		c.Action = ActionKeep
		c.Reason = "no longer used (" + why + "), but it is not a file nixboard wrote, so it is left as it is"
		return c, true
	}
	old, err := os.ReadFile(full)
	if err != nil {
		c.Action = ActionKeep
		c.Reason = fmt.Sprintf("no longer used (%s), but nixboard cannot read it (%v), so it is left as it is", why, err)
		return c, true
	}
	c.existed, c.old = true, old
	c.Diff = UnifiedDiff("a/"+rel, "/dev/null", old, nil)
	switch OwnershipOf(old) {
	case Ours:
		c.Action = ActionRemove
		c.Reason = "no longer used: " + why + "; nixboard wrote it and nobody edited it, so it is deleted and removed from git (it comes back if the answers need it again)"
	case Edited:
		c.Action = ActionBackup
		c.BackupPath = freeBackupPath(dir, rel)
		c.Reason = "no longer used: " + why + "; it was edited after nixboard wrote it, so instead of deleting it nixboard moves it to " + c.BackupPath + " (not tracked by git)"
	default:
		c.Action = ActionKeep
		c.Diff = ""
		c.Reason = "no longer used by nixboard (" + why + "), but nixboard did not write it, so it is left as it is; delete it yourself if you do not need it"
	}
	return c, true
}

// freeBackupPath returns rel.nixboard-backup, or rel.nixboard-backup.N with
// the smallest N that is free.
func freeBackupPath(dir, rel string) string {
	candidate := rel + ".nixboard-backup"
	for n := 1; ; n++ {
		if _, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(candidate))); errors.Is(err, fs.ErrNotExist) {
			return candidate
		}
		candidate = fmt.Sprintf("%s.nixboard-backup.%d", rel, n)
	}
}
