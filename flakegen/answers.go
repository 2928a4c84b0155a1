// Package flakegen turns a person's answers into a home-manager flake on disk.
//
// Answers is the one type for everything the wizard asks. It is saved in the
// rendered directory as nixboard.json and is also what --answers reads.
//
// The flow every caller follows:
//
//	a, err := flakegen.Load(path)                   // or flakegen.DefaultFor(platform, system) and fill in
//	notes := a.Normalize()                          // switch off flags that cannot apply; show the notes
//	err = a.Validate()                              // flakegen.ValidationErrors: every problem, with its fix
//	plan, err := flakegen.NewPlan(ctx, dir, a, env) // decide every file (git from env's PATH); nothing is written yet
//	err = plan.Apply(ctx)                           // write atomically, back up foreign files, git add
//
// Lists the wizard needs live here too: Releases (the one list of matched
// nixpkgs/home-manager pairs), Flags (every boolean homeBase option in the
// order to ask, with Applies per platform), KnownSystems, KnownPlatforms and
// KnownShells.
//
// The answers reach Nix only as data: flake.nix and the generated modules
// read nixboard.json with builtins.fromJSON. The one exception is a team base
// flake's URL, which a flake input must spell literally; it passes through
// NixString, the one escaping function, which is fuzzed against real nix.
//
// Files nixboard generates start with Marker and carry a hash of their body,
// so nixboard can tell its own untouched files (replaced freely) from files a
// person edited or wrote; OwnershipOf tells which. Every Apply keeps what it
// rendered under LastRenderedDir (RecordPath), tracked by git, so that on a
// re-run an edited file is merged three ways with git merge-file (the
// record, the person's file, the new rendering) and the edits stay
// (ActionMerge); edits that touch the lines nixboard changes are an
// ActionConflict that Apply refuses until Plan.Resolve settles it (keep
// theirs, take the new file, or write the conflict markers and stop before
// the switch: Plan.HasMarkers). A file written by someone else, or edited
// where there is no record to merge with, is backed up before it is
// replaced (see NewPlan and merge.go). nixboard.json counts as nixboard's while it is
// byte for byte what nixboard last wrote, which it keeps in
// AnswersRecordFile; any other content is an edit, backed up before it is
// replaced. home.nix is the person's own: created once, never overwritten.
//
// A file nixboard wrote before and the answers no longer need (today only
// nixboard/base.nix, once a team base flake replaces the built-in base
// layer) is part of the plan too, marked Stale: removed from the directory
// and from git's index (ActionRemove) while it is nixboard's own and
// unedited, moved aside to a backup (ActionBackup) when someone edited it,
// and left alone (ActionKeep) when nixboard did not write it. Switching
// back creates it again.
//
// An existing home.nix, such as the one `home-manager init` writes, is
// kept and imported. Its definitions of home.username, home.homeDirectory
// and home.stateVersion meet the base layer's (made from nixboard.json), and
// differing values make home-manager stop with "conflicting definition
// values" at switch time. NewPlan finds them without evaluating the file
// (a Nix lexer that skips comments, strings and let-bindings and follows
// attribute sets, mkIf and mkMerge from the top level; tests hold it to
// real nix): a different home.stateVersion is adopted into nixboard.json,
// because it is the version the person's home-manager state started with;
// a different user name or home directory, or a stateVersion the release
// does not accept, refuses home.nix with the line and the fix, and nothing
// is written. Plan.Answers are the answers as rendered.
//
// Other entry points: Parse (Load for bytes), DefaultFor (defaults for a
// machine), Render (the files, validated, nothing written), UnifiedDiff and
// Answers.ConfigName (the homeConfigurations name, "user@host").
package flakegen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/internal/textwrap"
)

