package main

import (
	"context"
	"errors"

	"github.com/nixboard/nixboard/baseopts"
)

// evaluateBase is the evaluation with real nix. Until package baseopts'
// Evaluate lands on this branch, a team base cannot be evaluated, and the
// commands that need it say so instead of guessing.
func evaluateBase(ctx context.Context, r baseopts.Request) (baseopts.Declarations, error) {
	return baseopts.Declarations{}, errors.New("evaluating the base layer " + r.Base + " needs baseopts.Evaluate, which this build of nixboard does not have yet")
}
