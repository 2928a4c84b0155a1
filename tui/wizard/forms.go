package wizard

import (
	"slices"
	"strings"

	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/wizardlogic"
)

// The questions are one huh form with one group per page (questionPages):
// identity, place, shell, modules, extras. buildQuestionsForm returns the
// form and the values it binds, so the form can be tested alone: feed it
// keys after Init, then apply the values. The groups have no title of
// their own: on the screen the page's heading names the page, and
// accessible mode does not show group titles.
//
// The values keep the validators of the free-text fields by field key, so
// the screen can show a field's problem while it is being typed (huh itself
// validates only when the person leaves the field). A validator checks the
// value against the answers as they stand in the form, so a later page is
// judged with what the earlier pages say now.

// questionPages are the pages of the questions step, in order: the groups
// of the questions form.
var questionPages = []string{"Who you are", "Where and which release", "Shell and editor", "Modules", "Extras"}

// checks maps a form field's key to the validator of its current value.
type checks map[string]func(string) error

// Field keys; they are the answers file's JSON paths where there is one.
const (
	keyUsername = "homeBase.username"
	keyGitName  = "git.name"
	keyGitEmail = "git.email"
	keyDir      = "dir"
	keyRelease  = "release"
	keyShell    = "shell"
	keyEditor   = "homeBase.defaultEditor"
	keyModules  = "modules"
	keyAliases  = "homeBase.shellAliases"
	keyEnv      = "homeBase.environmentVariables"
	keyPackages = "homeBase.additionalPackages"
	// keyBase is the base layer: a team's flake, or empty for the built-in
	// one.
	keyBase = "base.flake"
	// keyTeamModules is the toggles of a team's bool options.
	keyTeamModules = "team.modules"
)

// pageKeys are the fields of each page (each group) of the built-in base
// layer's questions, in order. A team base's pages are its own
// (questionValues.pages).
var pageKeys = [][]string{
	{keyUsername, keyGitName, keyGitEmail},
	{keyDir, keyRelease, keyBase},
	{keyShell, keyEditor},
	{keyModules},
	{keyAliases, keyEnv, keyPackages},
}

// fieldPage is the page each field of the built-in layer's questions is on.
var fieldPage = func() map[string]int {
	m := map[string]int{}
	for p, keys := range pageKeys {
		for _, k := range keys {
			m[k] = p
		}
	}
	return m
}()

// questionPage is one page of the questions: its heading and its fields.
type questionPage struct {
	title string
	keys  []string
}

// builtinPages are the built-in layer's pages.
func builtinPages() []questionPage {
	pages := make([]questionPage, len(pageKeys))
	for i, keys := range pageKeys {
		pages[i] = questionPage{questionPages[i], keys}
	}
	return pages
}

// teamPagesBefore is how many pages a team base's questions have before
// the ones its declarations make: who, where, shell.
const teamPagesBefore = 3

// pages are the pages of these questions. With a team base they are who
// you are, where (with the base layer), the shell, and then, once the
// declarations are known, the team's toggles and its other options; the
// built-in layer's editor, modules and extras are its own.
func (v *questionValues) pages() []questionPage {
	if v.base.Base == nil {
		return builtinPages()
	}
	pages := []questionPage{
		{questionPages[0], pageKeys[0]},
		{questionPages[1], pageKeys[1]},
		{questionPages[2], []string{keyShell}},
	}
	if v.team == nil {
		return pages
	}
	if len(v.team.layout.Toggles) > 0 {
		pages = append(pages, questionPage{"Team modules", []string{keyTeamModules}})
	}
	if len(v.team.layout.Fields) > 0 {
		var keys []string
		for _, q := range v.team.layout.Fields {
			keys = append(keys, q.Key())
		}
		pages = append(pages, questionPage{"Team options", keys})
	}
	return pages
}

// pageOf is the page a field is on, or false.
func (v *questionValues) pageOf(key string) (int, bool) {
	for p, page := range v.pages() {
		if slices.Contains(page.keys, key) {
			return p, true
		}
	}
	return 0, false
}

// questionValues are what the questions form binds: one field per question.
type questionValues struct {
	Username, GitName, GitEmail string
	Dir, Release                string
	Shell, Editor               string
	On                          []string
	Aliases, Env, Packages      string
	// BaseRef is the base layer's flake reference; empty is the built-in
	// layer.
	BaseRef string
	// team is a team base's questions, once its declarations are known
	// (nil for the built-in layer, and before).
	team *teamValues

	// base is the answers the form started from; current() lays the form's
	// values over it.
	base   flakegen.Answers
	home   string
	system string
	// root, when set (the demo), is the only place a configuration may be
	// written.
	root   string
	checks checks
	// choices are every flag with whether it is offered here; modules is
	// the list, whose highlighted flag the screen describes below it.
	choices []wizardlogic.ModuleChoice
	modules *huh.MultiSelect[string]
	// editor and aliases are the fields whose texts name the chosen shell
	// (followShell).
	editor  *huh.Select[string]
	aliases *huh.Text
	// login is the user name detection found ($USER, "" when unknown);
	// username is the question whose description warns when the answer
	// is another name (followShell).
	login    string
	username *huh.Input
}

