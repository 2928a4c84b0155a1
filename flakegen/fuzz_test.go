package flakegen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// freeText lists every free-text answer, each with a way to put a string in
// it (around a fixed, valid frame where the field has a required shape).
var freeText = []struct {
	name string
	set  func(a *Answers, s string)
}{
	{"homeBase.username", func(a *Answers, s string) { a.HomeBase.Username = s }},
	{"homeBase.homeDirectory", func(a *Answers, s string) { a.HomeBase.HomeDirectory = "/home/" + s }},
	{"homeBase.defaultEditor", func(a *Answers, s string) { a.HomeBase.DefaultEditor = s }},
	{"hostname", func(a *Answers, s string) { a.Hostname = s }},
	{"git.name", func(a *Answers, s string) { a.Git.Name = s }},
	{"git.email", func(a *Answers, s string) { a.Git.Email = s }},
	{"homeBase.shellAliases key", func(a *Answers, s string) { a.HomeBase.ShellAliases = map[string]string{s: "ls -l"} }},
	{"homeBase.shellAliases value", func(a *Answers, s string) { a.HomeBase.ShellAliases = map[string]string{"x": s} }},
	{"homeBase.environmentVariables key", func(a *Answers, s string) { a.HomeBase.EnvironmentVariables = map[string]string{s: "1"} }},
	{"homeBase.environmentVariables value", func(a *Answers, s string) { a.HomeBase.EnvironmentVariables = map[string]string{"X": s} }},
	{"homeBase.additionalPackages", func(a *Answers, s string) { a.HomeBase.AdditionalPackages = []string{s} }},
	{"base.flake", func(a *Answers, s string) { a.Base.Flake = s }},
	{"base.module", func(a *Answers, s string) { a.Base.Module = s }},
	{"base.values key", func(a *Answers, s string) { a.Base.Values = map[string]json.RawMessage{s: json.RawMessage(`true`)} }},
	{"base.values value", func(a *Answers, s string) { a.Base.Values = map[string]json.RawMessage{"team.text": jsonString(s)} }},
	{"base.values nested key", func(a *Answers, s string) {
		a.Base.Values = map[string]json.RawMessage{"team.aliases": canonicalJSON(map[string]string{s: "v"})}
	}},
}

// jsonString is s as a JSON value in the canonical form Parse gives team
// values (invalid UTF-8 already replaced, as json.Marshal does).
func jsonString(s string) json.RawMessage {
	return canonicalJSON(s)
}

func canonicalJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	var x any
	json.Unmarshal(b, &x)
	b, _ = json.Marshal(x)
	return b
}

// fuzzBase is the answer set a string for field is put into. The base.*
// fields get a team base, so the one escaped value (the base flake URL) is
// rendered; the built-in layer's own options are only written without one.
func fuzzBase(field string) Answers {
	if strings.HasPrefix(field, "homeBase.") && field != "homeBase.username" && field != "homeBase.homeDirectory" {
		return sample()
	}
	return teamSample()
}

// teamSample is sample with a team base: its identity, machine and git
// answers, and the built-in layer's options at their defaults, since
// nixboard.json does not hold them with a team base.
func teamSample() Answers {
	s := sample()
	a := DefaultFor(s.Platform, s.System)
	a.HomeBase.Username, a.HomeBase.HomeDirectory, a.HomeBase.StateVersion = s.HomeBase.Username, s.HomeBase.HomeDirectory, s.HomeBase.StateVersion
	a.Hostname, a.Git, a.Shell = s.Hostname, s.Git, s.Shell
	a.Base = &BaseFlake{Flake: "github:timblaktu/nixcfg", Module: "homeManagerModules.base"}
	return a
}

// roundTripCase is an accepted answer set, rendered into dir.
type roundTripCase struct {
	label string
	a     Answers
	dir   string
}

