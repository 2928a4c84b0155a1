package wizard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/wizardlogic"
)

// keepAll answers every question with its default: eight questions, the
// modules list, aliases, variables and packages.
var keepAll = strings.Repeat("\n", 8) + "\n" + strings.Repeat("\n", 3)

// walkPlain runs the accessible steps on input and returns the run, so a
// test can read the answers it ended with.
func walkPlain(t *testing.T, opts Options, input string) (*plainRun, Outcome, string) {
	t.Helper()
	var out bytes.Buffer
	r := newPlainRun(context.Background(), strings.NewReader(input), plainWriter(&out), opts)
	o, err := r.walk(newScreens(opts.DirRoot).list())
	if err != nil {
		t.Fatalf("accessible run: %v\n%s", err, out.String())
	}
	return r, o, out.String()
}

// Every question prints its description, its value now and the default
// an empty answer keeps; the select lists mark the default choice.
func TestAccessibleQuestionsShowDescriptionValueAndDefault(t *testing.T) {
	t.Parallel()
	rep := fakeReport("/home/alice")
	opts := testOptions(t, rep)
	opts.DryRun = true
	a := rep.Defaults
	a.HomeBase.ShellAliases = map[string]string{"gs": "git status"}
	opts.Answers = &a
	r, o, out := walkPlain(t, opts, keepAll+"\n")
	if o.Quit || o.Step != StepDone {
		t.Fatalf("outcome %+v\n%s", o, out)
	}
	v := newQuestionValues(a, opts.Dir, "/home/alice", "")
	for _, keys := range pageKeys {
		for _, k := range keys {
			if k == keyModules {
				continue
			}
			if d := v.description(k); !strings.Contains(out, v.title(k)+": "+d) {
				t.Errorf("%s: no description %q", k, d)
			}
		}
	}
	for _, want := range []string{
		"Now: " + a.HomeBase.Username + ".",
		"User name [default: " + a.HomeBase.Username + "]: ",
		"Git e-mail [default: " + a.Git.Email + "]: ",
		"Configuration directory [default: " + opts.Dir + "]: ",
		"Additional packages [default: empty]: ",
		// The release list marks its default, and the prompt names it.
		"Release, 1 to ",
		"Shell, 1 to 3 [default: " + a.Shell + "]: ",
		"  1. gs=git status\n",
		" (on): ",
		"Module to switch, 1 to ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, o := range v.options(keyRelease) {
		if o.Value == a.Release && !strings.Contains(out, o.Key+" [default]\n") {
			t.Errorf("the release list does not mark %q as the default", o.Key)
		}
	}
	// Keeping every default changes nothing.
	if got := r.answers.HomeBase.ShellAliases; len(got) != 1 || got["gs"] != "git status" {
		t.Errorf("aliases %v", got)
	}
}

