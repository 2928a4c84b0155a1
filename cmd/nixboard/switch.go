package main

import (
	"context"
	"errors"
)

// runSwitch is being written; see the issue that owns it.
func runSwitch(_ context.Context, _ *stdio, _ []string) error {
	return errors.New("switch: not implemented yet")
}
