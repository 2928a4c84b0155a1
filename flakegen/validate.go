package flakegen

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/internal/textwrap"
)

// FieldError is one problem with one answer.
type FieldError struct {
	// Field is the JSON path of the answer, e.g. "homeBase.username" or
	// `homeBase.shellAliases["g s"]`.
	Field string
	// Value is the bad value as given.
	Value string
	// Problem says what is wrong and what is allowed, as a fix.
	Problem string
	// ValueIsJSON says Value is the bad value's JSON text, as in the file
	// (for unknown keys and wrong types), printed as it is.
	ValueIsJSON bool
}

// ShownValue is Value as a message shows it: quoted, unless it is JSON
// text, and shortened when it is long.
func (e FieldError) ShownValue() string {
	if e.ValueIsJSON {
		// JSON escapes C0 controls but not DEL, C1 controls (CSI,
		// OSC) or bidi and zero-width characters.
		return safetext.Line(e.Value)
	}
	if utf8.RuneCountInString(e.Value) > 60 {
		r := []rune(e.Value)
		return strconv.Quote(string(r[:57])) + "…"
	}
	return strconv.Quote(e.Value)
}

func (e FieldError) Error() string {
	// Field holds a key as the file gave it (an unknown key, unquoted).
	return fmt.Sprintf("%s: %s %s", safetext.Line(e.Field), e.ShownValue(), e.Problem)
}

// ValidationErrors lists every problem found, in a stable order.
type ValidationErrors []FieldError

func (v ValidationErrors) Error() string {
	var b strings.Builder
	b.WriteString(textwrap.Count(len(v), "invalid answer", "invalid answers"))
	for _, e := range v {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Field returns the errors for one field path.
func (v ValidationErrors) Field(field string) []FieldError {
	var out []FieldError
	for _, e := range v {
		if e.Field == field {
			out = append(out, e)
		}
	}
	return out
}

// Limits on free text. They are generous for real values and keep a typo or
// a pasted file from turning into a configuration.
const (
	maxUsername = 32
	maxHostname = 253
	maxPath     = 255
	maxName     = 100
	maxEmail    = 254
	maxEditor   = 200
	maxKey      = 64
	maxValue    = 1000
	maxPackages = 200
	maxEntries  = 200
	maxFlakeRef = 500
)

var (
	usernameRe  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9._-]*$`)
	hostLabelRe = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)
	emailRe     = regexp.MustCompile(`^[^@\s<>"]+@[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)
	aliasRe     = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.:+@%-]*$`)
	envNameRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	attrRe      = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_'-]*$`)
	flakeRefRe  = regexp.MustCompile(`^[a-z][a-z0-9+.-]*:[A-Za-z0-9._~:/?#\[\]@!&'()*+,;=%-]+$`)
)

// reservedEnv are variables home-manager or the base layer set themselves;
// setting them through environmentVariables would break the session.
var reservedEnv = map[string]string{
	"HOME": "it is the home directory",
	"USER": "it is the user name",
	"PATH": "home-manager manages PATH; add packages instead",
}

type validator struct {
	errs ValidationErrors
}

func (v *validator) add(field, value, problem string) {
	v.errs = append(v.errs, FieldError{Field: field, Value: value, Problem: problem})
}

// listLimits are the maps and lists with a limit on their entries, with
// the home-manager option that takes the rest in home.nix.
var listLimits = map[string]struct {
	max    int
	option string
}{
	"homeBase.shellAliases":         {maxEntries, "home.shellAliases"},
	"homeBase.environmentVariables": {maxEntries, "home.sessionVariables"},
	"homeBase.additionalPackages":   {maxPackages, "home.packages"},
	"base.values":                   {maxEntries, "home.nix"},
}

// overLimit returns the one error for a map or list at field with n
// entries when that is more than its limit. Its entries are then not
// checked one by one: the list as a whole is refused.
func overLimit(field, shown string, n int) (FieldError, bool) {
	l, ok := listLimits[field]
	if !ok || n <= l.max {
		return FieldError{}, false
	}
	return FieldError{Field: field, Value: shown, ValueIsJSON: true,
		Problem: fmt.Sprintf("has %s; at most %d are allowed: set the rest in home.nix (%s)", textwrap.Count(n, "entry", "entries"), l.max, l.option)}, true
}

