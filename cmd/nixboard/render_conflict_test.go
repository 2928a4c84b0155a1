package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// conflictDir renders renderAnswers into a new directory, edits the line
// of flake.nix that the unstable release changes (the nixpkgs input), and
// returns the directory, the edited flake and answers for unstable.
func conflictDir(t *testing.T) (dir, edited, unstable string) {
	t.Helper()
	nixtest.RequireGit(t)
	dir = t.TempDir()
	if code, out, errOut := runCLI(t, nil, "render", "--answers", writeAnswers(t, renderAnswers), "--dir", dir); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	flake := filepath.Join(dir, "flake.nix")
	b, err := os.ReadFile(flake)
	if err != nil {
		t.Fatal(err)
	}
	const line = `nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";`
	if !bytes.Contains(b, []byte(line)) {
		t.Fatalf("flake.nix has no %s", line)
	}
	edited = strings.Replace(string(b), line, `nixpkgs.url = "github:alice/nixpkgs/nixos-26.05";`, 1)
	if err := os.WriteFile(flake, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	unstable = writeAnswers(t, strings.Replace(renderAnswers, `"shell": "zsh"`, `"shell": "zsh", "release": "unstable"`, 1))
	return dir, edited, unstable
}

func fileText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Without --on-conflict and without a terminal, render refuses: exit 1,
// each conflicting file named with the three choices, nothing written.
func TestRenderConflictRefusesWithoutAChoice(t *testing.T) {
	dir, edited, unstable := conflictDir(t)
	answersBefore := fileText(t, filepath.Join(dir, "nixboard.json"))
	code, out, errOut := runCLI(t, nil, "render", "--answers", unstable, "--dir", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"nothing was written: your edits conflict", "  flake.nix (1 conflict)\n", "--on-conflict keep ", "--on-conflict new ", "--on-conflict markers "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "  conflict  flake.nix: you edited it") {
		t.Errorf("stdout lacks the conflict line:\n%s", out)
	}
	if fileText(t, filepath.Join(dir, "flake.nix")) != edited || fileText(t, filepath.Join(dir, "nixboard.json")) != answersBefore {
		t.Error("files changed despite the refusal")
	}
	// A dry run reports the conflict as a problem, and writes nothing.
	code, _, errOut = runCLI(t, nil, "render", "--answers", unstable, "--dir", dir, "--dry-run")
	if code != 1 || !strings.Contains(errOut, "flake.nix: you edited it") {
		t.Errorf("dry run: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "render", "--answers", unstable, "--dir", dir, "--on-conflict", "mine"); code != 2 || !strings.Contains(errOut, "--on-conflict takes keep, new or markers") {
		t.Errorf("--on-conflict mine: exit %d\n%s", code, errOut)
	}
}

func TestRenderOnConflict(t *testing.T) {
	t.Run("keep", func(t *testing.T) {
		dir, edited, unstable := conflictDir(t)
		code, out, errOut := runCLI(t, nil, "render", "--answers", unstable, "--dir", dir, "--on-conflict", "keep")
		if code != 0 || !strings.Contains(out, "  kept      flake.nix: you chose to keep your edited file") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		if fileText(t, filepath.Join(dir, "flake.nix")) != edited {
			t.Error("flake.nix changed")
		}
		if !strings.Contains(fileText(t, filepath.Join(dir, "nixboard.json")), `"release": "unstable"`) {
			t.Error("nixboard.json does not have the new answers")
		}
	})
	t.Run("new", func(t *testing.T) {
		dir, edited, unstable := conflictDir(t)
		code, out, errOut := runCLI(t, nil, "render", "--answers", unstable, "--dir", dir, "--on-conflict", "new")
		if code != 0 || !strings.Contains(out, "  backup    flake.nix: you chose nixboard's new file; your edited file is kept as flake.nix.nixboard-backup") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		if got := fileText(t, filepath.Join(dir, "flake.nix")); strings.Contains(got, "alice/nixpkgs") || !strings.Contains(got, "nixpkgs-unstable") {
			t.Errorf("flake.nix is not the new rendering:\n%s", got)
		}
		if fileText(t, filepath.Join(dir, "flake.nix.nixboard-backup")) != edited {
			t.Error("the backup is not the edited flake")
		}
	})
	t.Run("markers", func(t *testing.T) {
		dir, edited, unstable := conflictDir(t)
		code, out, errOut := runCLI(t, nil, "render", "--answers", unstable, "--dir", dir, "--on-conflict", "markers")
		if code != 1 || !strings.Contains(errOut, "flake.nix has conflict markers: resolve them") || !strings.Contains(errOut, "before you switch") ||
			!strings.Contains(out, "written with conflict markers") || strings.Contains(out, "next: ") {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
		}
		got := fileText(t, filepath.Join(dir, "flake.nix"))
		for _, w := range []string{"<<<<<<< flake.nix (yours)\n", "alice/nixpkgs", "nixpkgs-unstable", ">>>>>>> flake.nix (as nixboard renders it now)\n"} {
			if !strings.Contains(got, w) {
				t.Errorf("flake.nix lacks %q:\n%s", w, got)
			}
		}
		if fileText(t, filepath.Join(dir, "flake.nix.nixboard-backup")) != edited {
			t.Error("the backup is not the edited flake")
		}
	})
}

// On a terminal render shows the merge and asks, until the answer is one
// of the three words; the end of input refuses.
func TestRenderConflictAsksOnATerminal(t *testing.T) {
	for _, tc := range []struct {
		name, stdin string
		code        int
	}{
		{"answered", "what\nkeep\n", 0},
		{"no answer", "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, edited, unstable := conflictDir(t)
			var out, errOut bytes.Buffer
			env := map[string]string{"PATH": os.Getenv("PATH"), "NO_COLOR": "1"}
			st := &stdio{in: strings.NewReader(tc.stdin), out: &out, err: &errOut, inTTY: true, outTTY: true,
				getenv: func(k string) string { return env[k] }, environ: os.Environ()}
			code := run(context.Background(), st, []string{"render", "--answers", unstable, "--dir", dir})
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), "<<<<<<< flake.nix (yours)") || !strings.Contains(out.String(), "flake.nix: keep (yours as it is)") {
				t.Errorf("the merge and the question are not shown:\n%s", out.String())
			}
			if tc.code == 0 && !strings.Contains(out.String(), "please answer keep, new or markers") {
				t.Errorf("a wrong answer is not asked again:\n%s", out.String())
			}
			if tc.code != 0 && !strings.Contains(errOut.String(), "no choice for flake.nix") {
				t.Errorf("stderr:\n%s", errOut.String())
			}
			if fileText(t, filepath.Join(dir, "flake.nix")) != edited {
				t.Error("flake.nix changed")
			}
		})
	}
}

