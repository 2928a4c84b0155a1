package flakegen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/nixboard/nixboard/internal/shell"
)

// Apply carries out the plan, all or nothing. It writes nothing while the
// plan has Problems (RefusedError). Otherwise it checks that no file
// changed since the plan was made, creates the missing directories, writes
// every new content to a temporary file next to its target, links each file
// to be backed up to its backup name, keeps a link (or a copy) of every
// file it replaces or removes, and only then renames the new contents into
// place (atomic on POSIX file systems) and removes the stale files, with
// fsync of files and directories.
//
// When any of these steps fails, Apply puts everything back as it was: the
// files already replaced get their originals again, created files,
// directories, backups and temporary files are removed, and the error (an
// *ApplyError) says "nothing was changed". When even that fails, the error
// lists every file with what it holds now and the command that finishes
// putting it back.
//
// Last it runs git init when needed, git add on every rendered file, so the
// flake sees them, and git rm --cached on the removed ones, so it no longer
// does. A git failure leaves the files written and returns a *GitError
// that names the files git does not track yet and the commands to run.
func (p *Plan) Apply(ctx context.Context) error {
	if rerr := p.Problems(); rerr != nil {
		return rerr
	}
	// A context that is already done stops Apply before it writes
	// anything; once the files are in place only git is left to stop.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("nothing was written: %w", err)
	}
	ops := p.ops
	if ops == nil {
		ops = osOps{}
	}
	tx := &transaction{dir: p.Dir, ops: ops}
	for _, f := range p.Files {
		if f.Changes() {
			tx.steps = append(tx.steps, &step{change: f, full: filepath.Join(p.Dir, filepath.FromSlash(f.Path))})
		}
	}
	// Nothing is created before every file is known to be as planned.
	for _, s := range tx.steps {
		if err := unchangedSincePlan(s.change, s.full); err != nil {
			return err
		}
	}
	if err := tx.prepare(); err != nil {
		return tx.rollback(err)
	}
	if err := tx.commit(); err != nil {
		return tx.rollback(err)
	}
	tx.finish()
	for _, d := range tx.touchedDirs() {
		if err := syncDir(d); err != nil {
			return fmt.Errorf("the files are written, but flushing %s to disk failed: %w", d, err)
		}
	}
	return p.gitAdd(ctx)
}

// fileOps are the file system calls Apply makes, so that a test can make
// one of them fail (EBUSY, ENOSPC) where no real failure can be arranged.
type fileOps interface {
	mkdir(path string) error
	// writeTemp writes content to a new temporary file next to full and
	// returns its path.
	writeTemp(full string, content []byte) (string, error)
	// writeNew writes content to a file that must not exist yet.
	writeNew(path string, content []byte) error
	link(oldname, newname string) error
	rename(oldname, newname string) error
	// remove deletes a file or an empty directory.
	remove(path string) error
}

type osOps struct{}

func (osOps) mkdir(path string) error                               { return os.Mkdir(path, 0o755) }
func (osOps) writeTemp(full string, content []byte) (string, error) { return writeTemp(full, content) }
func (osOps) writeNew(path string, content []byte) error            { return writeNew(path, content) }
func (osOps) link(oldname, newname string) error                    { return os.Link(oldname, newname) }
func (osOps) rename(oldname, newname string) error                  { return os.Rename(oldname, newname) }
func (osOps) remove(path string) error                              { return os.Remove(path) }

// step is one file of a transaction and how far it got.
type step struct {
	change FileChange
	full   string
	// tmp holds the new content until it is renamed into place.
	tmp string
	// backup is the backup made of the original (ActionBackup).
	backup string
	// undo is a link to (or a copy of) the original, kept until the
	// transaction is over, to put it back if a later step fails.
	undo string
	// done says the target was replaced or removed.
	done bool
}

type transaction struct {
	dir   string
	ops   fileOps
	steps []*step
	// dirs are the directories the transaction created, parents first.
	dirs []string
	// failed is the step that failed, or nil (a directory failed).
	failed *step
}

