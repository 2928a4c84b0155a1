package flakegen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
)

// FileChange is the plan for one file.
type FileChange struct {
	// Path is relative to the plan's directory, slash-separated.
	Path   string
	Action Action
	// Reason explains kept, backup, refuse and remove in a sentence, and
	// any other action when it is not the obvious one.
	Reason string
	// BackupPath, for ActionBackup, is where the existing file goes
	// (relative to the directory).
	BackupPath string
	// Stale says nixboard no longer renders this file: remove deletes it,
	// backup moves it to BackupPath without writing anything in its place,
	// and kept leaves a file nixboard did not write alone.
	Stale bool
	// Diff is a unified diff from the file on disk to the rendered one; empty
	// when nothing changes.
	Diff string

	kind    Kind
	content []byte
	old     []byte
	existed bool
}

// Content returns the rendered content of the file.
func (f FileChange) Content() []byte { return f.content }

// Changes reports whether Apply writes, moves or removes this file.
func (f FileChange) Changes() bool {
	return f.Action == ActionCreate || f.Action == ActionUpdate || f.Action == ActionBackup || f.Action == ActionRemove
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

	git string
}

// RefusedError is returned by Apply when some files cannot be written
// safely. Nothing has been written.
type RefusedError struct{ Files []FileChange }

func (e *RefusedError) Error() string {
	var b strings.Builder
	b.WriteString("nothing was written, because")
	for _, f := range e.Files {
		fmt.Fprintf(&b, "\n  %s: %s", f.Path, f.Reason)
	}
	return b.String()
}

