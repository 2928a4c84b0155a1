package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/nixtest"
)

const renderAnswers = `{
  "homeBase": {
    "username": "alice",
    "homeDirectory": "/home/alice",
    "enableOneDriveUtils": true,
    "shellAliases": {"ll": "ls -l"},
    "additionalPackages": ["ripgrep"]
  },
  "hostname": "laptop",
  "system": "x86_64-linux",
  "platform": "linux",
  "git": {"name": "Alice Example", "email": "alice@example.org"},
  "shell": "zsh"
}
`

func writeAnswers(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "answers.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRenderWritesAndReports(t *testing.T) {
	nixtest.RequireGit(t)
	answers := writeAnswers(t, renderAnswers)
	dir := filepath.Join(t.TempDir(), "hm")
	code, out, errOut := runCLI(t, nil, "render", "--answers", answers, "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		`homeConfigurations."alice@laptop"`,
		"  create    flake.nix\n", "  create    nixboard.json\n", "  create    home.nix\n",
		"  create    nixboard/base.nix\n", "  create    nixboard/answers.nix\n", "  create    .gitignore\n",
		"  git init  .: the directory becomes a git repository", "  create    .nixboard/last-rendered/nixboard.json: a copy of the nixboard.json nixboard writes", "\ndone: 11 created, git init\n",
		"next: nixboard switch --dir " + dir + ", or home-manager switch --flake " + dir + "#alice@laptop",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "note: homeBase.enableOneDriveUtils switched off") {
		t.Errorf("stderr lacks the note:\n%s", errOut)
	}
	saved, err := flakegen.Load(filepath.Join(dir, "nixboard.json"))
	if err != nil || saved.HomeBase.EnableOneDriveUtils || saved.ConfigName() != "alice@laptop" {
		t.Errorf("saved answers %+v, %v", saved.HomeBase, err)
	}

	// Again: nothing changes, home.nix is kept.
	code, out, _ = runCLI(t, nil, "render", "--answers", answers, "--dir", dir)
	if code != 0 || strings.Contains(out, "  create ") || strings.Contains(out, "  update ") || !strings.Contains(out, "\nalready up to date: 10 unchanged, 1 kept\n") ||
		!strings.Contains(out, "  unchanged flake.nix\n") || !strings.Contains(out, "  kept      home.nix: it is yours") {
		t.Errorf("second render: exit %d\n%s", code, out)
	}
}

func TestRenderDryRunWritesNothing(t *testing.T) {
	nixtest.RequireGit(t)
	answers := writeAnswers(t, renderAnswers)
	dir := t.TempDir()
	foreign := "{ outputs = _: { }; }\n"
	os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(foreign), 0o644)
	code, out, errOut := runCLI(t, nil, "render", "--answers", answers, "--dir", dir, "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"dry run, nothing is written:",
		"  backup    flake.nix: it was not written by nixboard; it is kept as flake.nix.nixboard-backup",
		"--- a/flake.nix\n+++ b/flake.nix\n", "-{ outputs = _: { }; }\n", "+# Written by nixboard",
		"--- /dev/null\n+++ b/nixboard.json\n", `+    "username": "alice",`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dry run wrote files: %v", entries)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "flake.nix")); string(b) != foreign {
		t.Error("dry run changed flake.nix")
	}
}

func TestRenderInvalidAnswers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hm")
	bad := strings.NewReplacer(`"alice"`, `"Alice Smith"`, `"laptop"`, `"my_laptop"`, `alice@example.org`, `alice`).Replace(renderAnswers)
	code, out, errOut := runCLI(t, nil, "render", "--answers", writeAnswers(t, bad), "--dir", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if out != "" {
		t.Errorf("stdout: %q", out)
	}
	for _, want := range []string{"invalid answers, nothing was written", "homeBase.username: \"Alice Smith\"", "hostname: \"my_laptop\"", "git.email: \"alice\""} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("directory created for invalid answers")
	}

	// Unknown keys, wrong types and bad values, all in one run.
	mixed := strings.Replace(bad, `"homeBase": {`, `"homeBase": {"usrname": "x", "enableGit": "yes",`, 1)
	code, out, errOut = runCLI(t, nil, "render", "--answers", writeAnswers(t, mixed), "--dir", dir)
	for _, want := range []string{
		"invalid answers, nothing was written:\n",
		`homeBase.usrname: "x" is not a key nixboard knows; did you mean "username"? Rename or remove it`,
		`homeBase.enableGit: "yes" must be true or false (without quotes), not a string`,
		`homeBase.username: "Alice Smith" is not a user name`,
		`hostname: "my_laptop" is not a host name`,
		`git.email: "alice" is not an e-mail address`,
	} {
		if code != 1 || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("mixed problems: exit %d, stderr lacks %q:\n%s", code, want, errOut)
		}
	}
}