// Answers is everything nixboard needs to render a configuration. Its JSON
// form is the answers file, nixboard.json.
type Answers struct {
	HomeBase HomeBase  `json:"homeBase"`
	Hostname string    `json:"hostname"`
	System   string    `json:"system"`   // x86_64-linux, aarch64-linux, x86_64-darwin, aarch64-darwin
	Platform string    `json:"platform"` // nixos-wsl, wsl, darwin, nixos, linux
	Release  string    `json:"release"`  // a Release name: 26.05 or unstable
	Git      GitAnswer `json:"git"`
	Shell    string    `json:"shell"` // bash, zsh, fish
	// Base, when set, replaces the built-in base layer with a team's own flake.
	Base *BaseFlake `json:"base,omitempty"`
}

// HomeBase mirrors the base layer's homeBase options; its JSON keys are
// exactly the option names.
type HomeBase struct {
	Username               string               `json:"username"`
	HomeDirectory          string               `json:"homeDirectory"`
	DefaultEditor          string               `json:"defaultEditor"`
	EnableGit              bool                 `json:"enableGit"`
	EnableTmux             bool                 `json:"enableTmux"`
	EnableNeovim           bool                 `json:"enableNeovim"`
	EnableDevelopment      bool                 `json:"enableDevelopment"`
	EnableTerminal         bool                 `json:"enableTerminal"`
	EnableSystem           bool                 `json:"enableSystem"`
	EnableShellUtils       bool                 `json:"enableShellUtils"`
	EnableEspIdf           bool                 `json:"enableEspIdf"`
	EnableOneDriveUtils    bool                 `json:"enableOneDriveUtils"`
	EnableClaudeCode       bool                 `json:"enableClaudeCode"`
	EnableContainerSupport bool                 `json:"enableContainerSupport"`
	ShellAliases           map[string]string    `json:"shellAliases"`
	EnvironmentVariables   map[string]string    `json:"environmentVariables"`
	AdditionalPackages     []string             `json:"additionalPackages"`
	StateVersion           string               `json:"stateVersion"`
	TerminalVerification   TerminalVerification `json:"terminalVerification"`
}

// TerminalVerification mirrors homeBase.terminalVerification (WSL only).
type TerminalVerification struct {
	Enable                 bool `json:"enable"`
	Verbose                bool `json:"verbose"`
	WarnOnMisconfiguration bool `json:"warnOnMisconfiguration"`
}

// GitAnswer is the git identity written into programs.git.settings.user.
type GitAnswer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// BaseFlake names a team's base flake and the home-manager module it exports,
// for example {"flake": "github:timblaktu/nixcfg", "module": "homeManagerModules.base"}.
type BaseFlake struct {
	Flake  string `json:"flake"`
	Module string `json:"module"`
	// Values are the team options' values the person chose that differ
	// from the team's defaults, keyed by the option's path below homeBase
	// ("enableRust", "git.signingKey"); see teambase.go.
	Values map[string]json.RawMessage `json:"values,omitempty"`
	// PackageLists names the Values that are package lists (listOf
	// package), resolved to nixpkgs packages by the answers module.
	PackageLists []string `json:"packageLists,omitempty"`
}

// Default returns the base layer's defaults, for no particular machine.
// Prefer DefaultFor when the platform is known.
func Default() Answers {
	a := Answers{
		HomeBase: HomeBase{
			DefaultEditor:        "nvim",
			ShellAliases:         map[string]string{},
			EnvironmentVariables: map[string]string{},
			AdditionalPackages:   []string{},
		},
		Release: DefaultRelease,
		Shell:   "bash",
	}
	for _, f := range Flags() {
		f.Set(&a.HomeBase, f.Default)
	}
	r, _ := ReleaseByName(a.Release)
	a.HomeBase.StateVersion = r.StateVersion
	return a
}

// DefaultFor returns the base layer's defaults for a machine, with the flags
// that cannot apply there quietly off (Normalize explains only what a person
// or an answers file asked for).
func DefaultFor(platform, system string) Answers {
	a := Default()
	a.Platform, a.System = platform, system
	if r, ok := ReleaseByName(a.Release); ok && system != "" && !r.Supports(system) {
		for _, other := range Releases {
			if other.Supports(system) {
				a.Release = other.Name
				a.HomeBase.StateVersion = other.StateVersion
				break
			}
		}
	}
	a.Normalize()
	return a
}

