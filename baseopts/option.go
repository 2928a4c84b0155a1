// Package baseopts turns the homeBase options a base layer's home-manager
// module declares into the questions nixboard asks, and checks answers
// against them. The declarations come from evaluating the module with the
// module system that declares them (see Evaluate); this file holds what
// that evaluation yields and the checks that follow an option's type.
package baseopts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Kind says how nixboard asks an option. Its values are the "kind" field of
// `nixboard options --json`.
type Kind string

const (
	// Bool is a toggle (types.bool).
	Bool Kind = "bool"
	// Enum is a choice among Choices (types.enum).
	Enum Kind = "enum"
	// String is a text (types.str, nonEmptyStr, strMatching): NonEmpty and
	// Pattern say what it must be.
	String Kind = "string"
	// Int is a whole number between Min and Max when they are set (types.int,
	// ints.between, ints.positive, ints.unsigned, port).
	Int Kind = "int"
	// Words is a list of strings (listOf str).
	Words Kind = "words"
	// Packages is a list of nixpkgs attribute names (listOf package), resolved
	// like additionalPackages.
	Packages Kind = "packages"
	// Assignments is NAME=VALUE pairs (attrsOf str).
	Assignments Kind = "assignments"
	// Optional is Elem or nothing (nullOr T); JSON null is nothing.
	Optional Kind = "optional"
	// Group is a nested option set (like terminalVerification); Options
	// holds its members.
	Group Kind = "group"
	// NotAsked is an option nixboard does not ask: it keeps the module's
	// default, and Why says why.
	NotAsked Kind = "not-asked"
)

// Option is one homeBase option as nixboard asks it.
type Option struct {
	// Path is the option's location, starting with "homeBase", e.g.
	// ["homeBase", "git", "signingKey"].
	Path []string `json:"-"`
	Kind Kind     `json:"kind"`
	// Type is the module system's description of the type ("null or string
	// matching the pattern ^[0-9A-F]+$").
	Type string `json:"type"`
	// Description is the module's own text for the option.
	Description string `json:"description"`
	// Default is the option's value on the platform and system it was
	// evaluated for, as JSON; nil when it has none or it cannot be shown
	// (a NotAsked option's function, a package).
	Default json.RawMessage `json:"default,omitempty"`
	// Choices are an Enum's values, as JSON.
	Choices []json.RawMessage `json:"choices,omitempty"`
	// Min and Max bound an Int, inclusive, when set.
	Min *int64 `json:"min,omitempty"`
	Max *int64 `json:"max,omitempty"`
	// Pattern is a String's regular expression (strMatching), matched
	// against the whole value; NonEmpty says it may not be empty.
	Pattern  string `json:"pattern,omitempty"`
	NonEmpty bool   `json:"nonEmpty,omitempty"`
	// Elem is what an Optional holds when it is not null.
	Elem *Option `json:"elem,omitempty"`
	// Options are a Group's members, in declaration order.
	Options []Option `json:"options,omitempty"`
	// Why says, for a NotAsked option, why it is not asked.
	Why string `json:"why,omitempty"`
}

// Name is the option's path joined with dots: "homeBase.git.signingKey".
func (o Option) Name() string { return strings.Join(o.Path, ".") }

