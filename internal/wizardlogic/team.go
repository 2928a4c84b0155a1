package wizardlogic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
)

// DefaultBaseModule is the module a team base flake is asked for when no
// other is named (--base-module).
const DefaultBaseModule = "homeManagerModules.base"

// TeamQuestion is one option of a team's base layer as the wizard asks it.
type TeamQuestion struct {
	Option baseopts.Option
	// Path is the option's path below homeBase ("git.signingKey"): its key
	// in base.values.
	Path string
	// Group is the path below homeBase of the option set it belongs to
	// ("git"), empty at the top.
	Group string
}

// Key is the question's field key, the option's full path
// ("homeBase.git.signingKey").
func (q TeamQuestion) Key() string { return q.Option.Name() }

// Title is the question's title: its name within its group.
func (q TeamQuestion) Title() string {
	return strings.TrimPrefix(strings.TrimPrefix(q.Path, q.Group), ".")
}

// TeamLayout is what a team's declarations make of the questions: the
// toggles of the modules page (bools, grouped by the option set they are
// in), the other questions in declaration order (the members of an option
// set after each other, under its title), and what is not asked.
type TeamLayout struct {
	Toggles  []TeamQuestion
	Fields   []TeamQuestion
	NotAsked []TeamQuestion
}

// Layout sorts a team's options into the wizard's questions. hide lists
// option paths (below homeBase, or whole groups) the team asks not to
// ask, and order the paths to put first, in that order; the rest keep
// the module's order. Hidden options are not asked and keep the module's
// default, like the options nixboard cannot ask.
func Layout(d baseopts.Declarations, order, hide []string) TeamLayout {
	var l TeamLayout
	hidden := func(path string) bool {
		for _, h := range hide {
			if path == h || strings.HasPrefix(path, h+".") {
				return true
			}
		}
		return false
	}
	var walk func(o baseopts.Option, group string)
	walk = func(o baseopts.Option, group string) {
		q := TeamQuestion{Option: o, Path: strings.Join(o.Path[1:], "."), Group: group}
		switch {
		case hidden(q.Path):
			// The team hides it: it keeps the module's default, as an
			// option nixboard cannot ask does.
			l.NotAsked = append(l.NotAsked, q)
		case o.Kind == baseopts.Group:
			for _, m := range o.Options {
				walk(m, q.Path)
			}
		case o.Kind == baseopts.NotAsked:
			l.NotAsked = append(l.NotAsked, q)
		case o.Kind == baseopts.Bool:
			l.Toggles = append(l.Toggles, q)
		default:
			l.Fields = append(l.Fields, q)
		}
	}
	for _, o := range d.Options {
		walk(o, "")
	}
	rank := func(q TeamQuestion) int {
		for i, p := range order {
			if q.Path == p || strings.HasPrefix(q.Path, p+".") {
				return i
			}
		}
		return len(order)
	}
	byOrder := func(a, b TeamQuestion) int { return rank(a) - rank(b) }
	slices.SortStableFunc(l.Fields, byOrder)
	// Toggles keep their groups together: the top-level ones first, then
	// each option set's, in the order the groups first appear.
	groupAt := map[string]int{}
	for _, q := range l.Toggles {
		if _, ok := groupAt[q.Group]; !ok {
			groupAt[q.Group] = len(groupAt)
		}
	}
	slices.SortStableFunc(l.Toggles, func(a, b TeamQuestion) int {
		if r := byOrder(a, b); r != 0 {
			return r
		}
		ga, gb := groupAt[a.Group], groupAt[b.Group]
		if a.Group == "" {
			ga = -1
		}
		if b.Group == "" {
			gb = -1
		}
		return ga - gb
	})
	return l
}

// TeamValue is the value a team option starts from: the last answers'
// when they set it, else the module's default for this platform.
func TeamValue(a flakegen.Answers, q TeamQuestion) json.RawMessage {
	if a.Base != nil {
		if v, ok := a.Base.Values[q.Path]; ok {
			return v
		}
	}
	return q.Option.Default
}

// TeamText is the text an input shows for a team value of the question's
// kind: a string as it is, a number in digits, words and packages space
// separated, assignments as NAME=VALUE lines, an optional's null as empty.
func TeamText(o baseopts.Option, v json.RawMessage) string {
	if len(bytes.TrimSpace(v)) == 0 {
		return ""
	}
	switch o.Kind {
	case baseopts.String, baseopts.Enum:
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	case baseopts.Words, baseopts.Packages:
		var list []string
		if json.Unmarshal(v, &list) == nil {
			return strings.Join(list, " ")
		}
	case baseopts.Assignments:
		var m map[string]string
		if json.Unmarshal(v, &m) == nil {
			return FormatAssignments(m)
		}
	case baseopts.Optional:
		if string(bytes.TrimSpace(v)) == "null" || o.Elem == nil {
			return ""
		}
		return TeamText(*o.Elem, v)
	}
	return string(bytes.TrimSpace(v))
}

// ParseTeamText turns what a person typed into the JSON value of the
// option's kind and checks it with the option's type, naming the option.
func ParseTeamText(o baseopts.Option, s string) (json.RawMessage, error) {
	v, err := teamJSON(o, s)
	if err != nil {
		return nil, &baseopts.Error{Option: o.Name(), Reason: err.Error()}
	}
	if err := o.Check(v); err != nil {
		return nil, err
	}
	return v, nil
}

