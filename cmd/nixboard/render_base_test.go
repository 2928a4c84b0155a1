package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/nixtest"
)

// teamAnswers is an answers file with a team base and the given values.
func teamAnswers(values string) string {
	return `{
  "version": 3,
  "homeBase": {"username": "alice", "homeDirectory": "/home/alice", "stateVersion": "26.05"},
  "hostname": "laptop", "system": "x86_64-linux", "platform": "linux",
  "git": {"name": "Alice Example", "email": "alice@example.org"}, "shell": "zsh",
  "base": {"flake": "path:/team", "module": "homeManagerModules.base", "values": ` + values + `, "packageLists": ["tools"]}
}
`
}

// handDeclarations are what a team module with a bool, a nested string
// with a pattern and a package list declares, built by hand.
func handDeclarations(r baseopts.Request) baseopts.Declarations {
	return baseopts.Declarations{Base: r.Base, Module: r.Module, Platform: r.Platform, System: r.System, Options: []baseopts.Option{
		{Path: []string{"homeBase", "enableRust"}, Kind: baseopts.Bool, Default: json.RawMessage(`false`)},
		{Path: []string{"homeBase", "git"}, Kind: baseopts.Group, Options: []baseopts.Option{
			{Path: []string{"homeBase", "git", "signingKey"}, Kind: baseopts.String, Pattern: "[0-9A-F]+", Default: json.RawMessage(`""`)},
		}},
		{Path: []string{"homeBase", "tools"}, Kind: baseopts.Packages, Default: json.RawMessage(`[]`)},
	}}
}

// fakeEvaluator records the requests it gets and answers with
// handDeclarations, or with err.
type fakeEvaluator struct {
	mu       sync.Mutex
	requests []baseopts.Request
	err      error
}

func (f *fakeEvaluator) evaluate(_ context.Context, r baseopts.Request) (baseopts.Declarations, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	if f.err != nil {
		return baseopts.Declarations{}, f.err
	}
	return handDeclarations(r), nil
}

// runCLIEvaluating is runCLI with an evaluator of its own.
func runCLIEvaluating(t *testing.T, eval evaluateFunc, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := map[string]string{"PATH": os.Getenv("PATH")}
	st := &stdio{
		in: strings.NewReader(""), out: &out, err: &errOut,
		getenv:   func(k string) string { return env[k] },
		environ:  os.Environ(),
		evaluate: eval,
	}
	code := run(context.Background(), st, args)
	return code, out.String(), errOut.String()
}

// render checks a team base's values against what the module declares
// before anything is written: wrong types and unknown options exit 2 naming
// each option; a base that cannot be evaluated exits 1; fitting values are
// written as given; the arguments after -- reach the evaluation.
func TestRenderChecksTeamValues(t *testing.T) {
	nixtest.RequireGit(t)
	cases := []struct {
		name     string
		values   string
		evalErr  error
		code     int
		messages []string
	}{
		{"wrong types", `{"enableRust": "yes", "git.signingKey": "xyz", "tools": ["ripgrep"]}`, nil, 1, []string{
			`homeBase.enableRust: must be true or false, not "yes"`,
			"homeBase.git.signingKey: must match the pattern [0-9A-F]+",
			"nothing was written; fix base.values in",
		}},
		{"an option the team does not declare", `{"enableEspIdf": true, "tools": []}`, nil, 1, []string{
			"homeBase.enableEspIdf: is not an option of the base layer path:/team",
		}},
		{"a base that does not evaluate", `{"tools": []}`, errors.New("the base layer path:/team does not evaluate: error: attribute 'homeManagerModules' missing"), 1, []string{
			"the base layer path:/team does not evaluate", "nothing was written",
		}},
		{"fitting values", `{"enableRust": true, "git.signingKey": "0A1F", "tools": ["ripgrep"]}`, nil, 0, []string{"done: "}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			answers := writeAnswers(t, teamAnswers(c.values))
			dir := filepath.Join(t.TempDir(), "hm")
			fake := &fakeEvaluator{err: c.evalErr}
			code, out, errOut := runCLIEvaluating(t, fake.evaluate, "render", "--answers", answers, "--dir", dir, "--no-commit",
				"--", "--override-input", "nixpkgs", "path:/fixture")
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, c.code, out, errOut)
			}
			for _, m := range c.messages {
				if !strings.Contains(out+errOut, m) {
					t.Errorf("output lacks %q:\n%s\n%s", m, out, errOut)
				}
			}
			want := baseopts.Request{Base: "path:/team", Module: "homeManagerModules.base", Platform: "linux", System: "x86_64-linux",
				Release: flakegen.DefaultRelease, NixArgs: []string{"--override-input", "nixpkgs", "path:/fixture"}}
			if len(fake.requests) != 1 {
				t.Fatalf("%d evaluations, want 1", len(fake.requests))
			}
			got := fake.requests[0]
			got.Env = nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("evaluated %+v, want %+v", got, want)
			}
			_, err := os.Stat(dir)
			if c.code != 0 {
				if !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the directory was created: %v", err)
				}
				return
			}
			a, err := flakegen.Load(filepath.Join(dir, flakegen.AnswersFile))
			if err != nil {
				t.Fatal(err)
			}
			if string(a.Base.Values["git.signingKey"]) != `"0A1F"` || !a.Base.IsPackageList("tools") {
				t.Errorf("written values %v, package lists %v", a.Base.Values, a.Base.PackageLists)
			}
		})
	}
}