// followShell sets the texts that name the chosen shell, and the user name
// question's warning when the answer is not the login name. They are set on
// the fields directly, at once, after every update of the form: huh's
// TitleFunc/DescriptionFunc load them through a command instead, which the
// stale-page guard drops when the page changes before it runs, and huh
// never loads them again (the question was then left without a title).
func (v *questionValues) followShell() {
	if v.username != nil {
		v.username.Description(v.description(keyUsername))
	}
	if v.editor != nil {
		v.editor.Description(v.description(keyEditor))
	}
	if v.aliases != nil {
		v.aliases.Title(v.title(keyAliases))
	}
}

// apply writes the form's values into the answers and the directory. A
// directory the question refuses, or an assignment list that does not
// parse, leaves what was there.
func (v *questionValues) apply(a *flakegen.Answers, dir *string) {
	a.HomeBase.Username = v.Username
	a.Git.Name = v.GitName
	a.Git.Email = v.GitEmail
	if d, err := v.expand(v.Dir); err == nil {
		*dir = d
	}
	a.Release = v.Release
	a.Shell = v.Shell
	a.HomeBase.DefaultEditor = v.Editor
	wizardlogic.SetModules(a, v.On)
	if m, err := wizardlogic.ParseAssignments(v.Aliases); err == nil {
		a.HomeBase.ShellAliases = m
	}
	if m, err := wizardlogic.ParseAssignments(v.Env); err == nil {
		a.HomeBase.EnvironmentVariables = m
	}
	a.HomeBase.AdditionalPackages = wizardlogic.ParsePackages(v.Packages)
	v.applyBase(a)
}

// current is the answers as the form has them now.
func (v *questionValues) current() flakegen.Answers {
	a := v.base
	var dir string
	v.apply(&a, &dir)
	return a
}

// expand is the directory as typed, as wizardlogic.ConfigDir accepts it
// (absolute, not a file, inside root in the demo).
func (v *questionValues) expand(s string) (string, error) {
	return wizardlogic.ConfigDir(s, v.home, v.root)
}

// check is the validator of the field at path: the value is set into the
// answers as the form has them now, and that path is checked.
func (v *questionValues) check(path string, set func(a *flakegen.Answers, s string) error) func(string) error {
	return func(s string) error {
		return wizardlogic.FieldCheck(v.current(), path, set)(s)
	}
}

// modulesHelp is the modules field's own description.
const modulesHelp = "space toggles, enter confirms; set from the defaults or your last run."

// buildQuestionsForm builds the questions form from the answers and the
// configuration directory. The modules list is at most modulesHeight lines
// high (its title and description included; 0 leaves it to huh). The screen
// draws the highlighted flag's description and the flags that are not
// offered below the list (see modulesFooter). With long set (accessible
// mode, where nothing is drawn below a prompt), each module option carries
// its description and the field's description the notes instead.
//
// team, when set, are the declarations of the answers' team base (Base):
// its pages follow the shell page (see pages).
func buildQuestionsForm(a flakegen.Answers, dir, home, root string, modulesHeight int, long bool, team *teamSource) (*huh.Form, *questionValues) {
	v := newQuestionValues(a, dir, home, root)
	v.setTeam(team)
	if a.Base != nil {
		groups := []*huh.Group{identityGroup(v), placeGroup(v), huh.NewGroup(v.shellSelect())}
		return huh.NewForm(append(groups, v.teamGroups(modulesHeight, long)...)...), v
	}
	return huh.NewForm(
		identityGroup(v),
		placeGroup(v),
		shellGroup(v),
		modulesGroup(v, modulesHeight, long),
		extrasGroup(v),
	), v
}

