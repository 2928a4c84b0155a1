package baseopts

import (
	"encoding/json"
	"strings"
	"testing"
)

func ptr(i int64) *int64 { return &i }

func TestCheckFollowsTheType(t *testing.T) {
	str := Option{Kind: String}
	cases := []struct {
		opt     Option
		value   string
		wantErr string // "" for a value that fits
	}{
		{Option{Kind: Bool}, `true`, ""},
		{Option{Kind: Bool}, `"yes"`, `must be true or false, not "yes"`},
		{Option{Kind: Enum, Choices: []json.RawMessage{json.RawMessage(`"zsh"`), json.RawMessage(`"fish"`)}}, `"fish"`, ""},
		{Option{Kind: Enum, Choices: []json.RawMessage{json.RawMessage(`"zsh"`), json.RawMessage(`"fish"`)}}, `"tcsh"`, `must be one of "zsh", "fish", not "tcsh"`},
		{str, `"x"`, ""},
		{str, `3`, "must be a string, not 3"},
		{Option{Kind: String, NonEmpty: true}, `"  "`, "must not be empty"},
		{Option{Kind: String, Pattern: "[0-9A-F]+"}, `"0A1F"`, ""},
		{Option{Kind: String, Pattern: "[0-9A-F]+"}, `"0A1Fx"`, `must match the pattern [0-9A-F]+, and "0A1Fx" does not`},
		{Option{Kind: Int}, `-3`, ""},
		{Option{Kind: Int}, `1.5`, "must be a whole number, not 1.5"},
		{Option{Kind: Int, Min: ptr(1), Max: ptr(65535)}, `65536`, "must be between 1 and 65535, not 65536"},
		{Option{Kind: Int, Min: ptr(1)}, `0`, "must be at least 1, not 0"},
		{Option{Kind: Words}, `["a","b"]`, ""},
		{Option{Kind: Words}, `["a",2]`, "item 2 must be a string, not 2"},
		{Option{Kind: Packages}, `["ripgrep","python3Packages.requests"]`, ""},
		{Option{Kind: Packages}, `["rip grep"]`, `item 1, "rip grep", is not a nixpkgs attribute name`},
		{Option{Kind: Assignments}, `{"EDITOR":"nvim"}`, ""},
		{Option{Kind: Assignments}, `{"EDITOR":true}`, "EDITOR must be a string, not true"},
		{Option{Kind: Optional, Elem: &Option{Kind: Int, Max: ptr(9)}}, `null`, ""},
		{Option{Kind: Optional, Elem: &Option{Kind: Int, Max: ptr(9)}}, `10`, "must be at most 9, not 10"},
		{Option{Kind: NotAsked, Why: "a function"}, `1`, "is not asked by nixboard (a function)"},
	}
	for _, c := range cases {
		c.opt.Path = []string{"homeBase", "team", "x"}
		err := c.opt.Check(json.RawMessage(c.value))
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s %s: %v", c.opt.Kind, c.value, err)
		case c.wantErr != "" && err == nil:
			t.Errorf("%s %s: no error, want %q", c.opt.Kind, c.value, c.wantErr)
		case c.wantErr != "" && !strings.HasPrefix(err.Error(), "homeBase.team.x: "+c.wantErr):
			t.Errorf("%s %s: %q, want it to start with %q", c.opt.Kind, c.value, err, "homeBase.team.x: "+c.wantErr)
		}
	}
}

func TestDeclarationsCheckNamesEveryOption(t *testing.T) {
	d := Declarations{Base: "path:/team", Options: []Option{
		{Path: []string{"homeBase", "enableRust"}, Kind: Bool},
		{Path: []string{"homeBase", "git"}, Kind: Group, Options: []Option{
			{Path: []string{"homeBase", "git", "signingKey"}, Kind: String, Pattern: "[0-9A-F]+"},
		}},
	}}
	if _, ok := d.Lookup("homeBase.git.signingKey"); !ok {
		t.Fatal("Lookup does not find homeBase.git.signingKey")
	}
	err := d.Check(map[string]json.RawMessage{
		"enableRust":     json.RawMessage(`"on"`),
		"git.signingKey": json.RawMessage(`"xyz"`),
		"enableGo":       json.RawMessage(`true`),
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`homeBase.enableGo: is not an option of the base layer path:/team`,
		`homeBase.enableRust: must be true or false, not "on"`,
		`homeBase.git.signingKey: must match the pattern [0-9A-F]+`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\nlacks %q", err, want)
		}
	}
}

func TestOptionJSONHasTheDottedPath(t *testing.T) {
	o := Option{Path: []string{"homeBase", "git", "signingKey"}, Kind: String, Description: "key"}
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), `{"path":"homeBase.git.signingKey","kind":"string"`) {
		t.Fatalf("JSON %s", b)
	}
	var back Option
	if err := json.Unmarshal(b, &back); err != nil || back.Name() != o.Name() || back.Kind != String {
		t.Fatalf("read back %+v, %v", back, err)
	}
}
