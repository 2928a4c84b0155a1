package wizardlogic

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
)

func i64(i int64) *int64 { return &i }

func opt(path string, kind baseopts.Kind, def string) baseopts.Option {
	o := baseopts.Option{Path: strings.Split("homeBase."+path, "."), Kind: kind, Description: "About " + path + "."}
	if def != "" {
		o.Default = json.RawMessage(def)
	}
	return o
}

// teamDecl declares one option of every kind, a nested group with a bool
// and a string, and one nixboard does not ask.
func teamDecl() baseopts.Declarations {
	port := opt("port", baseopts.Int, `8080`)
	port.Min, port.Max = i64(1), i64(65535)
	shell := opt("shell", baseopts.Enum, `"zsh"`)
	shell.Choices = []json.RawMessage{json.RawMessage(`"zsh"`), json.RawMessage(`"fish"`)}
	key := opt("git.signingKey", baseopts.String, `""`)
	key.Pattern = "[0-9A-F]*"
	email := opt("email", baseopts.Optional, `null`)
	email.Elem = &baseopts.Option{Kind: baseopts.String, NonEmpty: true}
	git := opt("git", baseopts.Group, "")
	git.Options = []baseopts.Option{opt("git.sign", baseopts.Bool, `false`), key}
	fn := opt("hook", baseopts.NotAsked, "")
	fn.Type, fn.Why = "function that evaluates to a(n) string", "a function"
	return baseopts.Declarations{Base: "path:/team", Module: DefaultBaseModule, Options: []baseopts.Option{
		opt("enableRust", baseopts.Bool, `false`), git, port, shell, email,
		opt("words", baseopts.Words, `["a"]`), opt("tools", baseopts.Packages, `[]`),
		opt("aliases", baseopts.Assignments, `{}`), fn, opt("enableGo", baseopts.Bool, `true`),
	}}
}

func paths(qs []TeamQuestion) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.Path)
	}
	return out
}

func TestLayoutSortsTheTeamsOptions(t *testing.T) {
	l := Layout(teamDecl(), nil, nil)
	if got, want := paths(l.Toggles), []string{"enableRust", "enableGo", "git.sign"}; !reflect.DeepEqual(got, want) {
		t.Errorf("toggles %v, want the top-level ones, then the group's: %v", got, want)
	}
	if got, want := paths(l.Fields), []string{"git.signingKey", "port", "shell", "email", "words", "tools", "aliases"}; !reflect.DeepEqual(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	if got := paths(l.NotAsked); !reflect.DeepEqual(got, []string{"hook"}) {
		t.Errorf("not asked %v", got)
	}
	if q := l.Toggles[2]; q.Group != "git" || q.Title() != "sign" || q.Key() != "homeBase.git.sign" {
		t.Errorf("group member %+v: group %q, title %q", q, q.Group, q.Title())
	}
	// The team's order comes first; hidden ones are not asked.
	l = Layout(teamDecl(), []string{"tools", "git"}, []string{"port", "git.sign"})
	if got, want := paths(l.Fields), []string{"tools", "git.signingKey", "shell", "email", "words", "aliases"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ordered fields %v, want %v", got, want)
	}
	if got, want := paths(l.NotAsked), []string{"git.sign", "port", "hook"}; !reflect.DeepEqual(got, want) {
		t.Errorf("not asked with hidden ones %v, want %v", got, want)
	}
}

func TestTeamTextRoundTrips(t *testing.T) {
	d := teamDecl()
	cases := []struct {
		path, value, text string
		wantErr           string
	}{
		{"git.signingKey", `"0A1F"`, "0A1F", ""},
		{"git.signingKey", "", "xyz", "homeBase.git.signingKey: must match the pattern [0-9A-F]*"},
		{"port", `22`, "22", ""},
		{"port", "", "0", "homeBase.port: must be between 1 and 65535, not 0"},
		{"port", "", "many", `homeBase.port: must be a whole number from 1 to 65535, not "many"`},
		{"shell", `"fish"`, "fish", ""},
		{"shell", "", "tcsh", `homeBase.shell: must be one of "zsh", "fish", not "tcsh"`},
		{"email", `null`, "", ""},
		{"email", `"a@b.c"`, "a@b.c", ""},
		{"words", `["a","b"]`, "a b", ""},
		{"tools", `["ripgrep","python3Packages.requests"]`, "ripgrep python3Packages.requests", ""},
		{"tools", "", "rip/grep", `is not a nixpkgs attribute name`},
		{"aliases", `{"ll":"ls -l"}`, "ll=ls -l", ""},
	}
	for _, c := range cases {
		o, ok := d.Lookup(c.path)
		if !ok {
			t.Fatalf("no option %s", c.path)
		}
		v, err := ParseTeamText(o, c.text)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s %q: %v, want %q", c.path, c.text, err, c.wantErr)
			}
			continue
		}
		if err != nil || !jsonEqual(v, json.RawMessage(c.value)) {
			t.Errorf("%s %q: %s, %v, want %s", c.path, c.text, v, err, c.value)
		}
		if got := TeamText(o, json.RawMessage(c.value)); got != c.text {
			t.Errorf("%s: shows %s as %q, want %q", c.path, c.value, got, c.text)
		}
	}
	words, _ := d.Lookup("words")
	if v, _ := ParseTeamText(words, "a, b,c"); string(v) != `["a","b","c"]` {
		t.Errorf("commas: %s", v)
	}
	port, _ := d.Lookup("port")
	if desc := TeamDescription(port); desc != "About port. (a whole number from 1 to 65535)" {
		t.Errorf("description %q", desc)
	}
}

