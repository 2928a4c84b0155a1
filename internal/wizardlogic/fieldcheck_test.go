package wizardlogic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/flakegen"
)

// TestFieldCheckNamesTheEntry: a problem with one alias or variable names
// its line and the value, as render names the entry; before, the question
// said only "is not an alias name", with no name and no line.
func TestFieldCheckNamesTheEntry(t *testing.T) {
	aliases := FieldCheck(validAnswers(), "homeBase.shellAliases", func(a *flakegen.Answers, v string) error {
		m, err := ParseAssignments(v)
		a.HomeBase.ShellAliases = m
		return err
	})
	env := FieldCheck(validAnswers(), "homeBase.environmentVariables", func(a *flakegen.Answers, v string) error {
		m, err := ParseAssignments(v)
		a.HomeBase.EnvironmentVariables = m
		return err
	})
	user := FieldCheck(validAnswers(), "homeBase.username", func(a *flakegen.Answers, v string) error {
		a.HomeBase.Username = v
		return nil
	})
	for _, tt := range []struct {
		name  string
		check func(string) error
		typed string
		want  string // the whole message starts with this
	}{
		{"bad alias name", aliases, "gs=git status\n*=ls", `line 2: "*" is not an alias name`},
		{"bad alias value", aliases, "# mine\nll=ls -l\ngs=-x", `line 3 (gs): "-x" must start with a command`},
		{"the last of two lines wins", aliases, "gs=git status\ngs=-x", `line 2 (gs): "-x"`},
		{"bad variable name", env, "EDITOR=vim\n1X=y", `line 2: "1X" is not a variable name`},
		{"user name", user, "Bad Name!", `"Bad Name!" `},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.typed)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to start with %s", err, tt.want)
			}
		})
	}
	if err := aliases("gs=git status\nll=ls -l"); err != nil {
		t.Errorf("good aliases refused: %v", err)
	}
	// Without the typed text (FieldProblem on answers), the entry is named.
	a := validAnswers()
	a.HomeBase.ShellAliases = map[string]string{"gs": "-x"}
	if err := FieldProblem(a, "homeBase.shellAliases"); err == nil || !strings.HasPrefix(err.Error(), `entry gs: "-x" must start`) {
		t.Errorf("FieldProblem = %v", err)
	}
}

// TestConfigDirRefusesAFile: a file given as the configuration directory,
// or a path below a file, is refused at the question, naming the file;
// before, it was only refused at the review's write plan.
func TestConfigDirRefusesAFile(t *testing.T) {
	home := t.TempDir()
	file := filepath.Join(home, "notes")
	if err := os.WriteFile(file, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(file, filepath.Join(home, "link")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ typed, want string }{
		{"~/notes", file + " is a file, not a directory"},
		{"~/link", filepath.Join(home, "link") + " is a file, not a directory"},
		{"~/notes/home-manager", file + " is a file, so " + filepath.Join(file, "home-manager") + " cannot be made below it"},
	} {
		if _, err := ConfigDir(tt.typed, home, ""); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ConfigDir(%s) = %v, want %q", tt.typed, err, tt.want)
		}
	}
	for _, typed := range []string{"~", "~/.config/home-manager", "~/new/deeper"} {
		if _, err := ConfigDir(typed, home, ""); err != nil {
			t.Errorf("ConfigDir(%s) refused: %v", typed, err)
		}
	}
	if d, err := ConfigDir("~/cfg", home, home); err != nil || d != filepath.Join(home, "cfg") {
		t.Errorf("ConfigDir inside the root = %q, %v", d, err)
	}
	if _, err := ConfigDir("/etc/elsewhere", home, home); err == nil {
		t.Error("ConfigDir outside the root accepted")
	}
	if _, err := ConfigDir("relative", home, ""); err == nil {
		t.Error("a relative directory accepted")
	}
}