// MarshalJSON writes the option with its path as one dotted string.
func (o Option) MarshalJSON() ([]byte, error) {
	type plain Option
	return json.Marshal(struct {
		Path string `json:"path"`
		plain
	}{o.Name(), plain(o)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *Option) UnmarshalJSON(data []byte) error {
	type plain Option
	var v struct {
		Path string `json:"path"`
		plain
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*o = Option(v.plain)
	if v.Path != "" {
		o.Path = strings.Split(v.Path, ".")
	}
	return nil
}

// Asked reports whether nixboard asks the option (a Group counts as asked:
// its members are).
func (o Option) Asked() bool { return o.Kind != NotAsked }

// Walk calls f for o and, for a Group, for each member, depth first in
// declaration order.
func (o Option) Walk(f func(Option)) {
	f(o)
	for _, m := range o.Options {
		m.Walk(f)
	}
}

// Error is a value that does not fit its option's type. Its text names the
// option path and says what the type wants.
type Error struct {
	Option string // "homeBase.git.signingKey"
	Reason string // "must be a string matching ^[0-9A-F]+$, not 12"
}

func (e *Error) Error() string { return e.Option + ": " + e.Reason }

// Check reports whether v (JSON) is a value of the option's type, with an
// *Error naming the option when it is not. A Group takes an object of its
// members' values, each optional; a NotAsked option takes nothing, since
// nixboard never sets it.
func (o Option) Check(v json.RawMessage) error {
	bad := func(format string, args ...any) error {
		return &Error{Option: o.Name(), Reason: fmt.Sprintf(format, args...)}
	}
	var x any
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		return bad("not a JSON value: %v", err)
	}
	shown := string(bytes.TrimSpace(v))
	if len(shown) > 60 {
		shown = shown[:57] + "..."
	}
	switch o.Kind {
	case Bool:
		if _, ok := x.(bool); !ok {
			return bad("must be true or false, not %s", shown)
		}
	case Enum:
		for _, c := range o.Choices {
			if jsonEqual(c, v) {
				return nil
			}
		}
		return bad("must be one of %s, not %s", choiceList(o.Choices), shown)
	case String:
		s, ok := x.(string)
		if !ok {
			return bad("must be a string, not %s", shown)
		}
		if o.NonEmpty && strings.TrimSpace(s) == "" {
			return bad("must not be empty")
		}
		if o.Pattern != "" {
			re, err := regexp.Compile(`^(?:` + o.Pattern + `)$`)
			if err != nil {
				// Nix patterns are POSIX extended regular expressions; the few
				// Go cannot read are left to the module system's own check.
				return nil
			}
			if !re.MatchString(s) {
				return bad("must match the pattern %s, and %s does not", o.Pattern, shown)
			}
		}
	case Int:
		n, ok := x.(json.Number)
		if !ok {
			return bad("must be a whole number, not %s", shown)
		}
		i, err := n.Int64()
		if err != nil {
			return bad("must be a whole number, not %s", shown)
		}
		if o.Min != nil && i < *o.Min || o.Max != nil && i > *o.Max {
			return bad("must be %s, not %d", bounds(o.Min, o.Max), i)
		}
	case Words, Packages:
		list, ok := x.([]any)
		if !ok {
			return bad("must be a list of strings, not %s", shown)
		}
		for i, e := range list {
			s, ok := e.(string)
			if !ok {
				return bad("item %d must be a string, not %s", i+1, jsonText(e))
			}
			if o.Kind == Packages && !packageName.MatchString(s) {
				return bad("item %d, %q, is not a nixpkgs attribute name (like ripgrep or python3Packages.requests)", i+1, s)
			}
		}
	case Assignments:
		obj, ok := x.(map[string]any)
		if !ok {
			return bad("must be an object of NAME: VALUE strings, not %s", shown)
		}
		for k, e := range obj {
			if _, ok := e.(string); !ok {
				return bad("%s must be a string, not %s", k, jsonText(e))
			}
		}
	case Optional:
		if x == nil || o.Elem == nil {
			return nil
		}
		elem := *o.Elem
		elem.Path = o.Path
		return elem.Check(v)
	case Group:
		obj, ok := x.(map[string]any)
		if !ok {
			return bad("must be an object of its options' values, not %s", shown)
		}
		for k, e := range obj {
			m, ok := o.member(k)
			if !ok {
				return &Error{Option: o.Name() + "." + k, Reason: "is not an option of " + o.Name()}
			}
			raw, _ := json.Marshal(e)
			if err := m.Check(raw); err != nil {
				return err
			}
		}
	case NotAsked:
		return bad("is not asked by nixboard (%s); set it in home.nix", o.Why)
	default:
		return bad("has a kind nixboard does not know (%q)", o.Kind)
	}
	return nil
}

func (o Option) member(name string) (Option, bool) {
	for _, m := range o.Options {
		if len(m.Path) > 0 && m.Path[len(m.Path)-1] == name {
			return m, true
		}
	}
	return Option{}, false
}

// packageName is a nixpkgs attribute path: names joined by dots.
var packageName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$`)

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

func choiceList(choices []json.RawMessage) string {
	s := make([]string, len(choices))
	for i, c := range choices {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func bounds(lo, hi *int64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("between %d and %d", *lo, *hi)
	case lo != nil:
		return fmt.Sprintf("at least %d", *lo)
	default:
		return fmt.Sprintf("at most %d", *hi)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
