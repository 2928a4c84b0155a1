package wizard

import (
	"strings"

	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/wizardlogic"
)

// A question page is one huh form of the questions step. Each builder
// returns the form and the part of the answers it binds, so a form can be
// tested alone: feed it keys after Init, then apply the part. The groups
// have no title of their own: on the screen the page's heading names the
// page (questionPages), and accessible mode does not show group titles.
//
// Every part keeps the validators of its free-text fields by field key,
// so the screen can show a field's problem while it is being typed (huh
// itself validates only when the person leaves the field).

// checks maps a form field's key to the validator of its current value.
type checks map[string]func(string) error

// keepOnEmpty lets an empty line through: in accessible mode an empty
// answer keeps the pre-filled value, which huh applies after validating.
func keepOnEmpty(c checks) {
	for k, f := range c {
		c[k] = func(v string) error {
			if v == "" {
				return nil
			}
			return f(v)
		}
	}
}

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
)

// identityPart is bound by the identity form.
type identityPart struct {
	Username, GitName, GitEmail string
	checks                      checks
}

func (p *identityPart) apply(a *flakegen.Answers) {
	a.HomeBase.Username = p.Username
	a.Git.Name = p.GitName
	a.Git.Email = p.GitEmail
}

func buildIdentityForm(a flakegen.Answers) (*huh.Form, *identityPart) {
	p := &identityPart{Username: a.HomeBase.Username, GitName: a.Git.Name, GitEmail: a.Git.Email}
	p.checks = checks{
		keyUsername: wizardlogic.FieldCheck(a, keyUsername, func(a *flakegen.Answers, v string) error { a.HomeBase.Username = v; return nil }),
		keyGitName:  wizardlogic.FieldCheck(a, keyGitName, func(a *flakegen.Answers, v string) error { a.Git.Name = v; return nil }),
		keyGitEmail: wizardlogic.FieldCheck(a, keyGitEmail, func(a *flakegen.Answers, v string) error { a.Git.Email = v; return nil }),
	}
	f := huh.NewForm(huh.NewGroup(
		huh.NewInput().Key(keyUsername).Title("User name").
			Description("Your login name on this machine; home-manager manages this user.").
			Value(&p.Username).Validate(via(p.checks, keyUsername)),
		huh.NewInput().Key(keyGitName).Title("Git name").
			Description("Written to git's user.name (taken from your git config when set).").
			Value(&p.GitName).Validate(via(p.checks, keyGitName)),
		huh.NewInput().Key(keyGitEmail).Title("Git e-mail").
			Description("Written to git's user.email.").
			Value(&p.GitEmail).Validate(via(p.checks, keyGitEmail)),
	))
	return f, p
}

// placePart is bound by the configuration directory and release form.
type placePart struct {
	Dir, Release string
	home         string
	// root, when set (the demo), is the only place a configuration may be
	// written.
	root   string
	checks checks
}

func (p *placePart) apply(a *flakegen.Answers, dir *string) {
	if d, err := p.expand(p.Dir); err == nil {
		*dir = d
	}
	a.Release = p.Release
}

// expand is wizardlogic.ExpandDir, refusing a directory outside root.
func (p *placePart) expand(v string) (string, error) {
	d, err := wizardlogic.ExpandDir(v, p.home)
	if err != nil {
		return "", err
	}
	if err := wizardlogic.DirInside(d, p.root); err != nil {
		return "", err
	}
	return d, nil
}

func buildPlaceForm(a flakegen.Answers, dir, home, root string) (*huh.Form, *placePart) {
	p := &placePart{Dir: dir, Release: a.Release, home: home, root: root}
	p.checks = checks{
		keyDir: func(v string) error { _, err := p.expand(v); return err },
	}
	var opts []huh.Option[string]
	for _, c := range wizardlogic.ReleaseChoices(a.System) {
		if c.Offered {
			opts = append(opts, huh.NewOption(c.Release.Title, c.Release.Name))
		}
	}
	desc := "Matched pairs of nixpkgs and home-manager; stable is the safe choice."
	for _, c := range wizardlogic.ReleaseChoices(a.System) {
		if !c.Offered {
			desc += " Not offered: " + c.Reason + "."
		}
	}
	f := huh.NewForm(huh.NewGroup(
		huh.NewInput().Key(keyDir).Title("Configuration directory").
			Description("Where the flake is written; it becomes a git repository.").
			Value(&p.Dir).Validate(via(p.checks, keyDir)),
		huh.NewSelect[string]().Key(keyRelease).Title("Release").
			Description(desc).Options(opts...).Value(&p.Release),
	))
	return f, p
}

// shellPart is bound by the shell and editor form.
type shellPart struct {
	Shell, Editor string
	checks        checks
}

func (p *shellPart) apply(a *flakegen.Answers) {
	a.Shell = p.Shell
	a.HomeBase.DefaultEditor = p.Editor
}

func buildShellForm(a flakegen.Answers) (*huh.Form, *shellPart) {
	p := &shellPart{Shell: a.Shell, Editor: a.HomeBase.DefaultEditor, checks: checks{}}
	f := huh.NewForm(huh.NewGroup(
		huh.NewSelect[string]().Key(keyShell).Title("Shell").
			Description("The shell home-manager configures (aliases, variables, prompt tools).").
			Options(huh.NewOptions(flakegen.KnownShells...)...).Value(&p.Shell),
		huh.NewSelect[string]().Key(keyEditor).Title("Editor").
			Description("Becomes EDITOR for your shell and git.").
			Options(huh.NewOptions(wizardlogic.Editors(a.HomeBase.DefaultEditor)...)...).Value(&p.Editor),
	))
	return f, p
}