// Answers without a team base are not evaluated, and render takes no
// arguments before --.
func TestRenderBuiltinDoesNotEvaluate(t *testing.T) {
	nixtest.RequireGit(t)
	fake := &fakeEvaluator{}
	answers := writeAnswers(t, renderAnswers)
	code, out, errOut := runCLIEvaluating(t, fake.evaluate, "render", "--answers", answers, "--dir", filepath.Join(t.TempDir(), "hm"), "--no-commit")
	if code != 0 || len(fake.requests) != 0 {
		t.Errorf("exit %d, %d evaluations\n%s\n%s", code, len(fake.requests), out, errOut)
	}
	code, _, errOut = runCLIEvaluating(t, fake.evaluate, "render", "--answers", answers, "stray")
	if code != 2 || !strings.Contains(errOut, `render takes no arguments before --, got "stray"`) {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}

// render with the real evaluation of baseopts' FIXTURE team flake: a value
// of the wrong type exits 1 naming the option, and nothing is written;
// fitting values are written.
func TestRenderChecksAgainstTheEvaluatedTeamFlake(t *testing.T) {
	nixtest.RequireGit(t)
	env := optionsEnv(t)
	base, nixArgs := fixtureBase(t, "team-full")
	answers := func(values string) string {
		return strings.Replace(teamAnswers(values), `"base": {"flake": "path:/team"`, `"base": {"flake": "`+base+`"`, 1)
	}
	dir := filepath.Join(t.TempDir(), "hm")
	bad := writeAnswers(t, answers(`{"jobs": 100, "enableRust": "yes", "tools": []}`))
	code, out, errOut := runCLI(t, env, append([]string{"render", "--answers", bad, "--dir", dir, "--no-commit", "--"}, nixArgs...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"homeBase.jobs: must be between 1 and 64, not 100",
		`homeBase.enableRust: must be true or false, not "yes"`,
		"homeBase.tools: is not an option of the base layer " + base,
		"nothing was written",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the directory was created: %v", err)
	}
	good := writeAnswers(t, strings.Replace(answers(`{"jobs": 16, "enableRust": true}`), `, "packageLists": ["tools"]`, "", 1))
	code, out, errOut = runCLI(t, env, append([]string{"render", "--answers", good, "--dir", dir, "--no-commit", "--"}, nixArgs...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	a, err := flakegen.Load(filepath.Join(dir, flakegen.AnswersFile))
	if err != nil || string(a.Base.Values["jobs"]) != "16" {
		t.Errorf("written %+v, %v", a.Base, err)
	}
}
