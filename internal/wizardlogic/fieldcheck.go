package wizardlogic

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/safetext"
)

// FieldProblem validates answers with flakegen and returns the first
// problem of one field (by JSON path, including its map keys and list
// items), or nil. The wizard uses it to validate a field as it is typed, with
// exactly the rules the renderer applies. The error names its subject as the
// renderer does: the value, and for an entry of a map, which entry.
func FieldProblem(a flakegen.Answers, path string) error {
	return fieldProblem(a, path, "")
}

// FieldCheck returns a validator for one field: it sets the typed value on
// a copy of the answers and validates that field alone. For a field typed
// as NAME=VALUE lines (aliases, variables), a problem with one entry names
// its line in the typed text.
func FieldCheck(base flakegen.Answers, path string, set func(a *flakegen.Answers, v string) error) func(string) error {
	return func(v string) error {
		a := base
		if err := set(&a, v); err != nil {
			return err
		}
		return fieldProblem(a, path, v)
	}
}

func fieldProblem(a flakegen.Answers, path, typed string) error {
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
			return entryError(fe, strings.TrimPrefix(fe.Field, path), typed)
		}
	}
	return nil
}

// entryError words a problem for the question that holds its field: rest
// is what follows the question's path in the field (empty for the field
// itself, ".NAME" or `["NAME"]` for a map entry, "[N]" for a list item).
func entryError(fe flakegen.FieldError, rest, typed string) error {
	what := fe.ShownValue() + " " + fe.Problem
	key, ok := mapKey(rest)
	if !ok {
		return errors.New(what)
	}
	where := "entry " + safetext.Line(key)
	if n := assignmentLine(typed, key); n > 0 {
		where = "line " + strconv.Itoa(n)
		if fe.Value != key {
			where += " (" + safetext.Line(key) + ")"
		}
	} else if fe.Value == key {
		// The value shown is the entry's name already.
		return errors.New(what)
	}
	return fmt.Errorf("%s: %s", where, what)
}

// mapKey reads the map key from the rest of a field path, as flakegen
// writes it: ".NAME" or `["NAME"]`. A list index ("[3]") is not a key.
func mapKey(rest string) (string, bool) {
	switch {
	case strings.HasPrefix(rest, "."):
		return rest[1:], true
	case strings.HasPrefix(rest, "[\"") && strings.HasSuffix(rest, "]"):
		k, err := strconv.Unquote(rest[1 : len(rest)-1])
		return k, err == nil
	}
	return "", false
}

// assignmentLine is the line (from 1) of NAME=VALUE text that sets name,
// the last one when several do (as ParseAssignments keeps the last), or 0.
func assignmentLine(text, name string) int {
	n := 0
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, _, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == name {
			n = i + 1
		}
	}
	return n
}

// UsernameWarning says why a user name answer other than the login name
// ($USER) cannot switch here: home-manager's activation runs
// `checkUsername` and stops unless $USER equals home.username. It is ""
// when the two agree or either is unknown.
func UsernameWarning(answer, login string) string {
	if login == "" || answer == "" || answer == login {
		return ""
	}
	return fmt.Sprintf("You are logged in as %s (USER), not %s: home-manager's activation stops unless USER equals this name. Answer %s, or run nixboard as %s.",
		safetext.Line(login), safetext.Line(answer), safetext.Line(login), safetext.Line(answer))
}
