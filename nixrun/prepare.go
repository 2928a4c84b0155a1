package nixrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nixboard/nixboard/internal/gitrepo"
)

// Prepare makes what a switch needs true before it starts: every rendered
// file is tracked by git (a flake in a git repository sees only tracked
// files) and home-manager's profile directory exists. It changes nothing
// outside the configuration directory except creating the profile
// directory.
func Prepare(ctx context.Context, p Plan) error {
	if err := trackFiles(ctx, p); err != nil {
		return err
	}
	if err := os.MkdirAll(p.ProfileDir, 0o755); err != nil {
		return fmt.Errorf("switch: create the profile directory %s: %w", p.ProfileDir, err)
	}
	return nil
}

// trackFiles runs `git add` on the rendered files, initialising a
// repository in the configuration directory only when git says it is in
// none: a repository git refuses (another owner, a broken .git) is an
// error, never a reason to nest a new one inside it.
func trackFiles(ctx context.Context, p Plan) error {
	if p.Git == "" {
		if _, err := os.Stat(filepath.Join(p.Dir, ".git")); err == nil {
			return fmt.Errorf("switch: %s is a git repository but git is not on PATH: install git so the rendered files can be added", p.Dir)
		}
		// Without git the flake is read as a plain directory.
		return nil
	}
	git := gitrepo.Git{Path: p.Git, Env: p.Env}
	if _, err := git.WorkTree(ctx, p.Dir); errors.Is(err, gitrepo.ErrNotRepository) {
		if err := git.Init(ctx, p.Dir); err != nil {
			return fmt.Errorf("switch: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("switch: git cannot track the files in %s (a flake only sees tracked files): %w", p.Dir, err)
	}
	files := p.Track
	if len(files) == 0 {
		out, err := git.Output(ctx, p.Dir, nil, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
		if err != nil {
			return fmt.Errorf("switch: %w", err)
		}
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
	}
	if len(files) == 0 {
		return nil
	}
	if err := git.Run(ctx, p.Dir, append([]string{"add", "--"}, files...)...); err != nil {
		return fmt.Errorf("switch: %w", err)
	}
	return nil
}
