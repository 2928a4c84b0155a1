package flakegen

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nixboard/nixboard/internal/gitrepo"
)

// RunTrailer is the git trailer that marks a commit as one applied run of
// nixboard (`Nixboard-Run: render` or `Nixboard-Run: undo`); history and
// undo read only commits that carry it.
const RunTrailer = "Nixboard-Run"

// CommitResult says what Commit did.
type CommitResult struct {
	// Hash is the commit made; "" when none was. Message is its message.
	Hash, Message string
	// Skipped says, in a sentence, why no commit was made ("" when one
	// was, or when there was nothing to commit).
	Skipped string
	// Foreign are the changes of the person's own that stopped the
	// commit, relative to the work tree's top.
	Foreign []string
}

// Commit records the applied plan as one git commit with the message
// message returns (a subject, a blank line and a body; the RunTrailer is
// added), told whether this is the repository's first commit. It commits
// only the files this plan renders, removes or moves aside, and the flake's
// lock: when the repository has any other change staged or modified (an
// edit of the person's own, home.nix included), it commits nothing and
// says so, so that nothing of theirs is ever committed over. With no
// change to commit (the same answers rendered again) it makes no commit.
// id is the author when git has no identity configured.
func (p *Plan) Commit(ctx context.Context, message func(first bool) string, id gitrepo.Identity) (CommitResult, error) {
	wt, err := p.git.WorkTree(ctx, p.Dir)
	if err != nil {
		return CommitResult{}, fmt.Errorf("commit: %w", err)
	}
	hasHead, err := p.git.HasHead(ctx, p.Dir)
	if err != nil {
		return CommitResult{}, fmt.Errorf("commit: %w", err)
	}
	status, err := p.git.Status(ctx, p.Dir)
	if err != nil {
		return CommitResult{}, fmt.Errorf("commit: %w", err)
	}
	// The directory as git names it: the top is resolved, so the
	// directory must be too.
	dir, err := filepath.EvalSymlinks(p.Dir)
	if err != nil {
		return CommitResult{}, fmt.Errorf("commit: %w", err)
	}
	rel, err := filepath.Rel(wt.Top, dir)
	if err != nil {
		return CommitResult{}, fmt.Errorf("commit: %w", err)
	}
	rel = filepath.ToSlash(rel)
	inTop := func(f string) string {
		if rel == "." {
			return f
		}
		return path.Join(rel, f)
	}
	ours := map[string]bool{inTop("flake.lock"): true}
	for _, f := range p.Files {
		switch {
		case f.Changes(), f.Action == ActionUnchanged:
			ours[inTop(f.Path)] = true
		case f.Action == ActionKeep && !hasHead:
			// A repository without a commit holds the files an earlier
			// nixboard staged and never committed: the configuration
			// as it stands, home.nix included, is the first commit.
			ours[inTop(f.Path)] = true
		}
	}
	// mine are the changes to commit; add the ones of them git has not
	// staged (a change in the work tree, or an untracked flake.lock
	// written by the first switch): git add of a deletion Apply staged
	// already would not find the file.
	var foreign, mine, add []string
	for _, e := range status {
		switch {
		case e.Kind == '?' && ours[e.Path]:
			mine, add = append(mine, e.Path), append(add, e.Path)
		case !e.Changed():
		case !ours[e.Path] || (e.Orig != "" && !ours[e.Orig]):
			foreign = append(foreign, e.Path)
		default:
			mine = append(mine, e.Path)
			if len(e.XY) == 2 && e.XY[1] != '.' {
				add = append(add, e.Path)
			}
		}
	}
	if len(foreign) > 0 {
		slices.Sort(foreign)
		return CommitResult{Foreign: foreign, Skipped: fmt.Sprintf("not committed: the repository has uncommitted changes of your own (%s); commit or stash them, and nixboard will commit its next run", strings.Join(foreign, ", "))}, nil
	}
	if len(mine) == 0 {
		return CommitResult{}, nil
	}
	hash, err := p.git.Commit(ctx, wt.Top, strings.TrimRight(message(!hasHead), "\n")+"\n\n"+RunTrailer+": render\n", add, id)
	if err != nil {
		return CommitResult{}, fmt.Errorf("commit: %w", err)
	}
	return CommitResult{Hash: hash, Message: message(!hasHead)}, nil
}
