package flakegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/nixboard/nixboard/internal/textwrap"
)

// A team base layer (Answers.Base) declares its own homeBase options, which
// nixboard learns by evaluating the module (package baseopts). Their values
// live in nixboard.json under base.values, keyed by the option's path below
// homeBase ("enableRust", "git.signingKey"), as JSON data the answers module
// reads with builtins.fromJSON and hands to exactly those options. Only the
// values a person chose that differ from the team's default are written:
// an option left at its default is absent, so a later change of the team's
// default reaches them on the next switch. base.packageLists names the
// values that are package lists (listOf package), which the answers module
// resolves to packages like additionalPackages.
//
// The identity (IdentityKeys) is not a team value: it stays in homeBase,
// which with a team base holds nothing else, and reaches home-manager's
// home.username, home.homeDirectory and home.stateVersion directly, and the
// team's homeBase options of the same names when the team declares them.

// IdentityKeys are the homeBase keys a nixboard.json with a team base keeps
// in homeBase: who the configuration is for and which state version it
// started with.
var IdentityKeys = []string{"username", "homeDirectory", "stateVersion"}

// Identity is homeBase as nixboard.json holds it with a team base.
type Identity struct {
	Username      string `json:"username"`
	HomeDirectory string `json:"homeDirectory"`
	StateVersion  string `json:"stateVersion"`
}

// IsPackageList reports whether the team value at key is a package list.
func (b *BaseFlake) IsPackageList(key string) bool {
	return b != nil && slices.Contains(b.PackageLists, key)
}

// SetValues replaces the team values with values (keyed by path below
// homeBase) and the package lists with those of packageLists that values
// holds, sorted; empty ones become nil, which nixboard.json leaves out.
func (b *BaseFlake) SetValues(values map[string]json.RawMessage, packageLists []string) {
	b.Values, b.PackageLists = nil, nil
	if len(values) > 0 {
		b.Values = maps.Clone(values)
	}
	for _, k := range packageLists {
		if _, ok := values[k]; ok && !slices.Contains(b.PackageLists, k) {
			b.PackageLists = append(b.PackageLists, k)
		}
	}
	slices.Sort(b.PackageLists)
}

// Checker checks team values keyed by path below homeBase, naming each bad
// one (homeBase.git.signingKey: ...). baseopts.Declarations is one; flakegen
// does not import baseopts, which evaluates with flakegen's releases.
type Checker interface {
	Check(values map[string]json.RawMessage) error
}

// CheckBase checks the team values against the base layer's declarations
// (d), after Validate: render runs it before anything is written. Answers
// without a team base have nothing to check.
func (a Answers) CheckBase(d Checker) error {
	if a.Base == nil {
		return nil
	}
	values := a.Base.Values
	if values == nil {
		values = map[string]json.RawMessage{}
	}
	if err := d.Check(values); err != nil {
		return fmt.Errorf("the answers do not fit the base layer %s: %w", a.Base.Flake, err)
	}
	return nil
}

// answersFile is the shape of nixboard.json: Answers with "version" first
// and, with a team base, only the Identity in homeBase. It has Answers'
// keys in Answers' order (TestAnswersFileHasEveryKey).
type answersFile struct {
	Version  int        `json:"version"`
	HomeBase any        `json:"homeBase"`
	Hostname string     `json:"hostname"`
	System   string     `json:"system"`
	Platform string     `json:"platform"`
	Release  string     `json:"release"`
	Git      GitAnswer  `json:"git"`
	Shell    string     `json:"shell"`
	Base     *BaseFlake `json:"base,omitempty"`
}

// rawMessageType is the element type of BaseFlake.Values, which the strict
// parser checks as any JSON, not as a string.
var rawMessageType = reflect.TypeOf(json.RawMessage(nil))

// identityOnly moves out of a homeBase object that sits beside a team base
// every key but IdentityKeys, with an error naming each.
func identityOnly(obj map[string]any, errs *ValidationErrors) {
	base, _ := obj["base"].(map[string]any)
	hb, _ := obj["homeBase"].(map[string]any)
	if base == nil || hb == nil {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(hb)) {
		if slices.Contains(IdentityKeys, k) {
			continue
		}
		*errs = append(*errs, FieldError{Field: joinPath("homeBase", k), Value: jsonText(hb[k]), ValueIsJSON: true,
			Problem: fmt.Sprintf("is not kept in homeBase with a team base layer (base.flake), which holds only %s: set the team's option in base.values, as \"%s\": %s", strings.Join(IdentityKeys, ", "), k, jsonText(hb[k]))})
		delete(hb, k)
	}
}

// checkRawValues is the strict parser's check of base.values: an object,
// within its limit. The values themselves are any JSON; Validate checks
// their text and CheckBase their types.
func checkRawValues(v any, field string, errs *ValidationErrors) bool {
	m, ok := v.(map[string]any)
	if !ok {
		*errs = append(*errs, FieldError{Field: field, Value: jsonText(v), ValueIsJSON: true,
			Problem: `must be an object of the team's option paths and values, such as {"enableRust": true, "git.signingKey": "0A1F"}, not ` + jsonType(v)})
		return false
	}
	if e, over := overLimit(field, "{…}", len(m)); over {
		*errs = append(*errs, e)
		return false
	}
	return true
}

