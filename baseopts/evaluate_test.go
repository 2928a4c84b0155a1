package baseopts

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// fixtureArgs are the nix arguments that put the FIXTURE nixpkgs and
// home-manager in place of the real ones.
func fixtureArgs(t testing.TB) []string {
	t.Helper()
	abs := func(p string) string {
		a, err := filepath.Abs(filepath.Join("testdata", p))
		if err != nil {
			t.Fatal(err)
		}
		return "path:" + a
	}
	return []string{"--override-input", "nixpkgs", abs("fixture-nixpkgs"), "--override-input", "home-manager", abs("fixture-home-manager")}
}

func teamRef(t testing.TB, name string) string {
	t.Helper()
	a, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return "path:" + a
}

// request is a request for a fixture team flake, run in mode m with a
// cache of the test's own.
func request(t *testing.T, m nixtest.Mode, team, platform, system string) Request {
	t.Helper()
	nixtest.Require(t)
	env := append(nixtest.Env(), m.Env(t)...)
	env = append(env, "XDG_CACHE_HOME="+t.TempDir())
	return Request{Base: teamRef(t, team), Platform: platform, System: system, NixArgs: fixtureArgs(t), Env: env}
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// want is what one option must come out as.
type want struct {
	kind     Kind
	def      string // JSON; "" for no default
	choices  []string
	min, max *int64
	pattern  string
	nonEmpty bool
	elem     Kind
	why      string
	desc     string
	typ      string
}

func checkOption(t *testing.T, o Option, w want) {
	t.Helper()
	name := o.Name()
	if o.Kind != w.kind {
		t.Errorf("%s: kind %q, want %q (why %q)", name, o.Kind, w.kind, o.Why)
	}
	if string(o.Default) != w.def {
		t.Errorf("%s: default %s, want %s", name, o.Default, w.def)
	}
	var choices []string
	for _, c := range o.Choices {
		choices = append(choices, string(c))
	}
	if !slices.Equal(choices, w.choices) {
		t.Errorf("%s: choices %v, want %v", name, choices, w.choices)
	}
	if !eqPtr(o.Min, w.min) || !eqPtr(o.Max, w.max) {
		t.Errorf("%s: bounds %v..%v, want %v..%v", name, show(o.Min), show(o.Max), show(w.min), show(w.max))
	}
	if o.Pattern != w.pattern || o.NonEmpty != w.nonEmpty {
		t.Errorf("%s: pattern %q nonEmpty %v, want %q %v", name, o.Pattern, o.NonEmpty, w.pattern, w.nonEmpty)
	}
	if w.elem != "" && (o.Elem == nil || o.Elem.Kind != w.elem) {
		t.Errorf("%s: elem %+v, want kind %q", name, o.Elem, w.elem)
	}
	if w.elem == "" && o.Elem != nil {
		t.Errorf("%s: elem %+v, want none", name, o.Elem)
	}
	if o.Why != w.why {
		t.Errorf("%s: why %q, want %q", name, o.Why, w.why)
	}
	if w.desc != "" && o.Description != w.desc {
		t.Errorf("%s: description %q, want %q", name, o.Description, w.desc)
	}
	if w.typ != "" && o.Type != w.typ {
		t.Errorf("%s: type %q, want %q", name, o.Type, w.typ)
	}
}

func eqPtr(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func show(p *int64) any {
	if p == nil {
		return "-"
	}
	return *p
}

// teamFull is what testdata/team-full declares, on Linux.
var teamFull = map[string]want{
	"homeBase.enableTmux":      {kind: Bool, def: `true`, desc: "tmux with the team's key bindings.", typ: "boolean"},
	"homeBase.enableRust":      {kind: Bool, def: `false`, desc: "The Rust toolchain (rustup)."},
	"homeBase.shell":           {kind: Enum, def: `"bash"`, choices: []string{`"bash"`, `"zsh"`, `"fish"`}, typ: `one of "bash", "zsh", "fish"`},
	"homeBase.editor":          {kind: String, def: `"nvim"`, nonEmpty: true, typ: "non-empty string"},
	"homeBase.hostTag":         {kind: String, def: `"dev-1"`, pattern: "[a-z]+-[0-9]+", typ: "string matching the pattern [a-z]+-[0-9]+"},
	"homeBase.jobs":            {kind: Int, def: `8`, min: ptr(1), max: ptr(64), typ: "integer between 1 and 64 (both inclusive)"},
	"homeBase.retries":         {kind: Int, def: `3`, min: ptr(1)},
	"homeBase.cacheSize":       {kind: Int, def: `0`, min: ptr(0)},
	"homeBase.proxyPort":       {kind: Int, def: `3128`, min: ptr(0), max: ptr(65535)},
	"homeBase.niceness":        {kind: Int, def: `-1`, typ: "signed integer"},
	"homeBase.projects":        {kind: Words, def: `["infra"]`, typ: "list of string"},
	"homeBase.extraPackages":   {kind: Packages, def: `["ripgrep"]`, typ: "list of package"},
	"homeBase.variables":       {kind: Assignments, def: `{"PAGER":"less"}`, typ: "attribute set of string"},
	"homeBase.proxy":           {kind: Optional, def: `null`, elem: String, typ: "null or string"},
	"homeBase.maxLoad":         {kind: Optional, def: `4`, elem: Int},
	"homeBase.greeting":        {kind: NotAsked, def: `null`, why: "a function", typ: "function that evaluates to a(n) string"},
	"homeBase.settings":        {kind: NotAsked, def: `{"a":1}`, why: "a raw value", typ: "raw value"},
	"homeBase.editorPackage":   {kind: NotAsked, def: `"neovim"`, why: "a single package", typ: "package"},
	"homeBase.servers":         {kind: NotAsked, def: `[]`, why: "a list of submodules", typ: "list of (submodule)"},
	"homeBase.extra":           {kind: NotAsked, def: `{}`, why: "its type (anything) is not one nixboard asks"},
	"homeBase.secretToken":     {kind: NotAsked, def: `"x"`, why: "an internal option", typ: "string"},
	"homeBase.legacyFlag":      {kind: NotAsked, def: `false`, why: "hidden by its module (visible = false)", typ: "boolean"},
	"homeBase.terminal":        {kind: Group},
	"homeBase.terminal.enable": {kind: Bool, def: `true`},
	"homeBase.terminal.font":   {kind: String, def: `"JetBrains Mono"`},
	"homeBase.git":             {kind: Group},
	"homeBase.git.signingKey":  {kind: Optional, def: `null`, elem: String, desc: "Your GPG key id."},
	"homeBase.git.name":        {kind: String, def: ``, desc: "Your name in commits."},
}

func TestEvaluateTeamDeclarations(t *testing.T) {
	nixtest.EachMode(t, func(t *testing.T, m nixtest.Mode) {
		d, err := Evaluate(context.Background(), request(t, m, "team-full", "linux", "x86_64-linux"))
		if err != nil {
			t.Fatal(err)
		}
		if d.Module != DefaultModule || d.Platform != "linux" || d.System != "x86_64-linux" || !strings.HasPrefix(d.Revision, "sha256-") {
			t.Errorf("declarations of %s %s %s %s revision %q", d.Base, d.Module, d.Platform, d.System, d.Revision)
		}
		seen := map[string]bool{}
		d.Each(func(o Option) {
			seen[o.Name()] = true
			w, ok := teamFull[o.Name()]
			if !ok {
				t.Errorf("unexpected option %s (%s)", o.Name(), o.Kind)
				return
			}
			checkOption(t, o, w)
		})
		for name := range teamFull {
			if !seen[name] {
				t.Errorf("option %s missing", name)
			}
		}
		// Declaration order: git.nix (imported) sorts before module.nix by
		// file; within module.nix the options come as written.
		var top []string
		for _, o := range d.Options {
			top = append(top, strings.TrimPrefix(o.Name(), "homeBase."))
		}
		wantTop := []string{"git", "enableTmux", "enableRust", "shell", "editor", "hostTag", "jobs", "retries", "cacheSize", "proxyPort", "niceness", "projects", "extraPackages", "variables", "proxy", "maxLoad", "greeting", "settings", "editorPackage", "servers", "extra", "secretToken", "legacyFlag", "terminal"}
		if !slices.Equal(top, wantTop) {
			t.Errorf("order\n %v\nwant\n %v", top, wantTop)
		}
		sig, _ := d.Lookup("git.signingKey")
		if sig.Elem == nil || sig.Elem.Pattern != "[0-9A-F]+" {
			t.Errorf("git.signingKey's element %+v, want the pattern [0-9A-F]+", sig.Elem)
		}
		// The declarations check values as the module's types say.
		err = d.Check(map[string]json.RawMessage{"jobs": raw(`65`), "git.signingKey": raw(`"xyz"`), "shell": raw(`"zsh"`)})
		for _, s := range []string{"homeBase.jobs: must be between 1 and 64, not 65", "homeBase.git.signingKey: must match the pattern [0-9A-F]+"} {
			if err == nil || !strings.Contains(err.Error(), s) {
				t.Errorf("Check: %v, want it to say %q", err, s)
			}
		}
	})
}

// The defaults are the ones for the platform and system asked for: the
// team's mkDefault on macOS shows up there.
func TestEvaluatePerPlatformDefaults(t *testing.T) {
	cases := []struct {
		team, platform, system, option, def string
	}{
		{"team-full", "darwin", "aarch64-darwin", "shell", `"zsh"`},
		{"team-full", "darwin", "aarch64-darwin", "terminal.enable", `false`},
		{"team-full", "wsl", "x86_64-linux", "shell", `"bash"`},
		{"team-platform", "wsl", "x86_64-linux", "tmuxSecureSocket", `false`},
		{"team-platform", "linux", "x86_64-linux", "tmuxSecureSocket", `true`},
	}
	nixtest.Require(t)
	for _, c := range cases {
		t.Run(c.team+"/"+c.platform+"/"+c.option, func(t *testing.T) {
			t.Parallel()
			d, err := Evaluate(context.Background(), request(t, nixtest.SingleUser, c.team, c.platform, c.system))
			if err != nil {
				t.Fatal(err)
			}
			o, ok := d.Lookup(c.option)
			if !ok {
				t.Fatalf("no option %s", c.option)
			}
			if string(o.Default) != c.def {
				t.Errorf("%s on %s: default %s, want %s", c.option, c.platform, o.Default, c.def)
			}
		})
	}
}

func TestEvaluateUnusableBase(t *testing.T) {
	cases := []struct {
		name, team, module string
		problem            Problem
		says               []string
	}{
		{"eval failure", "team-broken", "", EvalFailed, []string{"team-broken: this module is broken on purpose", "evaluating homeManagerModules.base failed"}},
		{"missing module", "team-full", "homeManagerModules.team", NoModule, []string{"has no homeManagerModules.team", "homeManagerModules has only base, empty"}},
		{"missing output", "team-full", "nixosModules.base", NoModule, []string{"has no nixosModules.base"}},
		{"no homeBase", "team-nohomebase", "", NoHomeBase, []string{"declares no homeBase options"}},
		{"empty module", "team-full", "homeManagerModules.empty", NoHomeBase, []string{"declares no homeBase options"}},
		{"not a flake", "no-such-team", "", FlakeUnreadable, []string{"nix cannot read the flake"}},
	}
	nixtest.Require(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := request(t, nixtest.SingleUser, c.team, "linux", "x86_64-linux")
			r.Module = c.module
			_, err := Evaluate(context.Background(), r)
			var be *BaseError
			if !errors.As(err, &be) {
				t.Fatalf("error %v (%T), want a *BaseError", err, err)
			}
			if be.Problem != c.problem || be.Base != r.Base {
				t.Errorf("problem %q of %s, want %q of %s", be.Problem, be.Base, c.problem, r.Base)
			}
			msg := err.Error()
			expected := "expected a home-manager module at"
			if c.problem == FlakeUnreadable {
				expected = "expected a flake reference"
			}
			for _, s := range append(c.says, r.Base, expected) {
				if !strings.Contains(msg, s) {
					t.Errorf("error\n%s\nlacks %q", msg, s)
				}
			}
		})
	}
}

