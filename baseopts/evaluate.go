package baseopts

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/nixlog"
)

// evalExpr is the Nix expression that reads the declarations; see eval.nix.
//
//go:embed eval.nix
var evalExpr []byte

// exprVersion names what eval.nix returns and how this package reads it;
// it is part of the cache key, so a change of either must bump it.
const exprVersion = 5

// DefaultModule is the attribute path of the base module in a base flake.
const DefaultModule = "homeManagerModules.base"

// Runner runs nix with args and the environment env and returns what it
// printed on standard output. A failure (a non-zero exit status) is an
// error carrying what nix printed on standard error.
type Runner func(ctx context.Context, env, args []string) ([]byte, error)

// Evaluator evaluates base layers. Its zero value runs the nix found on
// the request's PATH and caches results under CacheDir().
type Evaluator struct {
	// Run runs nix; nil means ExecNix.
	Run Runner
	// CacheDir holds cached results; "" means CacheDir(env) and "-" means
	// no cache.
	CacheDir string
}

// Evaluate evaluates r's base layer with the zero Evaluator.
func Evaluate(ctx context.Context, r Request) (Declarations, error) {
	return Evaluator{}.Evaluate(ctx, r)
}

// Problem says what was wrong with a base layer.
type Problem string

const (
	// FlakeUnreadable: nix could not read the flake (a wrong reference, no
	// network, no flake.nix).
	FlakeUnreadable Problem = "flake"
	// EvalFailed: the flake or its module failed to evaluate.
	EvalFailed Problem = "eval"
	// NoModule: the flake has nothing at the module's attribute path.
	NoModule Problem = "module"
	// NoHomeBase: the module declares no options under homeBase.
	NoHomeBase Problem = "homeBase"
)

// BaseError is a base layer nixboard cannot ask questions from. The wizard
// can offer to go on with the built-in layer when it gets one (errors.As).
type BaseError struct {
	Base, Module string
	Problem      Problem
	// Detail is what nix or the evaluation said.
	Detail string
}

func (e *BaseError) Error() string {
	expected := "expected a home-manager module at " + e.Module + " declaring options under homeBase (options.homeBase.NAME = lib.mkOption { ... })"
	switch e.Problem {
	case FlakeUnreadable:
		return fmt.Sprintf("base layer %s: nix cannot read the flake: %s; expected a flake reference (github:OWNER/REPO, path:/DIR) to a flake with a flake.nix", e.Base, e.Detail)
	case NoModule:
		return fmt.Sprintf("base layer %s has no %s (%s); %s", e.Base, e.Module, e.Detail, expected)
	case NoHomeBase:
		return fmt.Sprintf("base layer %s: the module %s %s; %s", e.Base, e.Module, e.Detail, expected)
	}
	return fmt.Sprintf("base layer %s: evaluating %s failed: %s; %s", e.Base, e.Module, e.Detail, expected)
}

// metadata is what this package reads of `nix flake metadata --json`.
type metadata struct {
	URL    string `json:"url"`
	Locked struct {
		Rev     string `json:"rev"`
		NarHash string `json:"narHash"`
	} `json:"locked"`
	Locks struct {
		Root  string                     `json:"root"`
		Nodes map[string]json.RawMessage `json:"nodes"`
	} `json:"locks"`
}

// pins reports whether the flake has an input called name (the team pins
// its own nixpkgs or home-manager).
func (m metadata) pins(name string) bool {
	var root struct {
		Inputs map[string]json.RawMessage `json:"inputs"`
	}
	if json.Unmarshal(m.Locks.Nodes[m.Locks.Root], &root) != nil {
		return false
	}
	_, ok := root.Inputs[name]
	return ok
}

// flakeFeatures turns flakes on for nixboard's own nix calls whatever the
// person's nix.conf says, adding to their features, not replacing them.
var flakeFeatures = []string{"--extra-experimental-features", "nix-command flakes"}