// tooMany reports a map or list at field that has more entries than its
// limit, and whether it did.
func (v *validator) tooMany(field, shown string, n int) bool {
	e, over := overLimit(field, shown, n)
	if over {
		v.errs = append(v.errs, e)
	}
	return over
}

// text checks what every free-text answer must satisfy: valid UTF-8, no
// control characters, a length limit. It reports and returns false on the
// first problem.
func (v *validator) text(field, value string, max int) bool {
	if !utf8.ValidString(value) {
		v.add(field, value, "is not valid UTF-8 text")
		return false
	}
	for _, r := range value {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			v.add(field, value, fmt.Sprintf("contains the control character %U; use plain printable text", r))
			return false
		}
	}
	if n := utf8.RuneCountInString(value); n > max {
		v.add(field, value, fmt.Sprintf("is %s long; at most %d are allowed", textwrap.Count(n, "character", "characters"), max))
		return false
	}
	return true
}

// mapField returns the JSON path of a map entry.
func mapField(prefix, key string) string {
	if attrRe.MatchString(key) && !strings.ContainsAny(key, "'-") {
		return prefix + "." + key
	}
	return prefix + "[" + strconv.Quote(key) + "]"
}

func oneOf(list []string) string {
	return strings.Join(list, ", ")
}

// Validate checks every answer and returns all problems as ValidationErrors,
// or nil. It refuses flags that cannot apply on the platform; Normalize
// switches those off first, with an explanation, so callers run Normalize and
// then Validate.
func (a Answers) Validate() error {
	v := &validator{}
	hb := a.HomeBase

	// Machine.
	if !slices.Contains(KnownPlatforms, a.Platform) {
		v.add("platform", a.Platform, "must be one of: "+oneOf(KnownPlatforms)+" (`nixboard doctor` tells which this machine is)")
	}
	systemOK := slices.Contains(KnownSystems, a.System)
	if !systemOK {
		v.add("system", a.System, "must be one of: "+oneOf(KnownSystems)+" (`uname -m` gives the first part: x86_64 or aarch64)")
	} else if slices.Contains(KnownPlatforms, a.Platform) {
		darwinSystem := strings.HasSuffix(a.System, "-darwin")
		if darwinSystem != isDarwin(a.Platform) {
			want := "x86_64-linux or aarch64-linux"
			if isDarwin(a.Platform) {
				want = "aarch64-darwin or x86_64-darwin"
			}
			v.add("system", a.System, fmt.Sprintf("does not match platform %q; use %s", a.Platform, want))
		}
	}
	rel, relOK := ReleaseByName(a.Release)
	if !relOK {
		names := make([]string, len(Releases))
		for i, r := range Releases {
			names[i] = r.Name
		}
		v.add("release", a.Release, "must be one of: "+oneOf(names)+" ("+DefaultRelease+" is the stable release)")
	} else if systemOK && !rel.Supports(a.System) {
		var alt []string
		for _, r := range Releases {
			if r.Supports(a.System) {
				alt = append(alt, r.Name)
			}
		}
		v.add("release", a.Release, fmt.Sprintf("does not provide packages for %s; use release %s", a.System, oneOf(alt)))
	}
	if v.plain("hostname", a.Hostname, maxHostname) {
		checkHostname(v, a.Hostname)
	}
	if !slices.Contains(KnownShells, a.Shell) {
		v.add("shell", a.Shell, "must be one of: "+oneOf(KnownShells))
	}

	// Identity.
	if v.plain("homeBase.username", hb.Username, maxUsername) {
		switch {
		case hb.Username == "":
			v.add("homeBase.username", hb.Username, "is required: your login name (the output of `id -un`)")
		case !usernameRe.MatchString(hb.Username):
			v.add("homeBase.username", hb.Username, "is not a user name: use letters, digits, '.', '_' and '-', starting with a letter or '_'")
		}
	}
	if v.plain("homeBase.homeDirectory", hb.HomeDirectory, maxPath) {
		checkHome(v, hb.HomeDirectory, a.Platform)
	}
	if a.Base == nil && v.plain("homeBase.defaultEditor", hb.DefaultEditor, maxEditor) {
		if p := editorProblem(hb.DefaultEditor); p != "" {
			v.add("homeBase.defaultEditor", hb.DefaultEditor, p)
		}
	}
	if !slices.Contains(stateVersions, hb.StateVersion) {
		newest := stateVersions[len(stateVersions)-1]
		if relOK {
			newest = rel.StateVersion
		}
		v.add("homeBase.stateVersion", hb.StateVersion, fmt.Sprintf("is not a home-manager release: use one from %s to %s, the release you first installed home-manager with (%s for a new setup)", stateVersions[0], newest, newest))
	} else if relOK && hb.StateVersion > rel.StateVersion {
		v.add("homeBase.stateVersion", hb.StateVersion, fmt.Sprintf("is newer than release %s accepts; use %s or older (keep the version you first installed with)", rel.Name, rel.StateVersion))
	}

	if v.text("git.name", a.Git.Name, maxName) && strings.ContainsAny(a.Git.Name, "<>") {
		v.add("git.name", a.Git.Name, "must not contain < or >: git refuses them in names")
	}
	if v.plain("git.email", a.Git.Email, maxEmail) && a.Git.Email != "" && !emailRe.MatchString(a.Git.Email) {
		v.add("git.email", a.Git.Email, "is not an e-mail address: use name@example.org")
	}

	// With a team base the built-in layer's options are not written (only
	// the identity is), and the team's values are checked instead.
	if a.Base == nil {
		checkAliases(v, "homeBase.shellAliases", hb.ShellAliases)
		checkEnv(v, "homeBase.environmentVariables", hb.EnvironmentVariables)
		checkPackages(v, hb.AdditionalPackages)
	}

	// Flags that cannot apply: Normalize would have switched them off.
	for _, f := range Flags() {
		if !f.Get(hb) || a.Base != nil {
			continue
		}
		if ok, why := f.Applies(a.Platform, a.System); !ok {
			v.errs = append(v.errs, FieldError{Field: "homeBase." + f.Key, Value: "true", ValueIsJSON: true,
				Problem: "cannot apply: " + why + "; set it to false (nixboard render does this for you)"})
		}
	}

	if a.Base != nil {
		if v.plain("base.flake", a.Base.Flake, maxFlakeRef) && !flakeRefRe.MatchString(a.Base.Flake) {
			v.add("base.flake", a.Base.Flake, "is not a flake reference: use a URL such as github:owner/repo or git+https://host/repo.git (no spaces or quotes)")
		}
		if v.plain("base.module", a.Base.Module, maxValue) && !isAttrPath(a.Base.Module) {
			v.add("base.module", a.Base.Module, "must be an attribute path into the flake's outputs, such as homeManagerModules.base")
		}
		checkTeamValues(v, a.Base)
	}

	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

func checkHostname(v *validator, h string) {
	if h == "" {
		v.add("hostname", h, "is required: this machine's name (the output of `hostname -s`)")
		return
	}
	for _, label := range strings.Split(h, ".") {
		if len(label) > 63 || !hostLabelRe.MatchString(label) {
			v.add("hostname", h, "is not a host name: use letters, digits and '-' (not at either end), with '.' between labels")
			return
		}
	}
}

func checkHome(v *validator, home, platform string) {
	const field = "homeBase.homeDirectory"
	switch {
	case home == "":
		v.add(field, home, "is required: your home directory, e.g. /home/alice or /Users/alice on macOS")
	case !strings.HasPrefix(home, "/"):
		v.add(field, home, "must be an absolute path starting with /")
	case path.Clean(home) != home || home == "/":
		v.add(field, home, fmt.Sprintf("must be a clean path below / without '..', '.', '//' or a trailing '/' (did you mean %q?)", path.Clean(home)))
	case strings.ContainsAny(home, "\"$`\\"):
		v.add(field, home, "must not contain quotes, '$', '`' or '\\': shells and home-manager expand them")
	case isDarwin(platform) && !strings.HasPrefix(home, "/Users/") && !strings.HasPrefix(home, "/var/root"):
		v.add(field, home, "is not where macOS keeps homes: use /Users/<name>")
	case !isDarwin(platform) && strings.HasPrefix(home, "/Users/"):
		v.add(field, home, "is a macOS path but the platform is "+platformName(platform)+": use /home/<name>")
	}
}

// checkAliases holds aliases (at field: homeBase.shellAliases, or a team's
// option of that name in base.values) to what home-manager can write into
// bash, zsh and fish as the text typed.
func checkAliases(v *validator, at string, aliases map[string]string) {
	if v.tooMany(at, "{…}", len(aliases)) {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(aliases)) {
		field := mapField(at, k)
		if v.plain(field, k, maxKey) {
			if !aliasRe.MatchString(k) {
				v.add(field, k, "is not an alias name: use letters, digits and _ . : + @ % -, not starting with - or :")
			} else if why := reservedKey(k); why != "" {
				v.add(field, k, why)
			}
		}
		val := aliases[k]
		if v.plain(field, val, maxValue) {
			if p := aliasValueProblem(val); p != "" {
				v.add(field, val, p)
			}
		}
	}
}

// checkEnv holds session variables (at field, as checkAliases) to plain
// text and references in hm-session-vars.sh and fish's translation of it.
func checkEnv(v *validator, at string, env map[string]string) {
	if v.tooMany(at, "{…}", len(env)) {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		field := mapField(at, k)
		if v.plain(field, k, maxKey) {
			if !envNameRe.MatchString(k) {
				v.add(field, k, "is not a variable name: use letters, digits and _, not starting with a digit")
			} else if why, ok := reservedEnv[k]; ok {
				v.add(field, k, "cannot be set here: "+why)
			} else if why := reservedKey(k); why != "" {
				v.add(field, k, why)
			} else if specialEnv[k] {
				v.add(field, k, "cannot be set here: the shells give it a meaning of their own (read-only, or run as code at every prompt); set it in home.nix, in your shell's own options")
			}
		}
		// home-manager writes each value inside double quotes in
		// hm-session-vars.sh ($VAR and ${VAR} expand on purpose): only plain
		// text and references are allowed (envValueProblem).
		val := env[k]
		if v.plain(field, val, maxValue) {
			if p := envValueProblem(val); p != "" {
				v.add(field, val, p)
			}
		}
	}
}

func isAttrPath(s string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if !attrRe.MatchString(part) {
			return false
		}
	}
	return true
}