// newQuestionValues are the questions' values from the answers and the
// configuration directory, with their validators: the form binds them,
// and the line prompts of accessible mode ask them.
func newQuestionValues(a flakegen.Answers, dir, home, root string) *questionValues {
	v := &questionValues{
		Username: a.HomeBase.Username, GitName: a.Git.Name, GitEmail: a.Git.Email,
		Dir: dir, Release: a.Release,
		Shell: a.Shell, Editor: a.HomeBase.DefaultEditor,
		Aliases:  wizardlogic.FormatAssignments(a.HomeBase.ShellAliases),
		Env:      wizardlogic.FormatAssignments(a.HomeBase.EnvironmentVariables),
		Packages: strings.Join(a.HomeBase.AdditionalPackages, " "),
		BaseRef:  baseRef(a),
		base:     a, home: home, root: root, system: a.System,
		choices: wizardlogic.ModuleChoices(a),
	}
	for _, c := range v.choices {
		if c.Offered && c.On {
			v.On = append(v.On, c.Flag.Key)
		}
	}
	assign := func(path string, set func(a *flakegen.Answers, m map[string]string)) func(string) error {
		return v.check(path, func(a *flakegen.Answers, s string) error {
			m, err := wizardlogic.ParseAssignments(s)
			if err != nil {
				return err
			}
			set(a, m)
			return nil
		})
	}
	v.checks = checks{
		keyUsername: v.check(keyUsername, func(a *flakegen.Answers, s string) error { a.HomeBase.Username = s; return nil }),
		keyGitName:  v.check(keyGitName, func(a *flakegen.Answers, s string) error { a.Git.Name = s; return nil }),
		keyGitEmail: v.check(keyGitEmail, func(a *flakegen.Answers, s string) error { a.Git.Email = s; return nil }),
		keyDir:      func(s string) error { _, err := v.expand(s); return err },
		keyBase: v.check(keyBase, func(a *flakegen.Answers, s string) error {
			setBase(a, s)
			return nil
		}),
		keyAliases: assign(keyAliases, func(a *flakegen.Answers, m map[string]string) { a.HomeBase.ShellAliases = m }),
		keyEnv:     assign(keyEnv, func(a *flakegen.Answers, m map[string]string) { a.HomeBase.EnvironmentVariables = m }),
		keyPackages: v.check(keyPackages, func(a *flakegen.Answers, s string) error {
			a.HomeBase.AdditionalPackages = wizardlogic.ParsePackages(s)
			return nil
		}),
	}
	return v
}

// title is a question's title, as the form and the line prompts show it.
func (v *questionValues) title(key string) string {
	switch key {
	case keyUsername:
		return "User name"
	case keyGitName:
		return "Git name"
	case keyGitEmail:
		return "Git e-mail"
	case keyDir:
		return "Configuration directory"
	case keyRelease:
		return "Release"
	case keyShell:
		return "Shell"
	case keyEditor:
		return "Editor"
	case keyModules:
		return "Modules"
	case keyAliases:
		// The aliases are the chosen shell's: the title says which.
		return "Shell aliases (" + v.Shell + ")"
	case keyEnv:
		return "Environment variables"
	case keyPackages:
		return "Additional packages"
	case keyBase:
		return "Base layer"
	case keyTeamModules:
		return "Team modules"
	}
	if q, ok := v.teamQuestion(key); ok {
		// The members of an option set are asked under its name.
		return toggleLabel(q)
	}
	return key
}

// description is a question's description, as the form and the line
// prompts show it (the modules list's is modulesHelp, with its notes).
func (v *questionValues) description(key string) string {
	switch key {
	case keyUsername:
		if w := wizardlogic.UsernameWarning(v.Username, v.login); w != "" {
			return "⚠ " + w
		}
		return "Your login name on this machine; home-manager manages this user."
	case keyGitName:
		return "Written to git's user.name (taken from your git config when set)."
	case keyGitEmail:
		return "Written to git's user.email."
	case keyDir:
		return "Where the flake is written; it becomes a git repository."
	case keyRelease:
		desc := "Matched pairs of nixpkgs and home-manager; stable is the safe choice."
		for _, c := range wizardlogic.ReleaseChoices(v.system) {
			if !c.Offered {
				desc += " Not offered: " + c.Reason + "."
			}
		}
		return desc
	case keyShell:
		return "The shell home-manager configures (aliases, variables, prompt tools)."
	case keyEditor:
		// The editor's description names the shell chosen just above.
		return "Becomes EDITOR for " + v.Shell + " and git."
	case keyAliases:
		return "One NAME=COMMAND per line, e.g. gs=git status."
	case keyEnv:
		return "One NAME=VALUE per line."
	case keyPackages:
		return "nixpkgs attribute names, separated by spaces, e.g. ripgrep python3Packages.requests."
	case keyBase:
		return "A team's base flake (github:team/nixcfg, path:/src/nixcfg) whose homeBase options are asked instead of nixboard's; empty is nixboard's built-in layer."
	case keyTeamModules:
		return "The team's on/off options: " + modulesHelp
	}
	if q, ok := v.teamQuestion(key); ok {
		return v.groupIntro(q) + wizardlogic.TeamDescription(q.Option)
	}
	return ""
}

// groupIntro is, for the first question of an option set, the set's own
// description, which then starts the question's.
func (v *questionValues) groupIntro(q wizardlogic.TeamQuestion) string {
	if q.Group == "" {
		return ""
	}
	for _, f := range v.team.layout.Fields {
		if f.Group == q.Group {
			if f.Path != q.Path {
				return ""
			}
			break
		}
	}
	g, ok := v.team.src.decl.Lookup(q.Group)
	if !ok || g.Description == "" {
		return ""
	}
	return q.Group + ": " + strings.TrimSpace(g.Description) + " "
}