// prepare does everything that leaves the configuration as it is:
// directories, temporary files, backups.
func (tx *transaction) prepare() error {
	for _, s := range tx.steps {
		if s.change.Stale {
			continue
		}
		tx.failed = s
		if err := tx.mkdirAll(filepath.Dir(s.full)); err != nil {
			return err
		}
		tmp, err := tx.ops.writeTemp(s.full, s.change.content)
		if err != nil {
			return err
		}
		s.tmp = tmp
	}
	for _, s := range tx.steps {
		if s.change.BackupPath == "" {
			continue
		}
		tx.failed = s
		backup := filepath.Join(tx.dir, filepath.FromSlash(s.change.BackupPath))
		if err := tx.keep(s.full, backup, s.change.old); err != nil {
			return fmt.Errorf("back up to %s: %w", s.change.BackupPath, err)
		}
		s.backup = backup
	}
	tx.failed = nil
	return nil
}

// commit replaces and removes the files, keeping each original first.
func (tx *transaction) commit() error {
	for _, s := range tx.steps {
		tx.failed = s
		if s.change.existed {
			undo, err := tx.keepUndo(s.full, s.change.old)
			if err != nil {
				return fmt.Errorf("keep the original: %w", err)
			}
			s.undo = undo
		}
		if s.change.Stale {
			if err := tx.ops.remove(s.full); err != nil {
				return err
			}
		} else {
			if err := tx.ops.rename(s.tmp, s.full); err != nil {
				return err
			}
			s.tmp = ""
		}
		s.done = true
	}
	tx.failed = nil
	return nil
}

// finish removes the originals kept for undoing. One left behind (the
// removal failed) is a stale temporary file the next run removes.
func (tx *transaction) finish() {
	for _, s := range tx.steps {
		if s.undo != "" {
			tx.ops.remove(s.undo)
			s.undo = ""
		}
	}
}

func (tx *transaction) touchedDirs() []string {
	var dirs []string
	for _, s := range tx.steps {
		if d := filepath.Dir(s.full); !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// mkdirAll creates dir and its missing parents, recording each one it
// created so that a rollback removes exactly those.
func (tx *transaction) mkdirAll(dir string) error {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%s is not a directory", d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(d) == d {
			return err
		}
		missing = append(missing, d)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := tx.ops.mkdir(missing[i]); err != nil {
			return fmt.Errorf("create directory %s: %w", missing[i], err)
		}
		tx.dirs = append(tx.dirs, missing[i])
	}
	return nil
}

// keep makes newname a second name of full: a hard link when the file
// system allows it, otherwise a new file with content (what the plan read
// and found unchanged). It never replaces an existing file.
func (tx *transaction) keep(full, newname string, content []byte) error {
	err := tx.ops.link(full, newname)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	return tx.ops.writeNew(newname, content)
}

// keepUndo keeps the original of full under a fresh temporary name (the
// pattern of staleTemporaries) and returns that name.
func (tx *transaction) keepUndo(full string, content []byte) (string, error) {
	for {
		name := filepath.Join(filepath.Dir(full), fmt.Sprintf(".%s%sundo-%d", filepath.Base(full), tempInfix, rand.Uint32()))
		err := tx.keep(full, name, content)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, err
	}
}

// rollback undoes every step, newest first, and returns the ApplyError
// for cause.
func (tx *transaction) rollback(cause error) error {
	e := &ApplyError{Dir: tx.dir, Err: cause}
	if tx.failed != nil {
		e.Path = tx.failed.change.Path
	}
	var restored []string
	for i := len(tx.steps) - 1; i >= 0; i-- {
		s := tx.steps[i]
		if s.done {
			var err error
			if s.undo != "" {
				err = tx.ops.rename(s.undo, s.full)
			} else {
				err = tx.ops.remove(s.full)
			}
			if err == nil {
				s.done, s.undo = false, ""
				restored = append(restored, s.change.Path)
			}
		}
		if s.undo != "" && !s.done {
			if tx.ops.remove(s.undo) == nil {
				s.undo = ""
			}
		}
		if s.tmp != "" && tx.ops.remove(s.tmp) == nil {
			s.tmp = ""
		}
		if s.backup != "" && tx.ops.remove(s.backup) == nil {
			s.backup = ""
		}
	}
	for i := len(tx.dirs) - 1; i >= 0; i-- {
		if tx.ops.remove(tx.dirs[i]) != nil {
			e.Extra = append(e.Extra, rel(tx.dir, tx.dirs[i])+"/ (an empty directory this run created)")
		}
	}
	slices.Reverse(restored)
	e.Restored = restored
	e.RolledBack = true
	for _, s := range tx.steps {
		if s.done {
			e.RolledBack = false
		}
		e.Files = append(e.Files, s.state(tx.dir))
		if s.tmp != "" {
			e.Extra = append(e.Extra, rel(tx.dir, s.tmp)+" (a temporary file)")
		}
		if s.undo != "" && !s.done {
			e.Extra = append(e.Extra, rel(tx.dir, s.undo)+" (a copy of "+s.change.Path+", which is as it was)")
		}
		if s.backup != "" {
			e.Extra = append(e.Extra, s.change.BackupPath+" (a copy of "+s.change.Path+", which is as it was)")
		}
	}
	return e
}

