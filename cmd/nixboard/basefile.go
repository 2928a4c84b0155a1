package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
)

// evaluateFunc evaluates a base layer's homeBase declarations for a
// machine: baseopts.Evaluate, or a test's stand-in.
type evaluateFunc = func(context.Context, baseopts.Request) (baseopts.Declarations, error)

// evaluator is the evaluation st's commands use.
func (st *stdio) evaluator() evaluateFunc {
	if st.evaluate != nil {
		return st.evaluate
	}
	return evaluateBase
}

// baseRequest is the evaluation of answers' team base for their machine,
// with nixArgs passed to every nix call.
func baseRequest(a flakegen.Answers, nixArgs, env []string) baseopts.Request {
	return baseopts.Request{
		Base: a.Base.Flake, Module: a.Base.Module,
		Platform: a.Platform, System: a.System, Release: a.Release,
		NixArgs: nixArgs, Env: env,
	}
}

// nixArgsAfterDash accepts arguments only after "--" (they go to nix) and
// refuses any before it, naming the command's synopsis.
func nixArgsAfterDash(name, synopsis string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		at := c.ArgsLenAtDash()
		if len(args) > 0 && at != 0 {
			return usagef("%s takes no arguments before --, got %q (usage: %s)", name, args[0], synopsis)
		}
		return nil
	}
}