func checkPackages(v *validator, pkgs []string) {
	if v.tooMany("homeBase.additionalPackages", "[…]", len(pkgs)) {
		return
	}
	seen := map[string]bool{}
	for i, p := range pkgs {
		field := fmt.Sprintf("homeBase.additionalPackages[%d]", i)
		if !v.plain(field, p, maxKey*2) {
			continue
		}
		switch {
		case !isAttrPath(p):
			v.add(field, p, "is not a package attribute path: use names as in nixpkgs, such as ripgrep or python3Packages.requests (see https://search.nixos.org/packages)")
		case seen[p]:
			v.add(field, p, "is listed twice; remove the duplicate")
		}
		seen[p] = true
	}
}

// Normalize switches off every flag that cannot apply on a's platform and
// returns one sentence per change, for the person to read. Validate refuses
// the same flags, so a caller that skips Normalize gets an error instead of a
// configuration that fails later.
func (a *Answers) Normalize() []string {
	var notes []string
	if a.Base != nil {
		// The built-in layer's flags are not used with a team base; the
		// team's own module decides what applies where.
		return nil
	}
	for _, f := range Flags() {
		if !f.Get(a.HomeBase) {
			continue
		}
		if ok, why := f.Applies(a.Platform, a.System); !ok {
			f.Set(&a.HomeBase, false)
			notes = append(notes, fmt.Sprintf("homeBase.%s switched off: %s.", f.Key, why))
		}
	}
	return notes
}
