// Package gitrepo runs git for nixboard: always with a context and the
// environment nixboard was given (git is found on that environment's
// PATH, never the process's), and with its failures reported as what they
// are. "Not a git repository" is one answer; a refusal such as "detected
// dubious ownership" is another, and must never be taken for the first (a
// caller that did would run git init inside someone's repository).
package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nixboard/nixboard/internal/shell"
)

// Git is a git binary and the environment it runs with.
type Git struct {
	// Path is the git executable.
	Path string
	// Env is the environment git runs with (KEY=VALUE pairs); nil is an
	// empty environment, never the process's.
	Env []string
}

// Find looks git up on the PATH of env.
func Find(env []string) (Git, error) {
	p, err := shell.LookPath("git", shell.Getenv(env, "PATH"))
	if err != nil {
		return Git{}, err
	}
	return Git{Path: p, Env: env}, nil
}

// Error is a git command that failed: it could not start, or it exited
// with a status other than 0.
type Error struct {
	Args []string
	Dir  string
	// ExitCode is git's exit status, or -1 when it did not run to the
	// end (not started, or stopped by the context or a signal).
	ExitCode int
	// Stderr is what git printed on stderr, trimmed.
	Stderr string
	Err    error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("git %s in %s: %v", strings.Join(e.Args, " "), e.Dir, e.Err)
	if e.Stderr != "" {
		// One line: git's advice comes on lines of its own, indented.
		msg += ": " + strings.Join(strings.Fields(e.Stderr), " ")
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotRepository is wrapped by WorkTree when git says the directory is
// not inside any git repository, and only then.
var ErrNotRepository = errors.New("not inside a git repository")

// env is the environment git runs with: the given one with messages in
// English, so that WorkTree can tell "not a git repository" from any other
// refusal whatever the person's language, and without the variables that
// point git at another repository than the directory's own (set in a git
// hook, they would make nixboard add its files to that repository).
func (g Git) env() []string {
	out := make([]string, 0, len(g.Env)+1)
	for _, kv := range g.Env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LC_ALL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR":
			continue
		}
		out = append(out, kv)
	}
	return append(out, "LC_ALL=C")
}

// Output runs git with args in dir, stdin (when not nil) as its input, and
// returns its standard output. A failure is an *Error.
func (g Git) Output(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	out, err := g.output(ctx, dir, stdin, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// output is Output that also returns what git printed on stdout when it
// failed: git merge-file prints its result and exits with the number of
// conflicts.
func (g Git) output(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	if g.Path == "" {
		return nil, &Error{Args: args, Dir: dir, ExitCode: -1, Err: errors.New("git is not on PATH")}
	}
	cmd := exec.CommandContext(ctx, g.Path, args...)
	cmd.Dir = dir
	cmd.Env = g.env()
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		e := &Error{Args: args, Dir: dir, ExitCode: -1, Stderr: strings.TrimSpace(stderr.String()), Err: err}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			e.ExitCode = exit.ExitCode()
		}
		if ctx.Err() != nil {
			e.Err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return out, e
	}
	return out, nil
}

// Run is Output without the output.
func (g Git) Run(ctx context.Context, dir string, args ...string) error {
	_, err := g.Output(ctx, dir, nil, args...)
	return err
}

// WorkTree is the git work tree a directory is inside.
type WorkTree struct {
	// Top is the work tree's root directory.
	Top string
	// Index is the path of its index file.
	Index string
}

// WorkTree finds the work tree dir (which must exist) is inside. When git
// says dir is in no repository, the error wraps ErrNotRepository; any other
// failure (git refusing the repository, git missing, dir inside a .git
// directory or a bare repository) is returned as it is and does not.
func (g Git) WorkTree(ctx context.Context, dir string) (WorkTree, error) {
	out, err := g.Output(ctx, dir, nil, "rev-parse", "--is-inside-work-tree", "--show-toplevel", "--git-path", "index")
	if err != nil {
		var ge *Error
		// git 2.x words it "fatal: not a git repository (or any of the
		// parent directories): .git", or "... (or any parent up to mount
		// point /m)" at a file-system boundary, with exit status 128. A
		// .git file naming a missing directory says "fatal: not a git
		// repository: DIR": a broken repository, not the absence of one.
		if errors.As(err, &ge) && ge.ExitCode == 128 && strings.HasPrefix(ge.Stderr, "fatal: not a git repository (or any") {
			return WorkTree{}, fmt.Errorf("%s: %w", dir, ErrNotRepository)
		}
		return WorkTree{}, err
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "true" {
		// "false" without a top-level: dir is inside a .git directory or
		// a bare repository, which has no work tree to add files to.
		return WorkTree{}, fmt.Errorf("%s is inside a git directory, not a work tree (git rev-parse printed %q)", dir, strings.TrimSpace(string(out)))
	}
	index := lines[2]
	if !filepath.IsAbs(index) {
		index = filepath.Join(dir, index)
	}
	return WorkTree{Top: lines[1], Index: index}, nil
}

// Init creates a repository in dir.
func (g Git) Init(ctx context.Context, dir string) error {
	return g.Run(ctx, dir, "init", "--quiet", dir)
}

// MergeLabels name the three versions in the conflict markers git
// merge-file writes: Ours on "<<<<<<<", Base on "|||||||" (diff3 style),
// Theirs on ">>>>>>>".
type MergeLabels struct {
	Ours, Base, Theirs string
}

// MergeFile merges three versions of a file with `git merge-file -p
// --diff3`: the changes from base to ours and from base to theirs, both
// applied. It returns the result and the number of conflicts, each written
// into the result between conflict markers in diff3 style (ours, base,
// theirs). git needs no repository for this: the three versions go to
// temporary files under tmpDir ("" is the system's), removed again before
// MergeFile returns. git merge-file's exit status is the number of
// conflicts (127 standing for 127 or more); a status above 127, or git not
// running at all, is an error.
func (g Git) MergeFile(ctx context.Context, tmpDir string, base, ours, theirs []byte, labels MergeLabels) (merged []byte, conflicts int, err error) {
	dir, err := os.MkdirTemp(tmpDir, "nixboard-merge-")
	if err != nil {
		return nil, 0, fmt.Errorf("git merge-file: %w", err)
	}
	defer os.RemoveAll(dir)
	names := [3]string{"ours", "base", "theirs"}
	for i, content := range [3][]byte{ours, base, theirs} {
		if err := os.WriteFile(filepath.Join(dir, names[i]), content, 0o600); err != nil {
			return nil, 0, fmt.Errorf("git merge-file: %w", err)
		}
	}
	args := []string{"merge-file", "-p", "--diff3",
		"-L", labels.Ours, "-L", labels.Base, "-L", labels.Theirs,
		names[0], names[1], names[2]}
	out, err := g.output(ctx, dir, nil, args...)
	var ge *Error
	switch {
	case err == nil:
		return out, 0, nil
	case errors.As(err, &ge) && ge.ExitCode > 0 && ge.ExitCode <= 127:
		return out, ge.ExitCode, nil
	}
	return nil, 0, err
}
