package wizard

import (
	"bytes"
	"encoding/json"
	"strings"

	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/wizardlogic"
)

// A team base's questions come from its declarations (package baseopts),
// evaluated in the background while the first pages are answered (see
// teambase.go). Its pages follow the shell page: the team's bool options
// as toggles, grouped by the option set they belong to, then its other
// options, the members of an option set under its title. Descriptions and
// defaults are the module's; on a re-run the last answers' values.

// teamSource is what a team base's questions are built from: the
// declarations evaluated for the answers' base, and the team's hints (its
// optional nixboard output).
type teamSource struct {
	key   string // baseKey of the base they were evaluated for
	decl  baseopts.Declarations
	hints wizardlogic.Hints
}

// teamValues are the values the team's questions bind.
type teamValues struct {
	src    teamSource
	layout wizardlogic.TeamLayout
	// On are the paths of the toggles that are on.
	On []string
	// text is each other question's text, by field key.
	text    map[string]*string
	toggles *huh.MultiSelect[string]
}

// baseKey names a base layer: its flake and module.
func baseKey(b *flakegen.BaseFlake) string {
	if b == nil {
		return ""
	}
	return b.Flake + "#" + b.Module
}

// baseRef is the base layer question's value: the team flake, or empty.
func baseRef(a flakegen.Answers) string {
	if a.Base == nil {
		return ""
	}
	return a.Base.Flake
}

// setBase sets the base layer from the question's answer. The same flake
// keeps its module and values; another gets the default module and no
// values. The BaseFlake is always a copy: answers share nothing.
func setBase(a *flakegen.Answers, ref string) {
	ref = strings.TrimSpace(ref)
	switch {
	case ref == "":
		a.Base = nil
	case a.Base != nil && a.Base.Flake == ref:
		b := *a.Base
		a.Base = &b
	default:
		module := wizardlogic.DefaultBaseModule
		if a.Base != nil && a.Base.Module != "" {
			module = a.Base.Module
		}
		a.Base = &flakegen.BaseFlake{Flake: ref, Module: module}
	}
}

// setTeam gives the questions a team base's declarations (nil: none yet,
// or the built-in layer), with each question starting from the answers'
// value or the module's default.
func (v *questionValues) setTeam(src *teamSource) {
	v.team = nil
	if src == nil || v.base.Base == nil || src.key != baseKey(v.base.Base) {
		return
	}
	t := &teamValues{src: *src, layout: wizardlogic.Layout(src.decl, src.hints.Order, src.hints.Hide), text: map[string]*string{}}
	for _, q := range t.layout.Toggles {
		if string(bytes.TrimSpace(wizardlogic.TeamValue(v.base, q))) == "true" {
			t.On = append(t.On, q.Path)
		}
	}
	for _, q := range t.layout.Fields {
		s := wizardlogic.TeamText(q.Option, wizardlogic.TeamValue(v.base, q))
		t.text[q.Key()] = &s
		o := q.Option
		v.checks[q.Key()] = func(s string) error {
			_, err := wizardlogic.ParseTeamText(o, s)
			return err
		}
	}
	v.team = t
}

// teamQuestion is the team question of a field key.
func (v *questionValues) teamQuestion(key string) (wizardlogic.TeamQuestion, bool) {
	if v.team == nil {
		return wizardlogic.TeamQuestion{}, false
	}
	for _, q := range append(v.team.layout.Fields, v.team.layout.Toggles...) {
		if q.Key() == key {
			return q, true
		}
	}
	return wizardlogic.TeamQuestion{}, false
}