func teamJSON(o baseopts.Option, s string) (json.RawMessage, error) {
	switch o.Kind {
	case baseopts.String:
		return json.Marshal(s)
	case baseopts.Enum:
		// A choice that is a JSON string is shown without its quotes.
		for _, c := range o.Choices {
			if TeamText(o, c) == s {
				return c, nil
			}
		}
		return json.Marshal(s)
	case baseopts.Int:
		t := strings.TrimSpace(s)
		if _, err := strconv.ParseInt(t, 10, 64); err != nil {
			return nil, fmt.Errorf("must be a whole number%s, not %q", intBounds(o), t)
		}
		return json.RawMessage(t), nil
	case baseopts.Words, baseopts.Packages:
		words := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
		if words == nil {
			words = []string{}
		}
		return json.Marshal(words)
	case baseopts.Assignments:
		m, err := ParseAssignments(s)
		if err != nil {
			return nil, err
		}
		return json.Marshal(m)
	case baseopts.Optional:
		if strings.TrimSpace(s) == "" || o.Elem == nil {
			return json.RawMessage("null"), nil
		}
		elem := *o.Elem
		elem.Path = o.Path
		return teamJSON(elem, s)
	}
	return nil, errors.New("is not asked by nixboard")
}

// TeamDescription is a question's description: the module's text, with the
// bounds of a number, the pattern of a string and what empty means for an
// optional value.
func TeamDescription(o baseopts.Option) string {
	desc := strings.TrimSpace(o.Description)
	add := func(s string) {
		if desc != "" {
			desc += " "
		}
		desc += s
	}
	elem := o
	if o.Kind == baseopts.Optional && o.Elem != nil {
		elem = *o.Elem
	}
	switch elem.Kind {
	case baseopts.Int:
		if b := intBounds(elem); b != "" {
			add("(a whole number" + b + ")")
		}
	case baseopts.String:
		if elem.Pattern != "" {
			add("(matching " + elem.Pattern + ")")
		}
	case baseopts.Words:
		add("(words, separated by spaces or commas)")
	case baseopts.Packages:
		add("(nixpkgs attribute names, separated by spaces, e.g. ripgrep python3Packages.requests)")
	case baseopts.Assignments:
		add("(one NAME=VALUE per line)")
	}
	if o.Kind == baseopts.Optional {
		add("Empty leaves it unset (null).")
	}
	return desc
}

func intBounds(o baseopts.Option) string {
	switch {
	case o.Min != nil && o.Max != nil:
		return fmt.Sprintf(" from %d to %d", *o.Min, *o.Max)
	case o.Min != nil:
		return fmt.Sprintf(" of at least %d", *o.Min)
	case o.Max != nil:
		return fmt.Sprintf(" of at most %d", *o.Max)
	}
	return ""
}

// SetTeamValues stores the chosen values (by path below homeBase) in the
// answers' team base: only those that differ from the module's default,
// so an option left at its default follows the team's later changes, with
// the package lists named. Values of options the declarations lack are
// dropped: they reach exactly the declared options.
func SetTeamValues(a *flakegen.Answers, d baseopts.Declarations, chosen map[string]json.RawMessage) {
	if a.Base == nil {
		return
	}
	values := map[string]json.RawMessage{}
	var lists []string
	for path, v := range chosen {
		o, ok := d.Lookup(path)
		if !ok || !o.Asked() || o.Kind == baseopts.Group || jsonEqual(v, o.Default) {
			continue
		}
		values[path] = v
		if o.Kind == baseopts.Packages || o.Kind == baseopts.Optional && o.Elem != nil && o.Elem.Kind == baseopts.Packages {
			lists = append(lists, path)
		}
	}
	a.Base.SetValues(values, lists)
}

// jsonEqual compares two JSON values; a missing one (no default) equals
// nothing.
func jsonEqual(a, b json.RawMessage) bool {
	if len(bytes.TrimSpace(a)) == 0 || len(bytes.TrimSpace(b)) == 0 {
		return false
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}

// TeamReview is what the review says about a team base: which layer, the
// values set away from its defaults, and the options not asked, with
// their types.
func TeamReview(a flakegen.Answers, d *baseopts.Declarations, order, hide []string) [][2]string {
	if a.Base == nil {
		return nil
	}
	rows := [][2]string{{"Base layer", a.Base.Flake + "#" + a.Base.Module}}
	var set []string
	for _, k := range slices.Sorted(maps.Keys(a.Base.Values)) {
		set = append(set, "homeBase."+k+" = "+string(a.Base.Values[k]))
	}
	rows = append(rows, [2]string{"Team options", listOrNone(set) + "  (the rest keep the team's defaults)"})
	if d != nil {
		var notAsked []string
		for _, q := range Layout(*d, order, hide).NotAsked {
			notAsked = append(notAsked, q.Key()+" ("+q.Option.Type+"): not asked")
		}
		if len(notAsked) > 0 {
			rows = append(rows, [2]string{"Not asked", strings.Join(notAsked, "; ")})
		}
	}
	return rows
}

// Hints are what a team's optional flake output `nixboard` asks of the
// wizard: the order of its questions (option paths below homeBase, or
// whole option sets, first), questions to hide (they keep the module's
// default), a short welcome text and the release the team pins.
type Hints struct {
	Order   []string `json:"order,omitempty"`
	Hide    []string `json:"hide,omitempty"`
	Welcome string   `json:"welcome,omitempty"`
	Release string   `json:"release,omitempty"`
}
