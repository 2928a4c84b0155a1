package flakegen

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// With a team base, nixboard.json holds the identity in homeBase, the
// chosen values in base.values and which of them are package lists, and
// reads back as the same answers.
func TestTeamAnswersFileShape(t *testing.T) {
	a := teamSample()
	a.Base = valuedTeamBase()
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	out := MarshalAnswers(a)
	var file map[string]json.RawMessage
	if err := json.Unmarshal(out, &file); err != nil {
		t.Fatal(err)
	}
	var hb map[string]any
	json.Unmarshal(file["homeBase"], &hb)
	if want := map[string]any{"username": "alice", "homeDirectory": "/home/alice", "stateVersion": a.HomeBase.StateVersion}; !reflect.DeepEqual(hb, want) {
		t.Errorf("homeBase = %v, want the identity alone %v", hb, want)
	}
	var base map[string]any
	json.Unmarshal(file["base"], &base)
	wantBase := map[string]any{
		"flake": "github:timblaktu/nixcfg", "module": "homeManagerModules.base",
		"values": map[string]any{
			"editor": nil, "enableRust": true, "git.signingKey": "0A1F",
			"tools.extra": []any{"ripgrep", "python3Packages.requests"},
		},
		"packageLists": []any{"tools.extra"},
	}
	if !reflect.DeepEqual(base, wantBase) {
		t.Errorf("base = %v\nwant %v", base, wantBase)
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, a) {
		t.Errorf("read back as\n%+v\nwant\n%+v", back, a)
	}
	if string(MarshalAnswers(back)) != string(out) {
		t.Error("writing it again changes the file")
	}
	// A team base without values writes neither key.
	plain := teamSample()
	if s := string(MarshalAnswers(plain)); strings.Contains(s, `"values"`) || strings.Contains(s, `"packageLists"`) {
		t.Errorf("empty values written:\n%s", s)
	}
}

// The strict parser names what does not belong in a team answers file, and
// Validate what is wrong in base.values and base.packageLists.
func TestTeamAnswersErrorsNameTheField(t *testing.T) {
	valid := string(MarshalAnswers(func() Answers { a := teamSample(); a.Base = valuedTeamBase(); return a }()))
	cases := []struct {
		name, from, to string
		field, problem string
	}{
		{"a built-in option beside a team base", `"username": "alice"`, `"username": "alice", "enableGit": false`,
			"homeBase.enableGit", `set the team's option in base.values, as "enableGit": false`},
		{"values not an object", `"values": {`, `"values": [], "x": {`, "base.values", "must be an object of the team's option paths"},
		{"an unknown key in base", `"packageLists"`, `"packagelist": 1, "packageLists"`, "base.packagelist", `did you mean "packageLists"?`},
		{"a key that is not an option path", `"enableRust": true`, `"enableRust": true, "git..x": 1`, `base.values["git..x"]`, "is not an option path below homeBase"},
		{"the identity as a value", `"enableRust": true`, `"enableRust": true, "username": "bob"`, "base.values.username", "is set from homeBase.username"},
		{"a reserved name", `"enableRust": true`, `"enableRust": true, "x.__functor": 1`, `base.values["x.__functor"]`, "module system reads"},
		{"a control character", `"0A1F"`, `"0A\u001b1F"`, `base.values["git.signingKey"]`, "control character"},
		{"a package list naming no value", `"tools.extra"
    ]`, `"tools.extra", "gone"
    ]`, "base.packageLists[1]", "names no entry of base.values"},
		{"a package list of no packages", `"python3Packages.requests"`, `"python3 Packages"`, `base.values["tools.extra"][1]`, "is not a package attribute path"},
		{"a package list that is no list", `[
        "ripgrep",
        "python3Packages.requests"
      ]`, `"ripgrep"`, `base.values["tools.extra"]`, "is a package list (base.packageLists)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := strings.Replace(valid, c.from, c.to, 1)
			if data == valid {
				t.Fatalf("%q is not in the file:\n%s", c.from, valid)
			}
			a, err := Parse([]byte(data))
			if err == nil {
				a.Normalize()
				err = a.Validate()
			}
			var verr ValidationErrors
			if !errors.As(err, &verr) {
				t.Fatalf("%v, want ValidationErrors", err)
			}
			found := false
			for _, e := range verr.Field(c.field) {
				found = found || strings.Contains(e.Error(), c.problem)
			}
			if !found {
				t.Errorf("errors %v\nlack %s: ...%s", err, c.field, c.problem)
			}
		})
	}
}