// Refused returns the files that cannot be written, or nil.
func (p *Plan) Refused() []FileChange {
	var out []FileChange
	for _, f := range p.Files {
		if f.Action == ActionRefuse {
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
// flakes only see files that git tracks.
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
// Files nixboard wrote earlier and the answers no longer need (Stale) are
// listed after the rendered ones: removed when unedited, moved aside when
// edited, left alone when nixboard did not write them.
func NewPlan(dir string, a Answers) (*Plan, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	git, err := exec.LookPath("git")
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
	rendered := map[string]bool{}
	for _, f := range files {
		c := planFile(abs, f)
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
	p.GitInit = !insideWorkTree(git, abs)
	return p, nil
}

func planFile(dir string, f File) FileChange {
	c := FileChange{Path: f.Path, kind: f.Kind, content: f.Content}
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
	owner := OwnershipOf(old)
	if f.Kind == AnswersData {
		owner = answersOwnership(old)
	}
	if owner == Ours {
		c.Action = ActionUpdate
		return c
	}
	c.Action = ActionBackup
	c.BackupPath = freeBackupPath(dir, f.Path)
	if owner == Edited {
		c.Reason = "it was edited after nixboard wrote it; the edited file is kept as " + c.BackupPath + " (put your own settings in home.nix)"
	} else {
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
	return []staleCandidate{{BaseModuleFile, why}}
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

func insideWorkTree(git, dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			out, err := exec.Command(git, "-C", d, "rev-parse", "--is-inside-work-tree").Output()
			return err == nil && strings.TrimSpace(string(out)) == "true"
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

// Apply carries out the plan. It writes nothing while any file is refused
// (RefusedError). Otherwise it writes every new content to a temporary file
// in the target's directory first, checks that no file changed since the
// plan was made, then links each file to be backed up to its backup name and
// renames the new contents into place (atomic on POSIX file systems) and
// removes the stale files (Stale), with fsync of files and directories.
// Last it runs git init when needed, git add on every rendered file, so the
// flake sees them, and git rm --cached on the removed ones, so it no longer
// does.
func (p *Plan) Apply() error {
	if refused := p.Refused(); len(refused) > 0 {
		return &RefusedError{Files: refused}
	}
	if err := os.MkdirAll(p.Dir, 0o755); err != nil {
		return fmt.Errorf("render %s: %w", p.Dir, err)
	}
	type pending struct {
		change FileChange
		full   string
		tmp    string
	}
	var todo []pending
	cleanup := func() {
		for _, t := range todo {
			if t.tmp != "" {
				os.Remove(t.tmp)
			}
		}
	}
	for _, f := range p.Files {
		if !f.Changes() {
			continue
		}
		full := filepath.Join(p.Dir, filepath.FromSlash(f.Path))
		if f.Stale {
			if err := p.unchangedSincePlan(f, full); err != nil {
				cleanup()
				return err
			}
			todo = append(todo, pending{change: f, full: full})
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			cleanup()
			return fmt.Errorf("render %s: %w", f.Path, err)
		}
		if err := p.unchangedSincePlan(f, full); err != nil {
			cleanup()
			return err
		}
		tmp, err := writeTemp(full, f.content)
		if err != nil {
			cleanup()
			return fmt.Errorf("render %s: %w", f.Path, err)
		}
		todo = append(todo, pending{f, full, tmp})
	}
	for _, t := range todo {
		if t.change.Action != ActionBackup {
			continue
		}
		backup := filepath.Join(p.Dir, filepath.FromSlash(t.change.BackupPath))
		if err := backupFile(t.full, backup); err != nil {
			cleanup()
			return fmt.Errorf("back up %s to %s: %w", t.change.Path, t.change.BackupPath, err)
		}
	}
	dirs := map[string]bool{}
	for i, t := range todo {
		if t.change.Stale {
			// Its backup, if it needs one, is already linked above.
			if err := os.Remove(t.full); err != nil {
				cleanup()
				return fmt.Errorf("remove %s: %w", t.change.Path, err)
			}
			dirs[filepath.Dir(t.full)] = true
			continue
		}
		if err := os.Rename(t.tmp, t.full); err != nil {
			cleanup()
			return fmt.Errorf("render %s: %w", t.change.Path, err)
		}
		todo[i].tmp = ""
		dirs[filepath.Dir(t.full)] = true
	}
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return fmt.Errorf("render %s: %w", d, err)
		}
	}
	return p.gitAdd()
}

// unchangedSincePlan refuses to go on when a file changed between Plan and
// Apply (the wizard's review screen can stay open for a while).
func (p *Plan) unchangedSincePlan(f FileChange, full string) error {
	now, err := os.ReadFile(full)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !f.existed:
		return nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("render %s: %w", f.Path, err)
	case f.existed != (err == nil) || !bytes.Equal(now, f.old):
		return fmt.Errorf("render %s: it changed after the plan was made; nothing was written, plan again", f.Path)
	}
	return nil
}

func writeTemp(full string, content []byte) (string, error) {
	tf, err := os.CreateTemp(filepath.Dir(full), "."+filepath.Base(full)+".nixboard-tmp-*")
	if err != nil {
		return "", err
	}
	name := tf.Name()
	_, err = tf.Write(content)
	if err == nil {
		err = tf.Chmod(0o644)
	}
	if err == nil {
		err = tf.Sync()
	}
	if cerr := tf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// backupFile keeps the existing file whole under backup: a hard link when
// the file system allows it, a copy otherwise. It never replaces an existing
// backup.
func backupFile(full, backup string) error {
	if err := os.Link(full, backup); err == nil {
		return nil
	} else if errors.Is(err, fs.ErrExist) {
		return err
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return err
	}
	bf, err := os.OpenFile(backup, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = bf.Write(data)
	if err == nil {
		err = bf.Sync()
	}
	if cerr := bf.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (p *Plan) gitAdd() error {
	if p.GitInit {
		if out, err := exec.Command(p.git, "init", "-q", p.Dir).CombinedOutput(); err != nil {
			return fmt.Errorf("git init %s: %w: %s", p.Dir, err, bytes.TrimSpace(out))
		}
	}
	var added, removed []string
	for _, f := range p.Files {
		switch {
		case !f.Stale:
			added = append(added, filepath.FromSlash(f.Path))
		case f.Changes():
			removed = append(removed, filepath.FromSlash(f.Path))
		}
	}
	add := append([]string{"-C", p.Dir, "add", "--"}, added...)
	if out, err := exec.Command(p.git, add...).CombinedOutput(); err != nil {
		return fmt.Errorf("git add in %s: %w: %s", p.Dir, err, bytes.TrimSpace(out))
	}
	if len(removed) > 0 {
		// --ignore-unmatch: a removed file that was never tracked is fine.
		rm := append([]string{"-C", p.Dir, "rm", "-q", "--cached", "--ignore-unmatch", "--"}, removed...)
		if out, err := exec.Command(p.git, rm...).CombinedOutput(); err != nil {
			return fmt.Errorf("git rm --cached in %s: %w: %s", p.Dir, err, bytes.TrimSpace(out))
		}
	}
	return nil
}