// ConfigName is the homeConfigurations attribute name, "<username>@<hostname>",
// that `home-manager switch --flake DIR#NAME` needs.
func (a Answers) ConfigName() string {
	return a.HomeBase.Username + "@" + a.Hostname
}

// UnfreeAllowed are the unfree packages, by name (lib.getName), that the
// rendered flake's allowUnfreePredicate accepts for these answers: no more.
// The template's `unfree` list says the same in Nix; flakegen's nix test
// evaluates the predicate and compares it with this.
func (a Answers) UnfreeAllowed() []string {
	allowed := []string{}
	claude := a.HomeBase.EnableClaudeCode
	if a.Base != nil {
		// A team layer's enableClaudeCode, when it has one, keeps the
		// built-in meaning; the package stays allowed unless it is off.
		claude = string(bytes.TrimSpace(a.Base.Values["enableClaudeCode"])) != "false"
	}
	if claude {
		allowed = append(allowed, "claude-code")
	}
	return allowed
}

// Load reads an answers file. Keys it leaves out keep the defaults for its
// platform and system (DefaultFor). It is strict: an unknown key, a value of
// the wrong JSON type or trailing data is an error naming the key; the
// result is a ValidationErrors when the problems are with keys or types.
// Load does not Validate.
//
// A file larger than MaxAnswersSize is refused before it is parsed, from
// its size when it has one, and otherwise (a pipe, /dev/zero) after reading
// one byte more than that.
func Load(path string) (Answers, error) {
	data, err := readAnswers(path)
	if err != nil {
		return Answers{}, err
	}
	a, err := Parse(data)
	if err != nil {
		return Answers{}, fmt.Errorf("answers file %s: %w", safetext.Line(path), err)
	}
	return a, nil
}

// MaxAnswersSize is the largest answers file Load and Parse accept. An
// answers file with every list and map at its limit, in plain ASCII, is
// about half of it (TestMaxAnswersSizeHoldsTheLimits); nixboard.json itself
// is a few kilobytes.
const MaxAnswersSize = 1 << 20

// tooLarge is the error for answers (what, e.g. "answers file F") over
// MaxAnswersSize.
func tooLarge(what string, size int64) error {
	have := "is larger than 1 MiB"
	if size > 0 {
		have = "is " + textwrap.Count(int(size), "byte", "bytes")
	}
	return fmt.Errorf("%s %s; an answers file is at most 1 MiB (nixboard.json is a few kilobytes): is this the right file?", what, have)
}

// readAnswers reads at most MaxAnswersSize bytes of an answers file.
func readAnswers(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", shownPath(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxAnswersSize {
		return nil, tooLarge("answers file "+safetext.Line(path), fi.Size())
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxAnswersSize+1))
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", shownPath(err))
	}
	if len(data) > MaxAnswersSize {
		return nil, tooLarge("answers file "+safetext.Line(path), 0)
	}
	return data, nil
}

// shownPath escapes the path in a *fs.PathError for a message
// (safetext.Line), keeping the error it wraps for errors.Is.
func shownPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: safetext.Line(pe.Path), Err: pe.Err}
	}
	return err
}