// state says what the step's file holds after a rollback.
func (s *step) state(dir string) FileState {
	st := FileState{Path: s.change.Path, State: "as it was"}
	if !s.done {
		return st
	}
	switch {
	case s.change.Stale && s.undo != "":
		st.State = "deleted; its content is in " + rel(dir, s.undo)
		st.Fix = "mv " + rel(dir, s.undo) + " " + s.change.Path
	case s.undo != "":
		st.State = "has the new content; the old one is in " + rel(dir, s.undo)
		st.Fix = "mv " + rel(dir, s.undo) + " " + s.change.Path
	default:
		st.State = "created by this run"
		st.Fix = "rm " + s.change.Path
	}
	return st
}

func rel(dir, full string) string {
	r, err := filepath.Rel(dir, full)
	if err != nil {
		return full
	}
	return filepath.ToSlash(r)
}

// FileState is what one file holds after Apply failed and rolled back.
type FileState struct {
	Path string
	// State is "as it was", or what the file holds instead.
	State string
	// Fix, when the file is not as it was, is the command that puts it
	// back, to run in the configuration directory.
	Fix string
}

// ApplyError is returned when a step of Apply failed. Apply then undid what
// it had done: RolledBack says the configuration is exactly as before.
type ApplyError struct {
	Dir string
	// Path is the file whose step failed; empty for a directory.
	Path string
	Err  error
	// RolledBack says every file is as it was before Apply.
	RolledBack bool
	// Restored lists the files that had already been replaced or removed
	// and were put back.
	Restored []string
	// Files lists every file Apply was to change, with its state now.
	Files []FileState
	// Extra lists what the run could not clean up and that does no harm:
	// temporary files (the next run deletes them), copies, empty
	// directories.
	Extra []string
}

func (e *ApplyError) Unwrap() error { return e.Err }

func (e *ApplyError) Error() string {
	var b strings.Builder
	what := "writing the configuration"
	if e.Path != "" {
		what = "writing " + e.Path
	}
	if e.RolledBack {
		fmt.Fprintf(&b, "%s failed: %v; nothing was changed", what, e.Err)
		if len(e.Restored) > 0 {
			fmt.Fprintf(&b, " (%s, already replaced, %s put back)", strings.Join(e.Restored, ", "), map[bool]string{true: "was", false: "were"}[len(e.Restored) == 1])
		}
		if notWritable(e.Err) {
			// The person can do something about this one: say what.
			fmt.Fprintf(&b, ".\n%s cannot be written to (%s): make it writable (`ls -ld %s` shows its owner and mode), or choose a directory you can write to with --dir DIR", e.Dir, notWritableWhy(e.Err), shell.Quote(e.Dir))
		}
	} else {
		fmt.Fprintf(&b, "%s failed: %v; putting back what was already written failed too, so %s is half-written:", what, e.Err, e.Dir)
		var fixes []string
		for _, f := range e.Files {
			fmt.Fprintf(&b, "\n  %s: %s", f.Path, f.State)
			if f.Fix != "" {
				fixes = append(fixes, f.Fix)
			}
		}
		fmt.Fprintf(&b, "\nto put it all back, run in %s:\n  %s\nthen run nixboard again", e.Dir, strings.Join(fixes, "\n  "))
	}
	if len(e.Extra) > 0 {
		fmt.Fprintf(&b, "\nalso left in %s, harmless: %s", e.Dir, strings.Join(e.Extra, "; "))
	}
	return b.String()
}

