package wizardlogic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
)

// ReadHints reads a team flake's optional `nixboard` output as JSON with
// nix (env's PATH; nixArgs passed on, an --override-input meaning the
// team flake's own inputs). A flake without the output has no hints.
//
// nix cannot ask a flake whether it has an output without failing when it
// does not, so the output is read through a small wrapper flake whose
// input is the team flake and whose output is `base.nixboard or null`:
// success is nix's exit status either way.
func ReadHints(ctx context.Context, flake string, nixArgs, env []string) (Hints, error) {
	dir, err := os.MkdirTemp("", "nixboard-hints-")
	if err != nil {
		return Hints{}, fmt.Errorf("read the nixboard output of %s: %w", flake, err)
	}
	defer os.RemoveAll(dir)
	wrapper := "# Written by nixboard to read a team flake's nixboard output.\n" +
		"{\n  inputs.base.url = " + flakegen.NixString(flake) + ";\n" +
		"  outputs = { base, ... }: { nixboard = base.nixboard or null; };\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "flake.nix"), []byte(wrapper), 0o644); err != nil {
		return Hints{}, fmt.Errorf("read the nixboard output of %s: %w", flake, err)
	}
	args := []string{"eval", "--json", "--no-write-lock-file", "path:" + dir + "#nixboard"}
	args = append(args, baseInputArgs(nixArgs)...)
	out, err := baseopts.ExecNix(ctx, env, args)
	if err != nil {
		return Hints{}, fmt.Errorf("read the nixboard output of %s: %w", flake, err)
	}
	return ParseHints(out)
}

// baseInputArgs points the inputs an --override-input names at the team
// flake's (base/NAME), as the wrapper sees them.
func baseInputArgs(args []string) []string {
	out := slices.Clone(args)
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "--override-input" && !strings.HasPrefix(out[i+1], "base") {
			out[i+1] = "base/" + out[i+1]
			i++
		}
	}
	return out
}

// ParseHints reads the nixboard output's JSON strictly: null is no hints,
// and an unknown key or a value of the wrong type is an error naming it.
func ParseHints(data []byte) (Hints, error) {
	var h Hints
	if string(bytes.TrimSpace(data)) == "null" {
		return h, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return Hints{}, fmt.Errorf("the nixboard output must be an attribute set of order (a list of option paths), hide (a list of option paths), welcome (a string) and release (%s): %w", releaseNames(), err)
	}
	if h.Release != "" {
		if _, ok := flakegen.ReleaseByName(h.Release); !ok {
			return Hints{}, fmt.Errorf("nixboard.release %q is not a release nixboard knows: use %s", h.Release, releaseNames())
		}
	}
	for _, p := range append(slices.Clone(h.Order), h.Hide...) {
		if strings.HasPrefix(p, "homeBase.") {
			return Hints{}, fmt.Errorf("nixboard.order and nixboard.hide name options below homeBase: write %q, not %q", strings.TrimPrefix(p, "homeBase."), p)
		}
	}
	return h, nil
}

func releaseNames() string {
	var names []string
	for _, r := range flakegen.Releases {
		names = append(names, r.Name)
	}
	return strings.Join(names, " or ")
}