// options are a select question's choices: label and value.
func (v *questionValues) options(key string) []huh.Option[string] {
	switch key {
	case keyRelease:
		var opts []huh.Option[string]
		for _, c := range wizardlogic.ReleaseChoices(v.system) {
			if c.Offered {
				opts = append(opts, huh.NewOption(c.Release.Title, c.Release.Name))
			}
		}
		return opts
	case keyShell:
		return huh.NewOptions(flakegen.KnownShells...)
	case keyEditor:
		return huh.NewOptions(wizardlogic.Editors(v.base.HomeBase.DefaultEditor)...)
	}
	return nil
}

// input is a free-text question of the form.
func (v *questionValues) input(key string, value *string) *huh.Input {
	return huh.NewInput().Key(key).Title(v.title(key)).Description(v.description(key)).
		Value(value).Validate(via(v.checks, key))
}

func identityGroup(v *questionValues) *huh.Group {
	v.username = v.input(keyUsername, &v.Username)
	return huh.NewGroup(
		v.username,
		v.input(keyGitName, &v.GitName),
		v.input(keyGitEmail, &v.GitEmail),
	)
}

func placeGroup(v *questionValues) *huh.Group {
	return huh.NewGroup(
		v.input(keyDir, &v.Dir),
		huh.NewSelect[string]().Key(keyRelease).Title(v.title(keyRelease)).
			Description(v.description(keyRelease)).Options(v.options(keyRelease)...).Value(&v.Release),
		v.input(keyBase, &v.BaseRef),
	)
}

// shellSelect is the shell question.
func (v *questionValues) shellSelect() *huh.Select[string] {
	return huh.NewSelect[string]().Key(keyShell).Title(v.title(keyShell)).
		Description(v.description(keyShell)).
		Options(v.options(keyShell)...).Value(&v.Shell)
}

func shellGroup(v *questionValues) *huh.Group {
	v.editor = huh.NewSelect[string]().Key(keyEditor).Title(v.title(keyEditor)).
		Options(v.options(keyEditor)...).Value(&v.Editor)
	return huh.NewGroup(
		v.shellSelect(),
		// The editor's description names the shell chosen just above
		// (followShell).
		v.editor,
	)
}

func modulesGroup(v *questionValues, height int, long bool) *huh.Group {
	var opts []huh.Option[string]
	for _, c := range v.choices {
		if !c.Offered {
			continue
		}
		label := c.Flag.Title
		if long {
			label += ": " + c.Flag.Description
		}
		opts = append(opts, huh.NewOption(label, c.Flag.Key).Selected(c.On))
	}
	desc := modulesHelp
	if notes := wizardlogic.ExcludedNotes(v.choices); long && len(notes) > 0 {
		desc += "\nNot offered on this machine:"
		for _, n := range notes {
			desc += "\n• " + n
		}
	}
	// On the screen the page's own line names it, and the list needs the
	// room; a line prompt needs the title.
	v.modules = huh.NewMultiSelect[string]().Key(keyModules).
		Description(desc).Options(opts...).Value(&v.On)
	if long {
		v.modules.Title(v.title(keyModules))
	}
	if height > 0 {
		v.modules.Height(max(height, 5))
	}
	return huh.NewGroup(v.modules)
}

func extrasGroup(v *questionValues) *huh.Group {
	// The aliases are the chosen shell's: the title says which
	// (followShell).
	v.aliases = huh.NewText().Key(keyAliases).
		Description(v.description(keyAliases) + " (alt+enter for a new line)").
		Lines(3).ExternalEditor(false).Value(&v.Aliases).Validate(via(v.checks, keyAliases))
	v.followShell()
	return huh.NewGroup(
		v.aliases,
		huh.NewText().Key(keyEnv).Title(v.title(keyEnv)).
			Description(v.description(keyEnv)).
			Lines(2).ExternalEditor(false).Value(&v.Env).Validate(via(v.checks, keyEnv)),
		v.input(keyPackages, &v.Packages),
	)
}

// hoveredFlag is the flag under the modules list's cursor.
func (v *questionValues) hoveredFlag() (flakegen.Flag, bool) {
	key, ok := v.modules.Hovered()
	if !ok {
		return flakegen.Flag{}, false
	}
	for _, c := range v.choices {
		if c.Flag.Key == key {
			return c.Flag, true
		}
	}
	return flakegen.Flag{}, false
}

// via looks the validator up when it runs.
func via(c checks, key string) func(string) error {
	return func(v string) error { return c[key](v) }
}
