package flakegen_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
)

// CheckBase holds the team values to the base layer's declarations: a
// value of the wrong type and a value for an option the team does not
// declare are named by their option path, and fitting values pass.
func TestCheckBaseNamesTheOption(t *testing.T) {
	decl := baseopts.Declarations{Base: "path:/team", Options: []baseopts.Option{
		{Path: []string{"homeBase", "enableRust"}, Kind: baseopts.Bool},
		{Path: []string{"homeBase", "git"}, Kind: baseopts.Group, Options: []baseopts.Option{
			{Path: []string{"homeBase", "git", "signingKey"}, Kind: baseopts.String, Pattern: "[0-9A-F]+"},
		}},
		{Path: []string{"homeBase", "tools"}, Kind: baseopts.Packages},
	}}
	a := flakegen.DefaultFor("linux", "x86_64-linux")
	a.Base = &flakegen.BaseFlake{Flake: "path:/team", Module: "homeManagerModules.base"}
	if err := a.CheckBase(decl); err != nil {
		t.Errorf("no values: %v", err)
	}
	a.Base.SetValues(map[string]json.RawMessage{"enableRust": json.RawMessage(`true`), "git.signingKey": json.RawMessage(`"0A1F"`), "tools": json.RawMessage(`["ripgrep"]`)}, []string{"tools"})
	if err := a.CheckBase(decl); err != nil {
		t.Errorf("fitting values: %v", err)
	}
	a.Base.SetValues(map[string]json.RawMessage{"enableRust": json.RawMessage(`"yes"`), "git.signingKey": json.RawMessage(`"xyz"`), "enableEspIdf": json.RawMessage(`true`)}, nil)
	err := a.CheckBase(decl)
	if err == nil {
		t.Fatal("wrong values pass")
	}
	for _, want := range []string{
		"the answers do not fit the base layer path:/team",
		`homeBase.enableRust: must be true or false, not "yes"`,
		"homeBase.git.signingKey: must match the pattern [0-9A-F]+",
		"homeBase.enableEspIdf: is not an option of the base layer path:/team",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\nlacks %q", err, want)
		}
	}
	builtin := flakegen.DefaultFor("linux", "x86_64-linux")
	if err := builtin.CheckBase(decl); err != nil {
		t.Errorf("the built-in layer has nothing to check: %v", err)
	}
}