// Only the values away from the defaults are kept, package lists named;
// the defaults come back on a re-run.
func TestSetTeamValuesKeepsOnlyChoices(t *testing.T) {
	d := teamDecl()
	a := flakegen.DefaultFor("linux", "x86_64-linux")
	a.Base = &flakegen.BaseFlake{Flake: "path:/team", Module: DefaultBaseModule}
	SetTeamValues(&a, d, map[string]json.RawMessage{
		"enableRust": json.RawMessage(`true`), "enableGo": json.RawMessage(`true`), "port": json.RawMessage(`8080`),
		"tools": json.RawMessage(`["ripgrep"]`), "git.signingKey": json.RawMessage(`"0A1F"`), "gone": json.RawMessage(`1`),
	})
	got := map[string]string{}
	for k, v := range a.Base.Values {
		got[k] = string(v)
	}
	if want := map[string]string{"enableRust": "true", "tools": `["ripgrep"]`, "git.signingKey": `"0A1F"`}; !reflect.DeepEqual(got, want) {
		t.Errorf("values %v, want %v", got, want)
	}
	if !reflect.DeepEqual(a.Base.PackageLists, []string{"tools"}) {
		t.Errorf("package lists %v", a.Base.PackageLists)
	}
	l := Layout(d, nil, nil)
	for _, q := range append(l.Toggles, l.Fields...) {
		want := q.Option.Default
		if v, ok := a.Base.Values[q.Path]; ok {
			want = v
		}
		if got := TeamValue(a, q); string(got) != string(want) {
			t.Errorf("%s starts from %s, want %s", q.Path, got, want)
		}
	}
	// The review names the values by option, and what is not asked.
	rows := TeamReview(a, &d, nil, nil)
	text := ""
	for _, r := range rows {
		text += r[0] + ": " + r[1] + "\n"
	}
	for _, want := range []string{"Base layer: path:/team#homeManagerModules.base", `homeBase.git.signingKey = "0A1F"`, "homeBase.hook (function that evaluates to a(n) string): not asked"} {
		if !strings.Contains(text, want) {
			t.Errorf("review %q lacks %q", text, want)
		}
	}
	// A change of a team value reads as the option's.
	old := a
	old.Base = &flakegen.BaseFlake{Flake: "path:/team", Module: DefaultBaseModule}
	var changes []string
	for _, c := range changedAnswers(old, a) {
		changes = append(changes, c.String())
	}
	if want := []string{`homeBase.enableRust: (unset) → true`, `homeBase.git.signingKey: (unset) → "0A1F"`, `homeBase.tools: (unset) → ["ripgrep"]`}; !reflect.DeepEqual(changes, want) {
		t.Errorf("changes %v, want %v", changes, want)
	}
}
