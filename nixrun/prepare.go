package nixrun

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
// repository in the configuration directory when it is not in one.
func trackFiles(ctx context.Context, p Plan) error {
	if p.Git == "" {
		if _, err := os.Stat(filepath.Join(p.Dir, ".git")); err == nil {
			return fmt.Errorf("switch: %s is a git repository but git is not on PATH: install git so the rendered files can be added", p.Dir)
		}
		// Without git the flake is read as a plain directory.
		return nil
	}
	if runGit(ctx, p, "rev-parse", "--is-inside-work-tree") != nil {
		if err := runGit(ctx, p, "init", "--quiet"); err != nil {
			return err
		}
	}
	files := p.Track
	if len(files) == 0 {
		out, err := outputGit(ctx, p, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
		if err != nil {
			return err
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
	return runGit(ctx, p, append([]string{"add", "--"}, files...)...)
}

func runGit(ctx context.Context, p Plan, args ...string) error {
	_, err := outputGit(ctx, p, args...)
	return err
}

func outputGit(ctx context.Context, p Plan, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, p.Git, args...)
	cmd.Dir = p.Dir
	cmd.Env = p.Env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("switch: git %s in %s: %w: %s", strings.Join(args, " "), p.Dir, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
