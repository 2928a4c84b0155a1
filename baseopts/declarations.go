package baseopts

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
)

// Declarations are the homeBase options of one base layer, evaluated for
// one platform and system: the questions nixboard asks for it.
type Declarations struct {
	// Base is the flake reference as given (github:team/nixcfg, path:/x),
	// Module the attribute path of the module in it (homeManagerModules.base),
	// and Revision what the flake locked to (its rev, or its narHash when it
	// has none): the cache key.
	Base     string `json:"base"`
	Module   string `json:"module"`
	Revision string `json:"revision,omitempty"`
	Platform string `json:"platform"`
	System   string `json:"system"`
	// Options are the options under homeBase in declaration order, nested
	// option sets as Groups.
	Options []Option `json:"options"`
}

// Lookup finds an option by its dotted path ("homeBase.git.signingKey"; the
// leading "homeBase." may be left out).
func (d Declarations) Lookup(path string) (Option, bool) {
	path = strings.TrimPrefix(path, "homeBase.")
	var found Option
	ok := false
	for _, top := range d.Options {
		top.Walk(func(o Option) {
			if !ok && strings.Join(o.Path[1:], ".") == path {
				found, ok = o, true
			}
		})
	}
	return found, ok
}

// Each calls f for every option, groups and their members included, depth
// first in declaration order.
func (d Declarations) Each(f func(Option)) {
	for _, o := range d.Options {
		o.Walk(f)
	}
}

// Check checks values, keyed by dotted path below homeBase ("git.signingKey"),
// against the options' types, and returns every problem at once (joined
// *Errors), each naming its option.
func (d Declarations) Check(values map[string]json.RawMessage) error {
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(values)) {
		o, ok := d.Lookup(k)
		if !ok {
			errs = append(errs, &Error{Option: "homeBase." + k, Reason: "is not an option of the base layer " + d.Base + "; remove it from the answers"})
			continue
		}
		if err := o.Check(values[k]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