// modulesPart is bound by the modules form.
type modulesPart struct {
	On     []string
	checks checks
	// choices are every flag with whether it is offered here; field is the
	// list, whose highlighted flag the screen describes below it.
	choices []wizardlogic.ModuleChoice
	field   *huh.MultiSelect[string]
}

func (p *modulesPart) apply(a *flakegen.Answers) { wizardlogic.SetModules(a, p.On) }

// modulesHelp is the modules field's own description.
const modulesHelp = "space toggles, enter confirms; set from the defaults or your last run."

// buildModulesForm builds the modules page with the list at most height
// lines high (its title and description included). The screen draws the
// highlighted flag's description and the flags that are not offered below
// the list (see modulesFooter). With long set (accessible mode, where
// nothing is drawn below the prompt), each option carries its description
// and the field's description the notes instead.
func buildModulesForm(a flakegen.Answers, height int, long bool) (*huh.Form, *modulesPart) {
	p := &modulesPart{checks: checks{}, choices: wizardlogic.ModuleChoices(a)}
	var opts []huh.Option[string]
	for _, c := range p.choices {
		if !c.Offered {
			continue
		}
		label := c.Flag.Title
		if long {
			label += ": " + c.Flag.Description
		}
		opts = append(opts, huh.NewOption(label, c.Flag.Key).Selected(c.On))
		if c.On {
			p.On = append(p.On, c.Flag.Key)
		}
	}
	desc := modulesHelp
	if notes := wizardlogic.ExcludedNotes(p.choices); long && len(notes) > 0 {
		desc += "\nNot offered on this machine:"
		for _, n := range notes {
			desc += "\n• " + n
		}
	}
	// On the screen the page's own line names it, and the list needs the
	// room; a line prompt needs the title.
	p.field = huh.NewMultiSelect[string]().Key(keyModules).
		Description(desc).Options(opts...).Value(&p.On)
	if long {
		p.field.Title("Modules")
	}
	if height > 0 {
		p.field.Height(max(height, 5))
	}
	return huh.NewForm(huh.NewGroup(p.field)), p
}

// hoveredFlag is the flag under the list's cursor.
func (p *modulesPart) hoveredFlag() (flakegen.Flag, bool) {
	key, ok := p.field.Hovered()
	if !ok {
		return flakegen.Flag{}, false
	}
	for _, c := range p.choices {
		if c.Flag.Key == key {
			return c.Flag, true
		}
	}
	return flakegen.Flag{}, false
}

// extrasPart is bound by the extras form.
type extrasPart struct {
	Aliases, Env, Packages string
	checks                 checks
}

func (p *extrasPart) apply(a *flakegen.Answers) {
	if m, err := wizardlogic.ParseAssignments(p.Aliases); err == nil {
		a.HomeBase.ShellAliases = m
	}
	if m, err := wizardlogic.ParseAssignments(p.Env); err == nil {
		a.HomeBase.EnvironmentVariables = m
	}
	a.HomeBase.AdditionalPackages = wizardlogic.ParsePackages(p.Packages)
}

func buildExtrasForm(a flakegen.Answers) (*huh.Form, *extrasPart) {
	p := &extrasPart{
		Aliases:  wizardlogic.FormatAssignments(a.HomeBase.ShellAliases),
		Env:      wizardlogic.FormatAssignments(a.HomeBase.EnvironmentVariables),
		Packages: strings.Join(a.HomeBase.AdditionalPackages, " "),
	}
	assign := func(path string, set func(a *flakegen.Answers, m map[string]string)) func(string) error {
		return wizardlogic.FieldCheck(a, path, func(a *flakegen.Answers, v string) error {
			m, err := wizardlogic.ParseAssignments(v)
			if err != nil {
				return err
			}
			set(a, m)
			return nil
		})
	}
	p.checks = checks{
		keyAliases: assign(keyAliases, func(a *flakegen.Answers, m map[string]string) { a.HomeBase.ShellAliases = m }),
		keyEnv:     assign(keyEnv, func(a *flakegen.Answers, m map[string]string) { a.HomeBase.EnvironmentVariables = m }),
		keyPackages: wizardlogic.FieldCheck(a, keyPackages, func(a *flakegen.Answers, v string) error {
			a.HomeBase.AdditionalPackages = wizardlogic.ParsePackages(v)
			return nil
		}),
	}
	f := huh.NewForm(huh.NewGroup(
		huh.NewText().Key(keyAliases).Title("Shell aliases").
			Description("One NAME=COMMAND per line, e.g. gs=git status (alt+enter for a new line).").
			Lines(3).ExternalEditor(false).Value(&p.Aliases).Validate(via(p.checks, keyAliases)),
		huh.NewText().Key(keyEnv).Title("Environment variables").
			Description("One NAME=VALUE per line.").
			Lines(2).ExternalEditor(false).Value(&p.Env).Validate(via(p.checks, keyEnv)),
		huh.NewInput().Key(keyPackages).Title("Additional packages").
			Description("nixpkgs attribute names, separated by spaces, e.g. ripgrep python3Packages.requests.").
			Value(&p.Packages).Validate(via(p.checks, keyPackages)),
	))
	return f, p
}

// via looks the validator up when it runs, so keepOnEmpty can change it
// after the form was built.
func via(c checks, key string) func(string) error {
	return func(v string) error { return c[key](v) }
}
