package main

import (
	"context"

	"github.com/nixboard/nixboard/baseopts"
)

// evaluateBase is the evaluation with real nix: baseopts.Evaluate.
func evaluateBase(ctx context.Context, r baseopts.Request) (baseopts.Declarations, error) {
	return baseopts.Evaluate(ctx, r)
}
