package main

import (
	"context"
	"errors"
)

// runRender is being written; see the issue that owns it.
func runRender(_ context.Context, _ *stdio, _ []string) error {
	return errors.New("render: not implemented yet")
}
