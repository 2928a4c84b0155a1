package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StatusEntry is one line of `git status --porcelain=v2 -z`.
type StatusEntry struct {
	// Kind is the line's type: '1' (changed), '2' (renamed or copied),
	// 'u' (unmerged), '?' (untracked) or '!' (ignored).
	Kind byte
	// XY is the staged and unstaged status ("M.", ".M", "A.", ...); ""
	// for untracked and ignored files.
	XY string
	// Path is relative to the work tree's top, slash-separated; Orig is
	// a rename's or copy's source.
	Path, Orig string
}

// Changed says the entry is a change git would commit or has in its
// index: anything but an untracked or an ignored file.
func (e StatusEntry) Changed() bool { return e.Kind == '1' || e.Kind == '2' || e.Kind == 'u' }

// Status runs `git status --porcelain=v2 -z --untracked-files=all` at the
// top of the work tree dir is in and returns its entries, paths relative to
// that top.
func (g Git) Status(ctx context.Context, dir string) ([]StatusEntry, error) {
	out, err := g.Output(ctx, dir, nil, "status", "--porcelain=v2", "-z", "--untracked-files=all", "--no-renames", "--", ":/")
	if err != nil {
		return nil, err
	}
	return parseStatus(string(out))
}

// parseStatus reads porcelain v2 -z output: NUL-terminated records, a
// rename's source in the record after it.
func parseStatus(out string) ([]StatusEntry, error) {
	recs := strings.Split(out, "\x00")
	var es []StatusEntry
	for i := 0; i < len(recs); i++ {
		r := recs[i]
		if r == "" {
			continue
		}
		// Fields before the path: 1 has 8, 2 has 9, u has 10.
		fields := map[byte]int{'1': 8, '2': 9, 'u': 10, '?': 1, '!': 1}
		n, ok := fields[r[0]]
		if !ok {
			if r[0] == '#' {
				continue
			}
			return nil, fmt.Errorf("git status: unexpected record %q", r)
		}
		parts := strings.SplitN(r, " ", n+1)
		if len(parts) != n+1 {
			return nil, fmt.Errorf("git status: short record %q", r)
		}
		e := StatusEntry{Kind: r[0], Path: parts[n]}
		if n > 1 {
			e.XY = parts[1]
		}
		if e.Kind == '2' {
			i++
			if i < len(recs) {
				e.Orig = recs[i]
			}
		}
		es = append(es, e)
	}
	return es, nil
}

// HasHead says the repository at dir has a commit checked out.
func (g Git) HasHead(ctx context.Context, dir string) (bool, error) {
	err := g.Run(ctx, dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	var ge *Error
	if errors.As(err, &ge) && ge.ExitCode == 1 {
		return false, nil
	}
	return err == nil, err
}

// Identity is the name and e-mail a commit is made with when the
// repository and the environment have none.
type Identity struct{ Name, Email string }

// withIdentity returns g with id as author and committer when git has no
// identity of its own (user.name or user.email unset in every config git
// reads, and no GIT_AUTHOR_*/GIT_COMMITTER_* in the environment). Only the
// commands run with the result see it: no configuration is written.
func (g Git) withIdentity(ctx context.Context, dir string, id Identity) Git {
	if id.Name == "" || id.Email == "" {
		return g
	}
	has := func(key, env string) bool {
		for _, kv := range g.Env {
			if strings.HasPrefix(kv, env+"=") {
				return true
			}
		}
		out, err := g.Output(ctx, dir, nil, "config", "--get", key)
		return err == nil && strings.TrimSpace(string(out)) != ""
	}
	if has("user.name", "GIT_AUTHOR_NAME") && has("user.email", "GIT_AUTHOR_EMAIL") {
		return g
	}
	env := append([]string(nil), g.Env...)
	env = append(env, "GIT_AUTHOR_NAME="+id.Name, "GIT_AUTHOR_EMAIL="+id.Email, "GIT_COMMITTER_NAME="+id.Name, "GIT_COMMITTER_EMAIL="+id.Email)
	return Git{Path: g.Path, Env: env}
}

// Commit stages paths (relative to dir; additions, changes and deletions)
// and commits the index with message, as id when git has no identity. The
// caller has made sure the index holds nothing else. It returns the new
// commit's hash.
func (g Git) Commit(ctx context.Context, dir, message string, paths []string, id Identity) (string, error) {
	if len(paths) > 0 {
		if err := g.Run(ctx, dir, append([]string{"add", "-A", "--"}, paths...)...); err != nil {
			return "", err
		}
	}
	gi := g.withIdentity(ctx, dir, id)
	if _, err := gi.Output(ctx, dir, strings.NewReader(message), "commit", "--quiet", "--no-verify", "-F", "-"); err != nil {
		return "", err
	}
	out, err := g.Output(ctx, dir, nil, "rev-parse", "HEAD")
	return strings.TrimSpace(string(out)), err
}

// RestoreFrom makes the files under pathspec (index and work tree) what
// they are in commit: changed files get commit's content, files commit
// does not have are deleted.
func (g Git) RestoreFrom(ctx context.Context, dir, commit, pathspec string) error {
	return g.Run(ctx, dir, "restore", "--source="+commit, "--staged", "--worktree", "--", pathspec)
}

// NotesRef is where nixboard keeps what it learns about a commit after
// making it (the home-manager generation a run produced): git notes, so
// the commit and the files stay as they were.
const NotesRef = "refs/notes/nixboard"

// SetNote replaces commit's note in NotesRef with text.
func (g Git) SetNote(ctx context.Context, dir, commit, text string, id Identity) error {
	return g.withIdentity(ctx, dir, id).Run(ctx, dir, "notes", "--ref="+NotesRef, "add", "--force", "-m", text, commit)
}

// LogEntry is one commit as Log lists it.
type LogEntry struct {
	Hash    string
	Time    time.Time
	Subject string
	// Trailers are the values of the trailer key Log was asked for.
	Trailer string
	// Note is the commit's note in NotesRef ("" when none).
	Note string
}

// Log lists the commits that touched pathspec, newest first, with the
// value of trailer key and the note in NotesRef of each.
func (g Git) Log(ctx context.Context, dir, key, pathspec string) ([]LogEntry, error) {
	format := "%H%x1f%ct%x1f%s%x1f%(trailers:key=" + key + ",valueonly,separator=%x2c)%x1f%N%x1e"
	out, err := g.Output(ctx, dir, nil, "log", "--notes="+NotesRef, "--format="+format, "--", pathspec)
	if err != nil {
		var ge *Error
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "does not have any commits") {
			return nil, nil
		}
		return nil, err
	}
	var es []LogEntry
	for _, rec := range strings.Split(string(out), "\x1e") {
		rec = strings.TrimLeft(rec, "\n")
		if rec == "" {
			continue
		}
		f := strings.Split(rec, "\x1f")
		if len(f) != 5 {
			return nil, fmt.Errorf("git log: unexpected record %q", rec)
		}
		sec, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("git log: commit time %q: %w", f[1], err)
		}
		es = append(es, LogEntry{Hash: f[0], Time: time.Unix(sec, 0), Subject: f[2], Trailer: strings.TrimSpace(f[3]), Note: strings.TrimSpace(f[4])})
	}
	return es, nil
}