func TestRenderRefusalExitsOne(t *testing.T) {
	nixtest.RequireGit(t)
	dir := t.TempDir()
	os.Symlink("/etc/hostname", filepath.Join(dir, "flake.nix"))
	code, out, errOut := runCLI(t, nil, "render", "--answers", writeAnswers(t, renderAnswers), "--dir", dir)
	if code != 1 || !strings.Contains(out, "  refuse    flake.nix: it is a symbolic link") || !strings.Contains(errOut, "nothing was written") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files written: %v", entries)
	}
}

func TestRenderUsage(t *testing.T) {
	for _, args := range [][]string{
		{"render"},
		{"render", "--answers"},
		{"render", "--answers", "a.json", "extra"},
		{"render", "--bogus"},
	} {
		code, _, errOut := runCLI(t, map[string]string{"HOME": t.TempDir()}, args...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	code, _, errOut := runCLI(t, nil, "render", "--answers", filepath.Join(t.TempDir(), "missing.json"), "--dir", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "missing.json") {
		t.Errorf("missing answers file: exit %d %q", code, errOut)
	}
	code, _, errOut = runCLI(t, nil, "render", "--answers", "x.json")
	if code != 2 || !strings.Contains(errOut, "HOME is not set") {
		t.Errorf("no HOME: exit %d %q", code, errOut)
	}
}

func TestDefaultConfigDir(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HOME": "/home/a"}, "/home/a/.config/home-manager"},
		{map[string]string{"HOME": "/home/a", "XDG_CONFIG_HOME": "/x/cfg"}, "/x/cfg/home-manager"},
		{map[string]string{"HOME": "/home/a", "XDG_CONFIG_HOME": "relative"}, "/home/a/.config/home-manager"},
	} {
		got, err := defaultConfigDir(func(k string) string { return c.env[k] })
		if err != nil || got != c.want {
			t.Errorf("%v: %q, %v; want %q", c.env, got, err, c.want)
		}
	}
}

func TestRenderDefaultDirFromHome(t *testing.T) {
	nixtest.RequireGit(t)
	home := t.TempDir()
	code, out, errOut := runCLI(t, map[string]string{"HOME": home}, "render", "--answers", writeAnswers(t, renderAnswers))
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(home, ".config", "home-manager", "flake.nix")); err != nil {
		t.Error(err)
	}
}

// Switching to a team base flake removes nixboard/base.nix; the output
// says so with paths relative to the directory, and the dry run shows the
// removal as a diff to /dev/null.
func TestRenderTeamBaseRemovesBuiltinBase(t *testing.T) {
	nixtest.RequireGit(t)
	dir := t.TempDir()
	if code, out, errOut := runCLI(t, nil, "render", "--answers", writeAnswers(t, renderAnswers), "--dir", dir); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	team := writeAnswers(t, strings.Replace(renderAnswers, `"shell": "zsh"`, `"shell": "zsh", "base": {"flake": "github:example/team", "module": "homeManagerModules.base"}`, 1))
	// The file is version 1, so its homeBase options become team values;
	// the team declares them.
	declares := func(_ context.Context, r baseopts.Request) (baseopts.Declarations, error) {
		return baseopts.Declarations{Base: r.Base, Options: []baseopts.Option{
			{Path: []string{"homeBase", "enableOneDriveUtils"}, Kind: baseopts.Bool},
			{Path: []string{"homeBase", "shellAliases"}, Kind: baseopts.Assignments},
			{Path: []string{"homeBase", "additionalPackages"}, Kind: baseopts.Packages},
		}}, nil
	}
	code, out, errOut := runCLIEvaluating(t, declares, "render", "--answers", team, "--dir", dir, "--dry-run")
	for _, want := range []string{
		"  remove    nixboard/base.nix: no longer used: the team base flake (base.flake \"github:example/team\") replaces nixboard's built-in base layer",
		"--- a/nixboard/base.nix\n+++ /dev/null\n",
		"\nwould be: 4 updated, 4 unchanged, 1 kept, 2 removed; nothing was written\n",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("dry run: exit %d, stdout lacks %q:\n%s\n%s", code, want, out, errOut)
		}
	}
	code, out, errOut = runCLIEvaluating(t, declares, "render", "--answers", team, "--dir", dir)
	if code != 0 || !strings.Contains(out, "\ndone: 4 updated, 4 unchanged, 1 kept, 2 removed\n") {
		t.Errorf("render: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "nixboard", "base.nix")); !os.IsNotExist(err) {
		t.Errorf("base.nix still there: %v", err)
	}
}

