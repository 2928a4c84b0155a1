package flakegen

// Checks NewPlan makes so that Apply does not fail after replacing files:
// git (a locked index, ignored paths) and free space.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nixboard/nixboard/internal/gitrepo"
	"github.com/nixboard/nixboard/internal/textwrap"
)

// repo is the git work tree a configuration directory is inside.
type repo struct {
	git gitrepo.Git
	// cwd is the nearest existing directory at or above the
	// configuration directory; git runs there.
	cwd string
	// top is the work tree's root, index its index file.
	top, index string
}

// existingAncestor returns dir or its nearest parent that exists.
func existingAncestor(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			return d
		}
	}
}

// findRepo returns the work tree dir is inside. The error wraps
// gitrepo.ErrNotRepository when dir is in none (Apply then runs git init);
// any other error is git refusing or failing, and no git init may follow.
func findRepo(ctx context.Context, git gitrepo.Git, dir string) (*repo, error) {
	cwd := existingAncestor(dir)
	wt, err := git.WorkTree(ctx, cwd)
	if err != nil {
		return nil, err
	}
	return &repo{git: git, cwd: cwd, top: wt.Top, index: wt.Index}, nil
}

// problems finds what would make git add fail after the files are
// written: a lock on the index, and rendered files the repository ignores
// (git add refuses them, and a flake only sees tracked files).
func (r *repo) problems(ctx context.Context, dir string, files []FileChange) []Blocker {
	if r == nil {
		return nil
	}
	var out []Blocker
	if _, err := os.Lstat(r.index + ".lock"); err == nil {
		out = append(out, Blocker{What: "git", Reason: fmt.Sprintf(
			"%s exists: another git command is running in the repository at %s, or one was stopped and left its lock behind; "+
				"when no git command is running any more, delete that file and run nixboard again", r.index+".lock", r.top)})
	}
	var paths []string
	byPath := map[string]string{}
	for _, f := range files {
		if f.Stale {
			continue
		}
		p, err := filepath.Rel(r.cwd, filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			continue
		}
		paths = append(paths, p)
		byPath[p] = f.Path
	}
	if len(paths) == 0 {
		return out
	}
	// -v -z prints source, line, pattern and path for each ignored path;
	// the exit status is 1 when none is ignored.
	stdout, err := r.git.Output(ctx, r.cwd, strings.NewReader(strings.Join(paths, "\x00")+"\x00"), "check-ignore", "-v", "-z", "--stdin")
	var ge *gitrepo.Error
	if errors.As(err, &ge) && ge.ExitCode == 1 {
		return out
	}
	if err != nil {
		return out
	}
	fields := bytes.Split(bytes.TrimSuffix(stdout, []byte{0}), []byte{0})
	var ignored []string
	var rules []string
	for i := 0; i+3 < len(fields); i += 4 {
		source, line, pattern, p := string(fields[i]), string(fields[i+1]), string(fields[i+2]), string(fields[i+3])
		if source == "" {
			continue // a path that is not ignored (only printed with -n)
		}
		ignored = append(ignored, byPath[p])
		rule := fmt.Sprintf("%q in %s line %s", pattern, source, line)
		if !slices.Contains(rules, rule) {
			rules = append(rules, rule)
		}
	}
	if len(ignored) == 0 {
		return out
	}
	what := strings.Join(ignored, ", ")
	if len(ignored) == len(paths) {
		what = "the configuration directory"
	}
	out = append(out, Blocker{What: "git", Reason: fmt.Sprintf(
		"the repository at %s ignores %s (%s), so git add would refuse the files, and a flake only sees the files git tracks; "+
			"take %s out of that rule (a line !%s after it) or choose another directory",
		r.top, what, strings.Join(rules, "; "), dir, relToTop(r.top, dir))})
	return out
}

func relToTop(top, dir string) string {
	r, err := filepath.Rel(top, dir)
	if err != nil {
		return dir
	}
	return "/" + filepath.ToSlash(r) + "/"
}

// Sizes git init and git add take beyond the files themselves, measured
// with Debian's git 2.39 (a fresh .git is 27 entries, 65 kB) and rounded
// up.
const (
	gitInitBytes  = 128 << 10
	gitInitInodes = 48
)

// spaceProblems refuses a plan that cannot fit on its file system, so that
// a full disk stops nixboard before it creates anything: the temporary
// files, git's objects for them and git init need room at once, while the
// originals stay until the new files are in place.
func spaceProblems(dir string, p *Plan) []Blocker {
	free, ok := freeSpaceAt(existingAncestor(dir))
	if !ok {
		return nil
	}
	bs := free.blockSize
	if bs == 0 {
		bs = 4096
	}
	blocks := func(n int) uint64 { return (uint64(n)/bs + 1) * bs }
	var needBytes, needInodes uint64
	for _, f := range p.Files {
		if f.Stale || !f.Changes() {
			continue
		}
		// The temporary file, then git's object for it (a loose object
		// and, the first time, its directory).
		needBytes += 2 * blocks(len(f.content))
		needInodes += 3
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		needBytes += bs
		needInodes++
	}
	if needBytes > 0 {
		needInodes += 3                    // nixboard/, .nixboard/ and .nixboard/last-rendered/
		needBytes += 3*bs + 2*blocks(4096) // those, and git's index rewritten beside the old one
	}
	if p.GitInit {
		needBytes += gitInitBytes
		needInodes += gitInitInodes
	}
	var out []Blocker
	if needBytes > free.bytes {
		out = append(out, Blocker{What: "disk space", Reason: fmt.Sprintf(
			"the file system of %s has %s free, and writing the files and tracking them in git needs about %s; free some space and run nixboard again",
			dir, humanBytes(free.bytes), humanBytes(needBytes))})
	} else if free.inodesKnown && needInodes > free.inodes {
		out = append(out, Blocker{What: "disk space", Reason: fmt.Sprintf(
			"the file system of %s has room for %s, and writing the files and tracking them in git needs about %d; delete some files and run nixboard again",
			dir, textwrap.Count(int(free.inodes), "more file", "more files"), needInodes)})
	}
	return out
}

type freeSpace struct {
	bytes, blockSize uint64
	inodes           uint64
	inodesKnown      bool
}

func humanBytes(n uint64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 10<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return textwrap.Count(int(n), "byte", "bytes")
}