// An edit away from nixboard's lines is merged: render says so, exits 0,
// and the flake has both the edit and the new release.
func TestRenderMergesAnEdit(t *testing.T) {
	nixtest.RequireGit(t)
	dir := t.TempDir()
	if code, out, errOut := runCLI(t, nil, "render", "--answers", writeAnswers(t, renderAnswers), "--dir", dir); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	flake := filepath.Join(dir, "flake.nix")
	own := "    mytools.url = \"github:alice/mytools\";\n"
	edited := strings.Replace(fileText(t, flake), "    };\n  };\n", "    };\n"+own+"  };\n", 1)
	if err := os.WriteFile(flake, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	unstable := writeAnswers(t, strings.Replace(renderAnswers, `"shell": "zsh"`, `"shell": "zsh", "release": "unstable"`, 1))
	code, out, errOut := runCLI(t, nil, "render", "--answers", unstable, "--dir", dir)
	if code != 0 || !strings.Contains(out, "  merge     flake.nix: you edited it after nixboard wrote it; nixboard's changes are merged into your edits") ||
		!strings.Contains(out, "\ndone: 3 updated, 6 unchanged, 1 kept, 1 merged\n") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if got := fileText(t, flake); !strings.Contains(got, own) || !strings.Contains(got, "nixpkgs-unstable") {
		t.Errorf("flake.nix:\n%s", got)
	}
}