// The directory `home-manager init` leaves: its flake is backed up, its
// home.nix kept, and the output says how stateVersion was settled.
func TestRenderOverHomeManagerInit(t *testing.T) {
	nixtest.RequireGit(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "flake.nix"), []byte("{ outputs = _: { }; }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "home.nix"), []byte(`{ config, pkgs, ... }:
{
  home.username = "alice";
  home.homeDirectory = "/home/alice";
  home.stateVersion = "24.05";
  programs.home-manager.enable = true;
}
`), 0o644)
	code, out, errOut := runCLI(t, nil, "render", "--answers", writeAnswers(t, renderAnswers), "--dir", dir)
	for _, want := range []string{
		"  backup    flake.nix: it was not written by nixboard; it is kept as flake.nix.nixboard-backup\n",
		`  create    nixboard.json: homeBase.stateVersion is "24.05" to match home.stateVersion in home.nix (line 5); the answers said "26.05"`,
		`  kept      home.nix: it is yours: nixboard creates home.nix once and never changes it; it sets home.stateVersion = "24.05" (line 5)`,
		"\ndone: 9 created, 1 kept, 1 backed up, git init\n",
	} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("exit %d, stdout lacks %q:\n%s\n%s", code, want, out, errOut)
		}
	}

	// Another user's home.nix is refused, with the fix, and nothing written.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "home.nix"), []byte(`{ ... }: { home.username = "bob"; }`+"\n"), 0o644)
	code, out, errOut = runCLI(t, nil, "render", "--answers", writeAnswers(t, renderAnswers), "--dir", other)
	if code != 1 || !strings.Contains(out, `  refuse    home.nix: nixboard keeps and imports your home.nix, but it sets home.username (line 1) = "bob", but the answers say homeBase.username "alice"`) ||
		!strings.Contains(errOut, "nothing was written") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	if entries, _ := os.ReadDir(other); len(entries) != 1 {
		t.Errorf("files written: %v", entries)
	}
}

// Colour only on a terminal, and never with NO_COLOR or into a pipe.
func TestRenderColour(t *testing.T) {
	nixtest.RequireGit(t)
	answers := writeAnswers(t, renderAnswers)
	_, out, _ := runCLIWith(t, "", nil, true, "render", "--answers", answers, "--dir", t.TempDir(), "--dry-run")
	for _, want := range []string{"\x1b[32mcreate   \x1b[0m flake.nix", "\x1b[32m+# Written by nixboard", "\x1b[36m@@ -0,0 +1,"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = runCLIWith(t, "", map[string]string{"NO_COLOR": "yes"}, true, "render", "--answers", answers, "--dir", t.TempDir(), "--dry-run")
	_, piped, _ := runCLI(t, nil, "render", "--answers", answers, "--dir", t.TempDir(), "--dry-run")
	for name, o := range map[string]string{"NO_COLOR": out, "pipe": piped} {
		if strings.Contains(o, "\x1b") || !strings.Contains(o, "  create    flake.nix\n") {
			t.Errorf("%s: escape codes or no plan:\n%q", name, o)
		}
	}
}

// --dry-run reports what would stop the write before anything is written:
// here a lock on the index of the repository the directory is in, and a
// parent .gitignore that ignores it.
func TestRenderDryRunReportsGitProblems(t *testing.T) {
	nixtest.RequireGit(t)
	root := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", root).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	os.WriteFile(filepath.Join(root, ".git", "index.lock"), nil, 0o644)
	os.WriteFile(filepath.Join(root, ".gitignore"), []byte("hm/\n"), 0o644)
	dir := filepath.Join(root, "hm")
	code, out, errOut := runCLI(t, nil, "render", "--answers", writeAnswers(t, renderAnswers), "--dir", dir, "--dry-run")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"  refuse    git: " + filepath.Join(root, ".git", "index.lock") + " exists: another git command is running",
		"  refuse    git: the repository at " + root + " ignores the configuration directory (\"hm/\" in .gitignore line 1)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "nixboard: nothing was written, because\n  git: ") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s created: %v", dir, err)
	}
}