// Parse is Load for bytes already in memory. It reports every problem at
// once: unknown keys, values of the wrong JSON type, and then whatever
// Validate finds in the rest (after Normalize, as render does), so a person
// fixes the file in one go.
func Parse(data []byte) (Answers, error) {
	if len(data) > MaxAnswersSize {
		return Answers{}, tooLarge("the answers", int64(len(data)))
	}
	// Editors on Windows may start a UTF-8 file with a byte-order mark.
	data = bytes.TrimPrefix(data, utf8BOM)
	var raw any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return Answers{}, jsonSyntaxError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Answers{}, fmt.Errorf("not valid JSON at %s: unexpected data after the top-level object; an answers file is one JSON object", position(data, dec.InputOffset()))
	}
	if err := duplicateKey(data); err != nil {
		return Answers{}, err
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return Answers{}, fmt.Errorf("the answers file must be a JSON object ({ \"homeBase\": { ... }, \"hostname\": ... }), not %s", jsonType(raw))
	}
	if err := upgradeAnswers(obj); err != nil {
		return Answers{}, err
	}
	var errs ValidationErrors
	identityOnly(obj, &errs)
	checkShape(reflect.TypeOf(Answers{}), obj, "", &errs)
	platform, _ := obj["platform"].(string)
	system, _ := obj["system"].(string)
	a := DefaultFor(platform, system)
	// obj now holds only keys of the right type, so this cannot fail on
	// types; the bad ones keep their defaults. A null map or list is such a
	// bad one, so the maps and lists stay DefaultFor's empty ones or become
	// what the file gives, never nil.
	clean, _ := json.Marshal(obj)
	if err := json.Unmarshal(clean, &a); err != nil {
		return Answers{}, fmt.Errorf("not valid JSON: %w", err)
	}
	if len(errs) == 0 {
		return a, nil
	}
	rest := a
	rest.Normalize()
	var verr ValidationErrors
	if errors.As(rest.Validate(), &verr) {
		for _, e := range verr {
			if !coveredBy(e.Field, errs) {
				errs = append(errs, e)
			}
		}
	}
	return Answers{}, errs
}

// coveredBy reports whether field, or an object it is inside, already has
// an error: its value was dropped, so other complaints about it are noise.
func coveredBy(field string, errs ValidationErrors) bool {
	for _, e := range errs {
		if field == e.Field || strings.HasPrefix(field, e.Field+".") || strings.HasPrefix(field, e.Field+"[") {
			return true
		}
	}
	return false
}

// jsonSyntaxError says where the JSON breaks, as line and column.
func jsonSyntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the byte the decoder stumbled on.
		return fmt.Errorf("not valid JSON at %s: %v", position(data, se.Offset-1), err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("not valid JSON: the file ends before the JSON object does (a missing } or \")")
	}
	return fmt.Errorf("not valid JSON: %w", err)
}

// position turns the byte offset of a character into "line L, column C",
// both counted from 1.
func position(data []byte, offset int64) string {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	offset = max(offset, 0)
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonText is a value as JSON, shortened for a message to 60 characters
// (not bytes, so a character is never cut in two), as ShownValue does.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if r := []rune(string(b)); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return string(b)
}

// checkShape reports every key in obj that t (a struct type) does not have,
// suggesting the nearest known key, and every value whose JSON type is not
// the one t needs, recursing into nested objects. It deletes the keys it
// reports from obj, so the rest can be decoded.
func checkShape(t reflect.Type, obj map[string]any, prefix string, errs *ValidationErrors) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	known := map[string]reflect.Type{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		known[name] = f.Type
		names = append(names, name)
	}
	unknown := 0
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		field := joinPath(prefix, k)
		ft, ok := known[k]
		if !ok && unknown >= maxUnknownKeys {
			unknown++
			delete(obj, k)
			continue
		}
		if !ok {
			unknown++
			problem := "is not a key nixboard knows; the keys here are: " + strings.Join(names, ", ")
			if near := nearest(k, names); near != "" {
				problem = fmt.Sprintf("is not a key nixboard knows; did you mean %q? Rename or remove it", near)
			}
			*errs = append(*errs, FieldError{Field: field, Value: jsonText(obj[k]), ValueIsJSON: true, Problem: problem})
			delete(obj, k)
			continue
		}
		if !checkValue(ft, obj[k], field, errs) {
			delete(obj, k)
		}
	}
	if more := unknown - maxUnknownKeys; more > 0 {
		field := prefix
		if field == "" {
			field = "(the top level)"
		}
		*errs = append(*errs, FieldError{Field: field, Value: "{…}", ValueIsJSON: true,
			Problem: fmt.Sprintf("has %s nixboard does not know; the keys here are: %s", textwrap.Count(more, "more key", "more keys"), strings.Join(names, ", "))})
	}
}

// maxUnknownKeys is how many unknown keys of one object are named one by
// one; the rest are counted in one error.
const maxUnknownKeys = 20

