package main

import (
	"context"
	"errors"
)

// runReplay is being written; see the issue that owns it.
func runReplay(_ context.Context, _ *stdio, _ []string) error {
	return errors.New("replay: not implemented yet")
}
