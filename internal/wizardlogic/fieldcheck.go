package wizardlogic

import (
	"errors"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
)

// FieldProblem validates answers with flakegen and returns the first
// problem of one field (by JSON path, including its map keys and list
// items), or nil. The wizard uses it to validate a field as it is typed, with
// exactly the rules the renderer applies.
func FieldProblem(a flakegen.Answers, path string) error {
	err := a.Validate()
	if err == nil {
		return nil
	}
	var ve flakegen.ValidationErrors
	if !errors.As(err, &ve) {
		return err
	}
	for _, fe := range ve {
		if fe.Field == path || strings.HasPrefix(fe.Field, path+".") || strings.HasPrefix(fe.Field, path+"[") {
			return errors.New(fe.Problem)
		}
	}
	return nil
}

// FieldCheck returns a validator for one field: it sets the typed value on
// a copy of the answers and validates that field alone.
func FieldCheck(base flakegen.Answers, path string, set func(a *flakegen.Answers, v string) error) func(string) error {
	return func(v string) error {
		a := base
		if err := set(&a, v); err != nil {
			return err
		}
		return FieldProblem(a, path)
	}
}