// checkValue checks one value against the Go type it decodes into and
// reports whether it can be decoded (false: drop it).
func checkValue(ft reflect.Type, v any, field string, errs *ValidationErrors) bool {
	bad := func(problem string) bool {
		*errs = append(*errs, FieldError{Field: field, Value: jsonText(v), ValueIsJSON: true, Problem: problem})
		return false
	}
	if ft.Kind() == reflect.Pointer {
		if v == nil {
			return true
		}
		ft = ft.Elem()
	}
	switch ft.Kind() {
	case reflect.Bool:
		if _, ok := v.(bool); ok {
			return true
		}
		if s, ok := v.(string); ok && (s == "true" || s == "false") {
			return bad(fmt.Sprintf("is a string; write %s without quotes (true or false)", s))
		}
		return bad("must be true or false (without quotes), not " + jsonType(v))
	case reflect.String:
		if _, ok := v.(string); ok {
			return true
		}
		return bad("must be a string in double quotes, not " + jsonType(v))
	case reflect.Map:
		if ft.Elem() == rawMessageType {
			return checkRawValues(v, field, errs)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return bad(`must be an object of names and strings, such as {"ll": "ls -l"}, not ` + jsonType(v))
		}
		if e, over := overLimit(field, "{…}", len(m)); over {
			*errs = append(*errs, e)
			return false
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if _, ok := m[k].(string); !ok {
				bad2 := FieldError{Field: mapField(field, k), Value: jsonText(m[k]), ValueIsJSON: true,
					Problem: "must be a string in double quotes, not " + jsonType(m[k])}
				*errs = append(*errs, bad2)
				delete(m, k)
			}
		}
		return true
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return bad(`must be an array of strings, such as ["ripgrep", "htop"], not ` + jsonType(v))
		}
		if e, over := overLimit(field, "[…]", len(list)); over {
			*errs = append(*errs, e)
			return false
		}
		for i, e := range list {
			if _, ok := e.(string); !ok {
				*errs = append(*errs, FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Value: jsonText(e), ValueIsJSON: true,
					Problem: "must be a string in double quotes, such as \"ripgrep\", not " + jsonType(e)})
				// Keep the other entries where they are, so what Validate
				// says about them names the right index; this one's
				// complaints are dropped (coveredBy).
				list[i] = ""
			}
		}
		return true
	case reflect.Struct:
		sub, ok := v.(map[string]any)
		if !ok {
			return bad("must be an object { ... }, not " + jsonType(v))
		}
		checkShape(ft, sub, field, errs)
		return true
	}
	return true
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// nearest returns the name closest to k by edit distance, ignoring case, if
// it is close enough to be a plausible typo.
func nearest(k string, names []string) string {
	best, bestD := "", 4
	for _, n := range names {
		if d := editDistance(strings.ToLower(k), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// MarshalAnswers returns the canonical nixboard.json bytes for a: the
// "version" key first (AnswersVersion), indented, keys in a fixed order, no
// HTML escaping, empty maps and lists as {} and [] (never null, which the
// Nix side would reject), and a final newline.
func MarshalAnswers(a Answers) []byte {
	if a.HomeBase.ShellAliases == nil {
		a.HomeBase.ShellAliases = map[string]string{}
	}
	if a.HomeBase.EnvironmentVariables == nil {
		a.HomeBase.EnvironmentVariables = map[string]string{}
	}
	if a.HomeBase.AdditionalPackages == nil {
		a.HomeBase.AdditionalPackages = []string{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	file := answersFile{Version: AnswersVersion, HomeBase: a.HomeBase, Hostname: a.Hostname, System: a.System,
		Platform: a.Platform, Release: a.Release, Git: a.Git, Shell: a.Shell, Base: a.Base}
	if a.Base != nil {
		// With a team base, homeBase is the identity alone and the team's
		// values are in base.values.
		file.HomeBase = Identity{a.HomeBase.Username, a.HomeBase.HomeDirectory, a.HomeBase.StateVersion}
	}
	if err := enc.Encode(file); err != nil {
		// Answers holds only strings, booleans, maps and slices of strings,
		// and team values Validate decoded, which always encode.
		panic(fmt.Sprintf("flakegen: encode answers: %v", err))
	}
	return buf.Bytes()
}