// A second evaluation of the same locked flake comes from the cache: nix
// reads the flake's metadata again (to learn its revision) but evaluates
// nothing.
func TestEvaluateCachesByRevision(t *testing.T) {
	r := request(t, nixtest.SingleUser, "team-full", "linux", "x86_64-linux")
	var evals atomic.Int32
	e := Evaluator{Run: func(ctx context.Context, env, args []string) ([]byte, error) {
		if args[0] == "eval" {
			evals.Add(1)
		}
		return ExecNix(ctx, env, args)
	}}
	first, err := e.Evaluate(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.Evaluate(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if n := evals.Load(); n != 1 {
		t.Fatalf("nix eval ran %d times, want 1", n)
	}
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if string(a) != string(b) {
		t.Errorf("cached declarations differ:\n%s\n%s", a, b)
	}
	// Another platform is another evaluation.
	r.Platform, r.System = "darwin", "aarch64-darwin"
	if _, err := e.Evaluate(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if n := evals.Load(); n != 2 {
		t.Fatalf("nix eval ran %d times after a new platform, want 2", n)
	}
	files, _ := filepath.Glob(filepath.Join(CacheDir(r.Env), "*.json"))
	if len(files) != 2 {
		t.Errorf("cache holds %v, want two files", files)
	}
}

// A git flake is keyed, and reported, by its commit; a new commit is a new
// evaluation.
func TestEvaluateGitFlakeByRevision(t *testing.T) {
	git := nixtest.RequireGit(t)
	r := request(t, nixtest.SingleUser, "team-platform", "linux", "x86_64-linux")
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "team-platform", "flake.nix"))
	if err != nil {
		t.Fatal(err)
	}
	gitEnv := append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t.invalid", "GIT_CONFIG_GLOBAL=/dev/null")
	commit := func(text string) string {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "flake.nix"}, {"commit", "-q", "-m", "x"}} {
			cmd := exec.Command(git, args...)
			cmd.Dir, cmd.Env = dir, gitEnv
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v %s", args, err, out)
			}
		}
		cmd := exec.Command(git, "rev-parse", "HEAD")
		cmd.Dir, cmd.Env = dir, gitEnv
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	r.Base = "git+file://" + dir
	var evals atomic.Int32
	e := Evaluator{Run: func(ctx context.Context, env, args []string) ([]byte, error) {
		if args[0] == "eval" {
			evals.Add(1)
		}
		return ExecNix(ctx, env, args)
	}}
	for i, text := range []string{string(src), string(src) + "\n# a new commit\n"} {
		rev := commit(text)
		for range 2 {
			d, err := e.Evaluate(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if d.Revision != rev {
				t.Errorf("revision %q, want the commit %s", d.Revision, rev)
			}
		}
		if n := evals.Load(); n != int32(i+1) {
			t.Errorf("after commit %d nix eval ran %d times, want %d", i+1, n, i+1)
		}
	}
}

// Without nix nothing is evaluated, and the error says so, not that the
// base layer is wrong.
func TestEvaluateWithoutNix(t *testing.T) {
	_, err := Evaluate(context.Background(), Request{Base: "path:/team", Env: []string{"PATH=" + t.TempDir()}})
	var be *BaseError
	if !errors.Is(err, ErrNoNix) || errors.As(err, &be) {
		t.Fatalf("error %v, want ErrNoNix and no BaseError", err)
	}
}