// notWritable reports whether err is the file system refusing a write: a
// permission denied, or a read-only file system.
func notWritable(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// notWritableWhy names the refusal of a write in a few words.
func notWritableWhy(err error) string {
	if errors.Is(err, syscall.EROFS) {
		return "it is on a read-only file system"
	}
	return "permission denied"
}

// unchangedSincePlan refuses to go on when a file changed between Plan and
// Apply (the wizard's review screen can stay open for a while).
func unchangedSincePlan(f FileChange, full string) error {
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
	tf, err := os.CreateTemp(filepath.Dir(full), "."+filepath.Base(full)+tempInfix+"*")
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

// writeNew writes a new file, never replacing one.
func writeNew(path string, content []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(content)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
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

// GitError is returned by Apply when the files are written but git failed
// to track them (or to untrack the removed ones). Flakes only see tracked
// files, so the configuration does not build until the commands run.
type GitError struct {
	Dir string
	// Untracked are the rendered files git does not track.
	Untracked []string
	// Indexed are removed files git still has in its index.
	Indexed []string
	// Commands fix it, run in Dir.
	Commands []string
	Err      error
}

func (e *GitError) Unwrap() error { return e.Err }

func (e *GitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the files are written, but %v", e.Err)
	if len(e.Untracked) > 0 {
		fmt.Fprintf(&b, "\ngit does not track %s yet, and a flake only sees the files git tracks", strings.Join(e.Untracked, ", "))
	}
	if len(e.Indexed) > 0 {
		fmt.Fprintf(&b, "\n%s, deleted, %s still in git's index", strings.Join(e.Indexed, ", "), map[bool]string{true: "is", false: "are"}[len(e.Indexed) == 1])
	}
	if len(e.Commands) > 0 {
		fmt.Fprintf(&b, "\nonce the problem is fixed, run in %s:\n  %s", e.Dir, strings.Join(e.Commands, "\n  "))
	}
	return b.String()
}

func (p *Plan) gitAdd(ctx context.Context) error {
	var added, removed []string
	for _, f := range p.Files {
		switch {
		case !f.Stale:
			added = append(added, f.Path)
		case f.Changes():
			removed = append(removed, f.Path)
		}
	}
	// The paths are nixboard's own names (and temporary names made of them
	// and digits), so the commands need no quoting.
	addCmd := "git add -- " + strings.Join(added, " ")
	rmCmd := "git rm -q --cached --ignore-unmatch -- " + strings.Join(removed, " ")
	fail := func(err error, commands ...string) error {
		ge := &GitError{Dir: p.Dir, Err: err}
		ge.Untracked, ge.Indexed = p.gitState(ctx, added, removed)
		for _, c := range commands {
			if (c == addCmd && len(ge.Untracked) == 0) || (c == rmCmd && len(ge.Indexed) == 0) {
				continue
			}
			ge.Commands = append(ge.Commands, c)
		}
		return ge
	}
	if p.GitInit {
		if err := p.git.Init(ctx, p.Dir); err != nil {
			ge := fail(fmt.Errorf("git init failed: %w", err)).(*GitError)
			ge.Untracked, ge.Commands = added, []string{"git init", addCmd}
			return ge
		}
	}
	if err := p.git.Run(ctx, p.Dir, append([]string{"add", "--"}, fromSlash(added)...)...); err != nil {
		return fail(fmt.Errorf("git add failed: %w", err), addCmd, rmCmd)
	}
	if len(removed) > 0 {
		// --ignore-unmatch: a removed file that was never tracked is fine.
		if err := p.git.Run(ctx, p.Dir, append([]string{"rm", "-q", "--cached", "--ignore-unmatch", "--"}, fromSlash(removed)...)...); err != nil {
			return fail(fmt.Errorf("git rm --cached failed: %w", err), rmCmd)
		}
	}
	return nil
}

// gitState asks git which of added it does not track and which of removed
// it still has in its index. When git cannot tell, it assumes the worst.
func (p *Plan) gitState(ctx context.Context, added, removed []string) (untracked, indexed []string) {
	out, err := p.git.Output(ctx, p.Dir, nil, append([]string{"ls-files", "-z", "--"}, fromSlash(append(slices.Clone(added), removed...))...)...)
	if err != nil {
		return added, removed
	}
	tracked := map[string]bool{}
	for _, f := range strings.Split(string(out), "\x00") {
		tracked[filepath.ToSlash(f)] = true
	}
	for _, f := range added {
		if !tracked[f] {
			untracked = append(untracked, f)
		}
	}
	for _, f := range removed {
		if tracked[f] {
			indexed = append(indexed, f)
		}
	}
	return untracked, indexed
}

func fromSlash(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.FromSlash(p)
	}
	return out
}