// Evaluate reads the homeBase declarations of r's base layer, evaluated for
// r's platform and system, from the cache when the flake's locked revision
// was evaluated before. A base layer that cannot be read, has no module at
// r.Module or declares no homeBase options is a *BaseError.
func (e Evaluator) Evaluate(ctx context.Context, r Request) (Declarations, error) {
	if r.Base == "" {
		return Declarations{}, errors.New("baseopts: no base flake given")
	}
	if r.Module == "" {
		r.Module = DefaultModule
	}
	if r.Env == nil {
		// nixboard reads the process environment in one place (Main) and
		// hands it down; a nil one here is a caller's mistake.
		return Declarations{}, errors.New("baseopts: Request.Env is nil: pass the environment nix runs with")
	}
	module := strings.Split(r.Module, ".")
	for _, p := range module {
		if p == "" {
			return Declarations{}, fmt.Errorf("baseopts: module %q is not an attribute path (names joined by dots, e.g. %s)", r.Module, DefaultModule)
		}
	}
	rel, ok := flakegen.ReleaseByName(r.Release)
	if !ok {
		if r.Release != "" {
			return Declarations{}, fmt.Errorf("baseopts: unknown release %q", r.Release)
		}
		rel, _ = flakegen.ReleaseByName(flakegen.DefaultRelease)
	}
	run := e.Run
	if run == nil {
		run = ExecNix
	}

	out, err := run(ctx, r.Env, append(append([]string{"flake", "metadata", "--json", "--no-write-lock-file", r.Base}, flakeFeatures...), r.NixArgs...))
	if err != nil {
		if ctx.Err() != nil {
			return Declarations{}, ctx.Err()
		}
		if errors.Is(err, ErrNoNix) {
			return Declarations{}, fmt.Errorf("baseopts: %w", err)
		}
		return Declarations{}, &BaseError{Base: r.Base, Module: r.Module, Problem: FlakeUnreadable, Detail: err.Error()}
	}
	var meta metadata
	if err := json.Unmarshal(out, &meta); err != nil {
		return Declarations{}, fmt.Errorf("baseopts: nix flake metadata %s: %w", r.Base, err)
	}
	revision := meta.Locked.Rev
	if revision == "" {
		revision = meta.Locked.NarHash
	}
	pinsNixpkgs, pinsHM := meta.pins("nixpkgs"), meta.pins("home-manager")

	c := cache{dir: e.CacheDir}
	if c.dir == "" {
		c.dir = CacheDir(r.Env)
	}
	key := ""
	if revision != "" && c.dir != "-" {
		key = cacheKey(keyParts{
			Version: exprVersion, Revision: revision, Locks: meta.Locks.Nodes, Module: r.Module,
			Platform: r.Platform, System: r.System, Release: rel.Name, NixArgs: r.NixArgs,
		})
		if d, ok := c.load(key); ok {
			d.Base, d.Module = r.Base, r.Module
			return d, nil
		}
	}

	dir, err := os.MkdirTemp("", "nixboard-options-")
	if err != nil {
		return Declarations{}, fmt.Errorf("baseopts: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := writeWrapper(dir, module, r, rel, pinsNixpkgs, pinsHM); err != nil {
		return Declarations{}, err
	}
	target := meta.URL
	if target == "" {
		target = r.Base
	}
	args := append([]string{"eval", "--json", "--no-write-lock-file", "path:" + dir + "#nixboardOptions", "--override-input", "base", target}, flakeFeatures...)
	args = append(args, wrapperArgs(r.NixArgs, pinsNixpkgs, pinsHM)...)
	out, err = run(ctx, r.Env, args)
	if err != nil {
		if ctx.Err() != nil {
			return Declarations{}, ctx.Err()
		}
		return Declarations{}, &BaseError{Base: r.Base, Module: r.Module, Problem: EvalFailed, Detail: err.Error()}
	}
	d, err := read(out, r)
	if err != nil {
		return Declarations{}, err
	}
	d.Revision = revision
	if key != "" {
		// A cache that cannot be written only costs the next run time.
		_ = c.store(key, d)
	}
	return d, nil
}

// inputName is a flake input name this package writes into the wrapper.
var inputName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// writeWrapper writes the wrapper flake: the base flake as input "base"
// (its reference comes as --override-input, never as Nix text), nixpkgs and
// home-manager following the base's when it has them and the release's
// otherwise, eval.nix, and request.json with the rest of the request as
// data.
func writeWrapper(dir string, module []string, r Request, rel flakegen.Release, pinsNixpkgs, pinsHM bool) error {
	input := func(name string, pinned bool, url string) string {
		if pinned {
			return fmt.Sprintf("  inputs.%s.follows = %q;\n", name, "base/"+name)
		}
		return fmt.Sprintf("  inputs.%s.url = %q;\n", name, url)
	}
	flake := "# Written by nixboard to read a base layer's homeBase options; see eval.nix.\n{\n" +
		"  inputs.base.url = \"path:/nixboard-base-is-given-with-override-input\";\n" +
		input("nixpkgs", pinsNixpkgs, rel.Nixpkgs) +
		input("home-manager", pinsHM, rel.HomeManager) +
		`  outputs = { self, base, nixpkgs, home-manager }: {
    nixboardOptions = import ./eval.nix {
      inherit base nixpkgs home-manager;
      request = builtins.fromJSON (builtins.readFile ./request.json);
    };
  };
}
`
	req, err := json.Marshal(map[string]any{
		"module": module, "platform": r.Platform, "system": r.System, "stateVersion": rel.StateVersion,
	})
	if err != nil {
		return fmt.Errorf("baseopts: %w", err)
	}
	for name, text := range map[string][]byte{"flake.nix": []byte(flake), "eval.nix": evalExpr, "request.json": req} {
		if err := os.WriteFile(filepath.Join(dir, name), text, 0o644); err != nil {
			return fmt.Errorf("baseopts: write the evaluation flake: %w", err)
		}
	}
	return nil
}

// wrapperArgs are the person's nix arguments for the wrapper flake. They
// mean the base flake's inputs (as on `nix flake metadata BASE`), so an
// --override-input NAME becomes base/NAME, except for nixpkgs or
// home-manager when the base has none: then the wrapper's own input is
// meant.
func wrapperArgs(args []string, pinsNixpkgs, pinsHM bool) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		out = append(out, args[i])
		if args[i] != "--override-input" || i+1 >= len(args) {
			continue
		}
		i++
		name := args[i]
		own := name == "nixpkgs" && !pinsNixpkgs || name == "home-manager" && !pinsHM
		if !own && inputName.MatchString(strings.SplitN(name, "/", 2)[0]) {
			name = "base/" + name
		}
		out = append(out, name)
	}
	return out
}