// Aliases and variables take several entries, one a line, until an empty
// line; an entry is changed by its name and removed with -NAME; a refused
// entry names its line, and is not taken.
func TestAccessibleAliasesTakeSeveralEntries(t *testing.T) {
	t.Parallel()
	rep := fakeReport("/home/alice")
	opts := testOptions(t, rep)
	opts.DryRun = true
	a := rep.Defaults
	a.HomeBase.ShellAliases = map[string]string{"gs": "git status", "old": "true"}
	opts.Answers = &a
	input := strings.Repeat("\n", 8) + "\n" +
		"ll=ls -l\n" + "g s=git status\n" + "gs=git status -sb\n" + "-old\n" + "-nope\n" + "la\n" + "\n" +
		"EDITOR_X=1\n" + "PAGER=less\n" + "\n" +
		"\n" + "\n"
	r, o, out := walkPlain(t, opts, input)
	if o.Quit {
		t.Fatalf("outcome %+v\n%s", o, out)
	}
	want := map[string]string{"gs": "git status -sb", "ll": "ls -l"}
	if got := r.answers.HomeBase.ShellAliases; len(got) != len(want) || got["gs"] != want["gs"] || got["ll"] != want["ll"] {
		t.Errorf("aliases %v, want %v", got, want)
	}
	if got := r.answers.HomeBase.EnvironmentVariables; len(got) != 2 || got["EDITOR_X"] != "1" || got["PAGER"] != "less" {
		t.Errorf("variables %v", got)
	}
	// The list was gs, old, then ll: the refused alias is entry 4.
	wantErr := wizardlogic.FieldCheck(rep.Defaults, keyAliases, func(x *flakegen.Answers, s string) error {
		m, err := wizardlogic.ParseAssignments(s)
		x.HomeBase.ShellAliases = m
		return err
	})("gs=git status\nold=true\nll=ls -l\ng s=git status")
	if wantErr == nil || !strings.HasPrefix(wantErr.Error(), "line 4") {
		t.Fatalf("FieldCheck names no line: %v", wantErr)
	}
	for _, w := range []string{
		"  1. gs=git status\n  2. old=true\n",
		"Shell aliases (bash), entry 3 [default: done, as listed]: ",
		"✗ " + wantErr.Error() + " (not taken)",
		"entry 1 is now gs=git status -sb.",
		"removed old.",
		`✗ there is no entry "nope" to remove`,
		"✗ line 3: \"la\" has no \"=\"",
		"Environment variables: One NAME=VALUE per line.\n  Now: none.",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
}

// The review gives the number of diff lines and shows the diffs only when
// asked, before the write question; the default is not to.
func TestAccessibleReviewOffersTheDiffs(t *testing.T) {
	t.Parallel()
	for _, show := range []bool{false, true} {
		t.Run(map[bool]string{false: "default no", true: "yes"}[show], func(t *testing.T) {
			t.Parallel()
			opts := testOptions(t, fakeReport("/home/alice"))
			answer := "\n"
			if show {
				answer = "y\n"
			}
			_, o, out := walkPlain(t, opts, keepAll+answer+"n\n")
			if !o.Quit || !strings.Contains(out, "Nothing was written.") {
				t.Fatalf("outcome %+v\n%s", o, out)
			}
			offer := strings.Index(out, "Show the diffs? [y/n, default: no]: ")
			write := strings.Index(out, "Write these files?")
			diff := strings.Index(out, "+++ ")
			var files, lines int
			if offer >= 0 {
				_, count, _ := strings.Cut(out[:offer], "The diffs of ")
				fmt.Sscanf(count, "%d files have %d lines.", &files, &lines)
			}
			if offer < 0 || write < offer || files < 2 || lines < 100 {
				t.Fatalf("no offer before the write question:\n%s", out)
			}
			if show != (diff > offer && diff < write) || show != (strings.Count(out, "+++ ") == files) {
				t.Errorf("asked to show %v, the diffs are at %d (offer %d, write %d)", show, diff, offer, write)
			}
		})
	}
}

// notifyWriter tells when its output first contains want.
type notifyWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

func (w *notifyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// Ctrl-C (the signal ends the context while a question waits) and the end
// of the input both stop the run as a quit, saying what was written.
func TestAccessibleStopsWithAMessage(t *testing.T) {
	t.Parallel()
	t.Run("ctrl+c while a question waits", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(t, fakeReport("/home/alice"))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		in, feed := io.Pipe()
		defer feed.Close()
		w := &notifyWriter{want: "Git name [default: ", seen: make(chan struct{})}
		go func() {
			feed.Write([]byte("ada\n"))
			<-w.seen
			cancel()
		}()
		o, err := RunAccessible(ctx, in, w, opts)
		if err != nil || !o.Quit || o.Step == StepDone {
			t.Fatalf("outcome %+v, err %v\n%s", o, err, w.String())
		}
		if !strings.HasSuffix(w.String(), "\nstopped: nothing was written.\n") {
			t.Errorf("no stop message at the end:\n%s", w.String())
		}
	})
	t.Run("end of input at a question", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(t, fakeReport("/home/alice"))
		_, o, out := walkPlain(t, opts, "ada\n\n")
		if !o.Quit || !strings.HasSuffix(out, "\nstopped: nothing was written.\n") {
			t.Errorf("outcome %+v\n%s", o, out)
		}
		if _, err := os.Stat(opts.Dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("something was written: %v", err)
		}
	})
	t.Run("ctrl+c during the switch", func(t *testing.T) {
		t.Parallel()
		opts := testOptions(t, fakeReport("/home/alice"))
		opts.NoSwitch = false
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		opts.Deps.PlainSwitch = func(ctx context.Context, _ string, _ io.Writer) error {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		}
		var out bytes.Buffer
		o, err := RunAccessible(ctx, strings.NewReader(keepAll+"\ny\n"), plainWriter(&out), opts)
		if err != nil || !o.Quit {
			t.Fatalf("outcome %+v, err %v\n%s", o, err, out.String())
		}
		if want := "stopped during the switch: the configuration is written to " + opts.Dir; !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
		if _, err := os.Stat(filepath.Join(opts.Dir, "flake.nix")); err != nil {
			t.Errorf("the configuration was not written: %v", err)
		}
	})
}

// The accessible demo's closing text does not name the directory it wrote
// into: the demo removes it as it ends.
func TestAccessibleDemoClosingTextNamesNoDeletedDirectory(t *testing.T) {
	t.Parallel()
	opts := demoOptions(t)
	root := t.TempDir()
	opts.DirRoot, opts.Dir = root, filepath.Join(root, "home-manager")
	_, o, out := walkPlain(t, opts, "1\ny\n"+keepAll+"\ny\n")
	if o.Quit || o.Step != StepDone {
		t.Fatalf("outcome %+v\n%s", o, out)
	}
	_, closing, ok := strings.Cut(out, "Wrote the configuration to "+opts.Dir+".\n")
	if !ok {
		t.Fatalf("nothing written:\n%s", out)
	}
	if strings.Contains(closing, root) || !strings.Contains(closing, "Run nixboard without --demo") {
		t.Errorf("the closing text:\n%s", closing)
	}
}

// The text the demo leaves on the terminal once its screen closed does
// not name the directory the demo removes as it ends.
func TestDemoFinalMessageNamesNoDeletedDirectory(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	opts := testOptions(t, fakeReport("/home/alice"))
	opts.Demo, opts.DirRoot, opts.Dir = true, root, filepath.Join(root, "home-manager")
	opts.NoSwitch = false
	opts.Deps.Switch = DemoSwitch(0)
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPages(t, d, 1, 5)
		wantView(t, d, "write files")
		d.press("enter")
		wantView(t, d, "environment is set up")
		if msg := FinalMessage(d.m); strings.Contains(msg, root) || !strings.Contains(msg, "without --demo") {
			t.Errorf("the final message:\n%s", msg)
		}
	})
}

// TestAccessibleUsernameWarns: in accessible mode a user name other than
// the login name gets the same warning, after the answer.
func TestAccessibleUsernameWarns(t *testing.T) {
	t.Parallel()
	rep := fakeReport("/home/alice")
	opts := testOptions(t, rep)
	opts.DryRun = true
	a := rep.Defaults
	a.HomeBase.Username = "bob"
	opts.Answers = &a
	_, o, out := walkPlain(t, opts, keepAll+"\n")
	if o.Quit || o.Step != StepDone {
		t.Fatalf("outcome %+v\n%s", o, out)
	}
	if !strings.Contains(out, "note: You are logged in as alice (USER), not bob") {
		t.Errorf("no warning about bob:\n%s", out)
	}
}
