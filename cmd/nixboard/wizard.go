package main

import (
	"context"
	"errors"
)

// runWizard is being written; see the issue that owns it.
func runWizard(_ context.Context, _ *stdio, _ []string) error {
	return errors.New("wizard: not implemented yet")
}
