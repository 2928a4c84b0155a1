package baseopts

import (
	"encoding/json"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
)

// BuiltinBase is the Base of the built-in layer's Declarations.
const BuiltinBase = "built-in"

// builtinFields are the built-in layer's homeBase options that are not
// flags (flakegen.HomeBase's other fields), as assets/base/base.nix
// declares them, in its order. A nil default is an option without one.
var builtinFields = []struct {
	name, typ, description string
	kind                   Kind
	def                    string
}{
	{"username", "string", "Your login name.", String, ""},
	{"homeDirectory", "string", "Your home directory (/Users/NAME on macOS).", String, ""},
	{"basePackages", "list of package", "Packages everyone gets.", Packages, `["curl","wget","less","unzip","zip"]`},
	{"additionalPackages", "list of package", "Your extra packages.", Packages, `[]`},
	{"shellAliases", "attribute set of string", "Shell aliases for every shell home-manager manages.", Assignments, `{}`},
	{"environmentVariables", "attribute set of string", "Session variables for every shell home-manager manages.", Assignments, `{}`},
	{"defaultEditor", "string", "The command EDITOR and VISUAL name.", String, `"nvim"`},
	{"stateVersion", "string", "home.stateVersion: the release you first installed with.", String, ""},
}

// Builtin returns the declarations of nixboard's built-in base layer
// (assets/base/base.nix) on platform and system without evaluating it:
// they come from flakegen's Flags (the questions and their descriptions)
// and the table above. TestBuiltinAgreesWithBaseNix evaluates base.nix for
// every platform and proves they are what it declares. The defaults are
// the module's own: a flag that cannot apply on a platform
// (flakegen.Flag.Applies) keeps its declared default here, and the
// wizard, not the module, switches it off.
func Builtin(platform, system string) Declarations {
	d := Declarations{Base: BuiltinBase, Module: "nixboard/base.nix", Platform: platform, System: system}
	for _, f := range builtinFields {
		o := Option{Path: []string{"homeBase", f.name}, Kind: f.kind, Type: f.typ, Description: f.description}
		if f.def != "" {
			o.Default = json.RawMessage(f.def)
		}
		d.Options = append(d.Options, o)
	}
	for _, f := range flakegen.Flags() {
		path := append([]string{"homeBase"}, strings.Split(f.Key, ".")...)
		o := Option{Path: path, Kind: Bool, Type: "boolean", Description: f.Description, Default: json.RawMessage(boolJSON(f.Default))}
		if len(path) == 2 {
			d.Options = append(d.Options, o)
			continue
		}
		group := path[:2]
		i := len(d.Options) - 1
		if i < 0 || d.Options[i].Kind != Group || d.Options[i].Name() != strings.Join(group, ".") {
			d.Options = append(d.Options, Option{Path: group, Kind: Group, Type: "option set"})
			i++
		}
		d.Options[i].Options = append(d.Options[i].Options, o)
	}
	return d
}

func boolJSON(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