// ErrNoNix is why nothing was evaluated on a machine without nix: it says
// nothing about the base layer.
var ErrNoNix = errors.New("nix is not on PATH: install Nix first (see nixboard doctor)")

// ExecNix runs the nix on env's PATH.
func ExecNix(ctx context.Context, env, args []string) ([]byte, error) {
	nix, err := lookPath("nix", env)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoNix, err)
	}
	cmd := exec.CommandContext(ctx, nix, args...)
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("nix %s: %w: %s", strings.Join(args[:2], " "), err, lastLines(nixlog.StripANSI(stderr.String()), 30))
	}
	return out, nil
}

// lookPath finds name on the PATH in env.
func lookPath(name string, env []string) (string, error) {
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, d := range filepath.SplitList(path) {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in PATH=%s", name, path)
}

// lastLines keeps the end of nix's output, where its error is, without the
// warnings about lock files it prints on every run with overrides.
func lastLines(s string, n int) string {
	var keep []string
	skip := false
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		switch {
		case strings.HasPrefix(l, "warning: not writing modified lock file"):
			skip = true
			continue
		case skip && (strings.HasPrefix(l, "•") || strings.HasPrefix(l, "    ")):
			continue
		}
		skip = false
		keep = append(keep, l)
	}
	if len(keep) > n {
		keep = keep[len(keep)-n:]
	}
	return strings.Join(keep, "\n")
}