// renderAccepted puts s into every free-text field in turn and renders each
// answer set Validate accepts into its own directory.
func renderAccepted(t testing.TB, root, s string, accepted *[]roundTripCase) {
	for i, f := range freeText {
		a := fuzzBase(f.name)
		f.set(&a, s)
		if a.Validate() != nil {
			continue
		}
		files, err := Render(a)
		if err != nil {
			t.Fatalf("%s: Render after Validate: %v", f.name, err)
		}
		dir := filepath.Join(root, fmt.Sprint(len(*accepted)))
		for _, file := range files {
			if file.Path != FlakeFile && file.Path != AnswersFile {
				continue
			}
			p := filepath.Join(dir, file.Path)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, file.Content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		*accepted = append(*accepted, roundTripCase{fmt.Sprintf("%s=%q (%d)", f.name, s, i), a, dir})
	}
}

// checkRoundTrip evaluates every case with one real nix call: the answers as
// flake.nix reads them (builtins.fromJSON of nixboard.json) and the base URL
// as flake.nix spells it (through NixString). Both must be what was given.
func checkRoundTrip(t testing.TB, cases []roundTripCase) {
	if len(cases) == 0 {
		return
	}
	var dirs []string
	for _, c := range cases {
		dirs = append(dirs, "(/. + "+NixString(c.dir)+")")
	}
	expr := `map (d: {
  answers = builtins.fromJSON (builtins.readFile (d + "/nixboard.json"));
  baseUrl = (import (d + "/flake.nix")).inputs.base.url or "";
}) [ ` + strings.Join(dirs, " ") + ` ]`
	out := runNix(t, "nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
	var got []struct {
		Answers json.RawMessage `json:"answers"`
		BaseURL string          `json:"baseUrl"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != len(cases) {
		t.Fatalf("%d results for %d cases", len(got), len(cases))
	}
	for i, c := range cases {
		back, err := Parse(got[i].Answers)
		if err != nil {
			t.Errorf("%s: nix's answers do not parse: %v\n%s", c.label, err, got[i].Answers)
			continue
		}
		if !reflect.DeepEqual(back, c.a) {
			t.Errorf("%s: nix read back\n%+v\nwant\n%+v", c.label, back, c.a)
		}
		if c.a.Base != nil && got[i].BaseURL != c.a.Base.Flake {
			t.Errorf("%s: base.url = %q, want %q", c.label, got[i].BaseURL, c.a.Base.Flake)
		}
	}
}

// trickyStrings are the seeds: shell and Nix metacharacters, escapes,
// Unicode, lengths at the limits.
var trickyStrings = []string{
	"alice", "a", "Zoë Ñúñez 山田", `"quoted"`, `back\slash`, "${builtins.abort \"x\"}", "$HOME/bin",
	"${HOME}", "''", "'''${x}", `\${x}`, "a\"b'c", "\\", "$", "$$", "{", "}", "a;b", "rm -rf ~", "`id`",
	"$(id)", "emoji 🚀 ok", "tab\there", "new\nline", "cr\rhere", "nul\x00", "\xff\xfe", "\u2028",
	"github:owner/repo?dir=sub&ref=main#x", "homeManagerModules.base", "python3Packages.requests",
	"x.local", "name@example.org", strings.Repeat("x", 32), strings.Repeat("y", 1000), " leading",
	"ends with space ", "# comment", "/* c */", "a.b-c'd", "é", "\u202eRTL",
}

func TestFreeTextRoundTripsThroughNix(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	root := t.TempDir()
	var cases []roundTripCase
	for _, s := range trickyStrings {
		renderAccepted(t, root, s, &cases)
	}
	if len(cases) < 100 {
		t.Errorf("only %d accepted cases; the seeds should exercise every field", len(cases))
	}
	perField := map[string]bool{}
	for _, c := range cases {
		perField[strings.SplitN(c.label, "=", 2)[0]] = true
	}
	for _, f := range freeText {
		if !perField[f.name] {
			t.Errorf("no seed is accepted in %s", f.name)
		}
	}
	checkRoundTrip(t, cases)
}

// FuzzFreeText feeds arbitrary strings into every free-text answer: what
// Validate accepts must come back unchanged when real nix reads the rendered
// files. Run with: go test -run '^$' -fuzz FuzzFreeText ./flakegen
func FuzzFreeText(f *testing.F) {
	nixtest.Require(f)
	for _, s := range trickyStrings[:12] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var cases []roundTripCase
		renderAccepted(t, t.TempDir(), s, &cases)
		checkRoundTrip(t, cases)
	})
}

// FuzzNixString checks the one escaping function directly: any valid UTF-8
// string without NUL evaluates back to itself. Run with:
// go test -run '^$' -fuzz FuzzNixString ./flakegen
func FuzzNixString(f *testing.F) {
	nixtest.Require(f)
	for _, s := range trickyStrings[:12] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			t.Skip("Nix strings hold no NUL, and validation refuses invalid UTF-8")
		}
		p := filepath.Join(t.TempDir(), "s.nix")
		if err := os.WriteFile(p, []byte(NixString(s)), 0o644); err != nil {
			t.Fatal(err)
		}
		var got string
		if err := json.Unmarshal(runNix(t, "nix-instantiate", "--eval", "--json", p), &got); err != nil {
			t.Fatal(err)
		}
		if got != s {
			t.Errorf("NixString(%q) evaluates to %q", s, got)
		}
	})
}

// TestNixStringBatch checks NixString on every seed and on all ASCII and
// some multi-byte characters with one nix call.
func TestNixStringBatch(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	inputs := append([]string{}, trickyStrings...)
	var all strings.Builder
	for r := rune(1); r < 0x80; r++ {
		all.WriteRune(r)
		inputs = append(inputs, "x"+string(r)+"{y", string(r)+"$"+"{")
	}
	inputs = append(inputs, all.String(), "\r\n", "a\r\nb", "\n\r", "ü\u00a0\U0001F600")
	var valid []string
	var lits []string
	for _, s := range inputs {
		if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
			valid = append(valid, s)
			lits = append(lits, NixString(s))
		}
	}
	p := filepath.Join(t.TempDir(), "all.nix")
	os.WriteFile(p, []byte("[\n"+strings.Join(lits, "\n")+"\n]\n"), 0o644)
	var got []string
	if err := json.Unmarshal(runNix(t, "nix-instantiate", "--eval", "--strict", "--json", p), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, valid) {
		for i := range valid {
			if i < len(got) && got[i] != valid[i] {
				t.Errorf("NixString(%q) evaluates to %q", valid[i], got[i])
			}
		}
		t.Fatalf("%d results for %d inputs", len(got), len(valid))
	}
}