// checkTeamValues is Validate's part for base.values and base.packageLists:
// keys that are option paths and not the identity, text without control
// characters within the limits, and package lists of package names.
func checkTeamValues(v *validator, b *BaseFlake) {
	if v.tooMany("base.values", "{…}", len(b.Values)) {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(b.Values)) {
		field := mapField("base.values", k)
		if !v.plain(field, k, maxValue) {
			continue
		}
		switch {
		case !isAttrPath(k):
			v.add(field, k, "is not an option path below homeBase: use the option's name, with dots for nested ones, such as enableRust or git.signingKey")
			continue
		case slices.Contains(IdentityKeys, k):
			v.add(field, k, "is set from homeBase."+k+"; remove it here")
			continue
		case reservedPath(k) != "":
			v.add(field, k, reservedPath(k))
			continue
		}
		var x any
		dec := json.NewDecoder(bytes.NewReader(b.Values[k]))
		dec.UseNumber()
		if err := dec.Decode(&x); err != nil {
			v.add(field, string(b.Values[k]), "is not a JSON value: "+err.Error())
			continue
		}
		if !checkTeamShellValue(v, field, k, x) {
			checkTeamText(v, field, x)
		}
	}
	seen := map[string]bool{}
	for i, k := range b.PackageLists {
		field := fmt.Sprintf("base.packageLists[%d]", i)
		raw, ok := b.Values[k]
		switch {
		case seen[k]:
			v.add(field, k, "is listed twice; remove the duplicate")
			continue
		case !ok:
			v.add(field, k, "names no entry of base.values; remove it, or add the package list to base.values")
			continue
		}
		seen[k] = true
		var names []string
		if string(raw) == "null" {
			continue
		}
		if json.Unmarshal(raw, &names) != nil {
			v.add(mapField("base.values", k), string(raw), `is a package list (base.packageLists), so it must be a list of package names such as ["ripgrep"]`)
			continue
		}
		if v.tooMany("base.values", "[…]", len(names)) {
			continue
		}
		for j, p := range names {
			if !isAttrPath(p) {
				v.add(fmt.Sprintf("%s[%d]", mapField("base.values", k), j), p, "is not a package attribute path: use names as in nixpkgs, such as ripgrep or python3Packages.requests (see https://search.nixos.org/packages)")
			}
		}
	}
}

// reservedPath is reservedKey for each name of an option path.
func reservedPath(path string) string {
	for _, part := range strings.Split(path, ".") {
		if why := reservedKey(part); why != "" {
			return why
		}
	}
	return ""
}

// checkTeamText checks every string in a team value, keys included, as
// free text, and every list and object against the entry limit.
func checkTeamText(v *validator, field string, x any) {
	switch x := x.(type) {
	case string:
		v.plain(field, x, maxValue)
	case []any:
		if len(x) > maxEntries {
			v.add(field, "[…]", fmt.Sprintf("has %s; at most %d are allowed: set it in home.nix", textwrap.Count(len(x), "entry", "entries"), maxEntries))
			return
		}
		for i, e := range x {
			checkTeamText(v, fmt.Sprintf("%s[%d]", field, i), e)
		}
	case map[string]any:
		if len(x) > maxEntries {
			v.add(field, "{…}", fmt.Sprintf("has %s; at most %d are allowed: set it in home.nix", textwrap.Count(len(x), "entry", "entries"), maxEntries))
			return
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			sub := mapField(field, k)
			if v.plain(sub, k, maxKey) {
				if why := reservedKey(k); why != "" {
					v.add(sub, k, why)
				}
			}
			checkTeamText(v, sub, x[k])
		}
	}
}

// migrateAnswersV2 upgrades version 2 to 3. Version 2 handed a team base's
// module the whole homeBase object, the built-in layer's options included;
// version 3 keeps only the identity there and the team's values in
// base.values. Every other homeBase key of a file with a team base moves
// there, terminalVerification's members under their dotted paths and
// additionalPackages as a package list, so the team module gets what it
// got before. Files without a team base keep every key.
func migrateAnswersV2(obj map[string]any) error {
	obj["version"] = json.Number("3")
	base, _ := obj["base"].(map[string]any)
	hb, _ := obj["homeBase"].(map[string]any)
	if base == nil || hb == nil {
		return nil
	}
	values, ok := base["values"].(map[string]any)
	if !ok {
		values = map[string]any{}
	}
	var lists []any
	for _, k := range slices.Sorted(maps.Keys(hb)) {
		if slices.Contains(IdentityKeys, k) {
			continue
		}
		v := hb[k]
		delete(hb, k)
		if sub, ok := v.(map[string]any); ok && k == "terminalVerification" {
			for _, m := range slices.Sorted(maps.Keys(sub)) {
				values[k+"."+m] = sub[m]
			}
			continue
		}
		if k == "additionalPackages" {
			lists = append(lists, k)
		}
		values[k] = v
	}
	if len(values) > 0 {
		base["values"] = values
	}
	if len(lists) > 0 {
		base["packageLists"] = lists
	}
	return nil
}

// checkTeamShellValue holds a team's options that share a name with the
// built-in layer's shell-bound ones (shellAliases, environmentVariables,
// defaultEditor, as in the shared base layer teams start from) to the same
// rules, and reports whether it did: a team module hands them to
// home-manager's shell options the way the built-in layer does, so what a
// person typed there becomes shell code just the same. A value of another
// shape is left to checkTeamText and the option's type check (baseopts).
func checkTeamShellValue(v *validator, field, key string, x any) bool {
	switch key {
	case "shellAliases", "environmentVariables":
		entries, ok := stringMap(x)
		if !ok {
			return false
		}
		if key == "shellAliases" {
			checkAliases(v, field, entries)
		} else {
			checkEnv(v, field, entries)
		}
		return true
	case "defaultEditor":
		s, ok := x.(string)
		if !ok {
			return false
		}
		if v.plain(field, s, maxEditor) {
			if p := editorProblem(s); p != "" {
				v.add(field, s, p)
			}
		}
		return true
	}
	return false
}

// stringMap is x as an object of strings, if it is one.
func stringMap(x any) (map[string]string, bool) {
	m, ok := x.(map[string]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}