// applyBase writes the base layer and, for the team base the questions
// were built for, the values chosen: only those away from the module's
// defaults are kept (wizardlogic.SetTeamValues). A text that does not
// parse keeps the value it had.
func (v *questionValues) applyBase(a *flakegen.Answers) {
	setBase(a, v.BaseRef)
	if v.team == nil || baseKey(a.Base) != v.team.src.key {
		return
	}
	chosen := map[string]json.RawMessage{}
	on := map[string]bool{}
	for _, p := range v.team.On {
		on[p] = true
	}
	for _, q := range v.team.layout.Toggles {
		chosen[q.Path] = json.RawMessage("false")
		if on[q.Path] {
			chosen[q.Path] = json.RawMessage("true")
		}
	}
	for _, q := range v.team.layout.Fields {
		if raw, err := wizardlogic.ParseTeamText(q.Option, *v.team.text[q.Key()]); err == nil {
			chosen[q.Path] = raw
		} else if prev := wizardlogic.TeamValue(v.base, q); prev != nil {
			chosen[q.Path] = prev
		}
	}
	wizardlogic.SetTeamValues(a, v.team.src.decl, chosen)
}

// toggleLabel is a toggle as the list shows it: its option set, then its
// name.
func toggleLabel(q wizardlogic.TeamQuestion) string {
	if q.Group == "" {
		return q.Title()
	}
	return q.Group + " › " + q.Title()
}

// teamGroups are the team's pages: the toggles (at most height lines
// high; with long, as in accessible mode, each with its description) and
// the other questions.
func (v *questionValues) teamGroups(height int, long bool) []*huh.Group {
	t := v.team
	if t == nil {
		return nil
	}
	var groups []*huh.Group
	if len(t.layout.Toggles) > 0 {
		on := map[string]bool{}
		for _, p := range t.On {
			on[p] = true
		}
		var opts []huh.Option[string]
		for _, q := range t.layout.Toggles {
			label := toggleLabel(q)
			if long {
				label += ": " + q.Option.Description
			}
			opts = append(opts, huh.NewOption(label, q.Path).Selected(on[q.Path]))
		}
		t.toggles = huh.NewMultiSelect[string]().Key(keyTeamModules).
			Description(v.description(keyTeamModules)).Options(opts...).Value(&t.On)
		if long {
			t.toggles.Title(v.title(keyTeamModules))
		}
		if height > 0 {
			t.toggles.Height(max(height, 5))
		}
		groups = append(groups, huh.NewGroup(t.toggles))
	}
	if len(t.layout.Fields) > 0 {
		var fields []huh.Field
		for _, q := range t.layout.Fields {
			fields = append(fields, v.teamField(q))
		}
		groups = append(groups, huh.NewGroup(fields...))
	}
	return groups
}

// teamField is the form field of a team question: a choice for an enum,
// lines for assignments, an input for the rest.
func (v *questionValues) teamField(q wizardlogic.TeamQuestion) huh.Field {
	key, val := q.Key(), v.team.text[q.Key()]
	switch q.Option.Kind {
	case baseopts.Enum:
		return huh.NewSelect[string]().Key(key).Title(v.title(key)).Description(v.description(key)).
			Options(v.teamChoices(q)...).Value(val)
	case baseopts.Assignments:
		return huh.NewText().Key(key).Title(v.title(key)).
			Description(v.description(key) + " (alt+enter for a new line)").
			Lines(3).ExternalEditor(false).Value(val).Validate(via(v.checks, key))
	}
	return v.input(key, val)
}

// teamChoices are an enum's choices, shown as TeamText shows them.
func (v *questionValues) teamChoices(q wizardlogic.TeamQuestion) []huh.Option[string] {
	var opts []huh.Option[string]
	for _, c := range q.Option.Choices {
		s := wizardlogic.TeamText(q.Option, c)
		opts = append(opts, huh.NewOption(s, s))
	}
	return opts
}

// hoveredToggle is the team toggle under the list's cursor.
func (v *questionValues) hoveredToggle() (wizardlogic.TeamQuestion, bool) {
	if v.team == nil || v.team.toggles == nil {
		return wizardlogic.TeamQuestion{}, false
	}
	path, ok := v.team.toggles.Hovered()
	if !ok {
		return wizardlogic.TeamQuestion{}, false
	}
	for _, q := range v.team.layout.Toggles {
		if q.Path == path {
			return q, true
		}
	}
	return wizardlogic.TeamQuestion{}, false
}
