package baseopts

import (
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// evalResult is what eval.nix returns.
type evalResult struct {
	Status    string       `json:"status"`
	Found     []string     `json:"found"`
	Available []string     `json:"available"`
	Type      string       `json:"type"`
	Options   []evalOption `json:"options"`
}

// evalOption is one entry of lib.optionAttrSetToDocList with what eval.nix
// adds from the option itself.
type evalOption struct {
	Loc         []string   `json:"loc"`
	Description string     `json:"description"`
	Type        string     `json:"type"`
	Visible     bool       `json:"visible"`
	Internal    bool       `json:"internal"`
	ReadOnly    bool       `json:"readOnly"`
	TypeInfo    typeInfo   `json:"typeInfo"`
	Positions   []position `json:"positions"`
	HasDefault  bool       `json:"hasDefault"`
	Default     json.RawMessage
}

// typeInfo is an option type's value as data: its name, description, and
// from its functor.payload and nestedTypes an enum's values, a
// strMatching's pattern and the element type.
type typeInfo struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Values      []json.RawMessage `json:"values"`
	Pattern     *string           `json:"pattern"`
	Elem        *typeInfo         `json:"elem"`
}

type position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// UnmarshalJSON keeps default as it came (null included) apart from the
// other fields.
func (o *evalOption) UnmarshalJSON(b []byte) error {
	type plain evalOption
	var v struct {
		plain
		Default json.RawMessage `json:"default"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = evalOption(v.plain)
	o.Default = v.Default
	return nil
}

// read turns eval.nix's output into Declarations.
func read(out []byte, r Request) (Declarations, error) {
	var res evalResult
	if err := json.Unmarshal(out, &res); err != nil {
		return Declarations{}, fmt.Errorf("baseopts: reading the evaluation of %s: %w", r.Base, err)
	}
	fail := func(p Problem, detail string) (Declarations, error) {
		return Declarations{}, &BaseError{Base: r.Base, Module: r.Module, Problem: p, Detail: detail}
	}
	switch res.Status {
	case "ok":
	case "no-module":
		detail := "the flake's outputs have "
		if len(res.Found) > 0 {
			detail = strings.Join(res.Found, ".") + " has "
		}
		if len(res.Available) == 0 {
			detail += "no attributes"
		} else {
			detail += "only " + strings.Join(res.Available, ", ")
		}
		return fail(NoModule, detail)
	case "no-homeBase":
		return fail(NoHomeBase, "declares no homeBase options")
	case "homeBase-not-a-set":
		return fail(NoHomeBase, "declares homeBase as one option ("+res.Type+"), not a set of options")
	default:
		return Declarations{}, fmt.Errorf("baseopts: the evaluation of %s returned status %q", r.Base, res.Status)
	}
	if len(res.Options) == 0 {
		return fail(NoHomeBase, "declares homeBase but no options in it")
	}
	return Declarations{
		Base: r.Base, Module: r.Module, Platform: r.Platform, System: r.System,
		Options: tree(res.Options),
	}, nil
}

// tree orders the options as they are declared (file, line, column; by
// name where nix knows no position) and nests options below homeBase.X.Y in
// a Group homeBase.X.
func tree(opts []evalOption) []Option {
	slices.SortStableFunc(opts, func(a, b evalOption) int {
		pa, pb := firstPosition(a), firstPosition(b)
		return cmp.Or(
			cmp.Compare(pa.File, pb.File),
			cmp.Compare(pa.Line, pb.Line),
			cmp.Compare(pa.Column, pb.Column),
			slices.Compare(a.Loc, b.Loc),
		)
	})
	var top []Option
	for _, e := range opts {
		insert(&top, e.Loc[:1], e)
	}
	return top
}

func firstPosition(o evalOption) position {
	if len(o.Positions) == 0 {
		return position{}
	}
	return o.Positions[0]
}

// insert puts e into options, the members of the group at prefix, making
// groups on the way.
func insert(options *[]Option, prefix []string, e evalOption) {
	if len(e.Loc) == len(prefix)+1 {
		*options = append(*options, option(e))
		return
	}
	path := slices.Clone(e.Loc[:len(prefix)+1])
	i := slices.IndexFunc(*options, func(o Option) bool { return o.Kind == Group && slices.Equal(o.Path, path) })
	if i < 0 {
		*options = append(*options, Option{Path: path, Kind: Group, Type: "option set", Description: ""})
		i = len(*options) - 1
	}
	insert(&(*options)[i].Options, path, e)
}

// option maps one declaration to how nixboard asks it.
func option(e evalOption) Option {
	o := Option{Path: slices.Clone(e.Loc), Type: e.Type, Description: e.Description}
	if e.HasDefault {
		o.Default = e.Default
	}
	switch {
	case e.Internal:
		o.Kind, o.Why = NotAsked, "an internal option"
	case !e.Visible:
		o.Kind, o.Why = NotAsked, "hidden by its module (visible = false)"
	case e.ReadOnly:
		o.Kind, o.Why = NotAsked, "read-only"
	default:
		fromType(&o, e.TypeInfo, true)
	}
	return o
}

// stringTypes are the string types nixboard asks as text.
var stringTypes = map[string]bool{"str": true, "nonEmptyStr": true, "singleLineStr": true}

// fromType sets o's Kind and what goes with it from t. top is false for
// the element of a nullOr, which cannot itself be optional.
func fromType(o *Option, t typeInfo, top bool) {
	notAsked := func(why string) { o.Kind, o.Why = NotAsked, why }
	switch name := t.Name; {
	case name == "bool":
		o.Kind = Bool
	case name == "enum":
		if len(t.Values) == 0 {
			notAsked("an enum without values")
			return
		}
		o.Kind, o.Choices = Enum, t.Values
	case stringTypes[name]:
		o.Kind, o.NonEmpty = String, name == "nonEmptyStr"
		if name == "singleLineStr" {
			o.Pattern = "[^\n\r]*\n?"
		}
	case strings.HasPrefix(name, "strMatching"):
		if t.Pattern == nil {
			notAsked("a string pattern nixboard cannot read")
			return
		}
		o.Kind, o.Pattern = String, *t.Pattern
	case isIntType(name):
		o.Kind = Int
		o.Min, o.Max = intBounds(name, t.Description)
	case name == "listOf" && t.Elem != nil && (stringTypes[t.Elem.Name] || strings.HasPrefix(t.Elem.Name, "strMatching")):
		o.Kind = Words
	case name == "listOf" && t.Elem != nil && t.Elem.Name == "package":
		o.Kind = Packages
	case name == "attrsOf" && t.Elem != nil && stringTypes[t.Elem.Name]:
		o.Kind = Assignments
	case name == "nullOr" && top && t.Elem != nil:
		// The element has the option's path, so its checks name the option.
		elem := Option{Path: o.Path, Type: t.Elem.Description}
		fromType(&elem, *t.Elem, false)
		if elem.Kind == NotAsked {
			notAsked("null or " + elem.Why)
			return
		}
		o.Kind, o.Elem = Optional, &elem
	case name == "functionTo":
		notAsked("a function")
	case name == "raw":
		notAsked("a raw value")
	case name == "package":
		notAsked("a single package")
	case name == "submodule":
		notAsked("a submodule")
	case (name == "listOf" || name == "attrsOf") && t.Elem != nil && t.Elem.Name == "submodule":
		notAsked(map[string]string{"listOf": "a list", "attrsOf": "an attribute set"}[name] + " of submodules")
	default:
		notAsked("its type (" + t.Description + ") is not one nixboard asks")
	}
}

// intTypes are nixpkgs' integer types by name (lib/types.nix: int,
// ints.between "intBetween", ints.unsigned "unsignedInt", ints.positive
// "positiveInt", ints.u8/u16/u32 "unsignedIntN" (port is u16), ints.s8/
// s16/s32 "signedIntN").
var sizedInt = regexp.MustCompile(`^(un)?signedInt(8|16|32)$`)

func isIntType(name string) bool {
	switch name {
	case "int", "intBetween", "unsignedInt", "positiveInt":
		return true
	}
	return sizedInt.MatchString(name)
}

// between is how lib/types.nix describes the bounds of ints.between and the
// sized ints: "... between LOW and HIGH (both inclusive)".
var between = regexp.MustCompile(`between (-?[0-9]+) and (-?[0-9]+) \(both inclusive\)`)

// intBounds derives an integer type's bounds from its name and, for
// intBetween, its description (the type value does not carry them).
func intBounds(name, description string) (lo, hi *int64) {
	if m := between.FindStringSubmatch(description); m != nil {
		l, err1 := strconv.ParseInt(m[1], 10, 64)
		h, err2 := strconv.ParseInt(m[2], 10, 64)
		if err1 == nil && err2 == nil {
			return &l, &h
		}
	}
	switch name {
	case "unsignedInt":
		return ptr64(0), nil
	case "positiveInt":
		return ptr64(1), nil
	}
	if m := sizedInt.FindStringSubmatch(name); m != nil {
		bits, _ := strconv.Atoi(m[2])
		if m[1] == "un" {
			return ptr64(0), ptr64(int64(1)<<bits - 1)
		}
		return ptr64(-(int64(1) << (bits - 1))), ptr64(int64(1)<<(bits-1) - 1)
	}
	return nil, nil
}

func ptr64(i int64) *int64 { return &i }