// A version 2 file with a team base handed the team module its whole
// homeBase; read at version 3, everything but the identity is a team value,
// so the module gets what it got before. Without a team base nothing moves.
func TestVersion2TeamAnswersAreUpgraded(t *testing.T) {
	v2 := map[string]any{}
	builtin := sample()
	json.Unmarshal(MarshalAnswers(builtin), &v2)
	v2["version"] = 2
	v2["base"] = map[string]any{"flake": "github:team/nixcfg", "module": "homeManagerModules.base"}
	data, _ := json.Marshal(v2)
	a, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if a.HomeBase.Username != "alice" || a.HomeBase.HomeDirectory != "/home/alice" {
		t.Errorf("identity lost: %+v", a.HomeBase)
	}
	values := map[string]string{}
	for k, v := range a.Base.Values {
		values[k] = string(v)
	}
	for k, want := range map[string]string{
		"enableDevelopment":                           "true",
		"defaultEditor":                               `"nvim"`,
		"shellAliases":                                `{"gs":"git status","ll":"ls -l"}`,
		"additionalPackages":                          `["ripgrep","python3Packages.requests"]`,
		"terminalVerification.enable":                 "false",
		"terminalVerification.warnOnMisconfiguration": "false",
	} {
		if values[k] != want {
			t.Errorf("base.values[%q] = %s, want %s", k, values[k], want)
		}
	}
	if _, ok := values["username"]; ok {
		t.Error("the identity became a team value")
	}
	if !reflect.DeepEqual(a.Base.PackageLists, []string{"additionalPackages"}) {
		t.Errorf("packageLists = %v", a.Base.PackageLists)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("upgraded answers do not validate: %v", err)
	}

	delete(v2, "base")
	data, _ = json.Marshal(v2)
	b, err := Parse(data)
	if err != nil || !reflect.DeepEqual(b, builtin) {
		t.Errorf("a version 2 file without a team base changed: %+v, %v", b, err)
	}
}

// The team answers' unfree allowance follows a team enableClaudeCode.
func TestTeamUnfreeAllowed(t *testing.T) {
	a := teamSample()
	if got := a.UnfreeAllowed(); !reflect.DeepEqual(got, []string{"claude-code"}) {
		t.Errorf("team without the option: %v", got)
	}
	a.Base.SetValues(map[string]json.RawMessage{"enableClaudeCode": json.RawMessage(`false`)}, nil)
	if got := a.UnfreeAllowed(); len(got) != 0 {
		t.Errorf("team with enableClaudeCode false: %v", got)
	}
}

// A team's options named like the built-in layer's shell-bound ones reach
// home-manager's shell scripts the same way (a team module passes them to
// home.shellAliases, home.sessionVariables and EDITOR, as the shared base
// layer does), so what a person typed there is held to the same rules that
// flakegen's shell test proves in bash, zsh and fish.
func TestTeamShellValuesFollowTheShellRules(t *testing.T) {
	cases := []struct {
		name, values, field, problem string
	}{
		{"an alias fish reads differently", `{"shellAliases": {"x": "echo \\\\x"}}`, "base.values.shellAliases.x", "must not contain \\"},
		{"a variable that runs a command", `{"environmentVariables": {"A": "$(id)"}}`, "base.values.environmentVariables.A", "uses $ other than in a reference"},
		{"an editor with a second command", `{"defaultEditor": "vim; rm -rf ~"}`, "base.values.defaultEditor", "(';' is not one of them)"},
		{"an alias name that is no name", `{"shellAliases": {"a b": "ls"}}`, `base.values.shellAliases["a b"]`, "is not an alias name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := teamSample()
			a.Base = &BaseFlake{Flake: "path:/team", Module: "homeManagerModules.base", Values: map[string]json.RawMessage{}}
			var values map[string]json.RawMessage
			if err := json.Unmarshal([]byte(c.values), &values); err != nil {
				t.Fatal(err)
			}
			a.Base.Values = values
			err := a.Validate()
			var verr ValidationErrors
			if !errors.As(err, &verr) {
				t.Fatalf("no validation error: %v", err)
			}
			found := false
			for _, e := range verr {
				if e.Field == c.field && strings.Contains(e.Problem, c.problem) {
					found = true
				}
			}
			if !found {
				t.Errorf("errors %v lack %s: %s", verr, c.field, c.problem)
			}
		})
	}
	// What the built-in rules allow passes for the team too.
	a := teamSample()
	a.Base = &BaseFlake{Flake: "path:/team", Module: "homeManagerModules.base", Values: map[string]json.RawMessage{
		"shellAliases":         json.RawMessage(`{"ll": "ls -l"}`),
		"environmentVariables": json.RawMessage(`{"PAGER": "less -R"}`),
		"defaultEditor":        json.RawMessage(`"hx"`),
	}}
	if err := a.Validate(); err != nil {
		t.Errorf("plain aliases, variables and editor refused: %v", err)
	}
}
