package main

import (
	"context"
	"errors"
)

// runDoctor is being written; see the issue that owns it.
func runDoctor(_ context.Context, _ *stdio, _ []string) error {
	return errors.New("doctor: not implemented yet")
}
