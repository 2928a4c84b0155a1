package nixrun

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/shell"
)

// FlakesConfig is the NIX_CONFIG line every nested nix call of a switch
// needs. It is appended to the person's own NIX_CONFIG, never replacing it,
// so no file outside the configuration directory has to change; and it adds
// to the experimental features they enabled (extra-), never replacing them.
const FlakesConfig = "extra-experimental-features = nix-command flakes"

// DefaultBackupExt is the extension home-manager gives the dotfiles it moves
// aside (`-b`), so an existing ~/.bashrc does not fail the switch.
const DefaultBackupExt = "nixboard-backup"

// SwitchOptions say what to switch and in which environment. Everything a switch
// runs is derived from them by NewPlan, in one place.
type SwitchOptions struct {
	// Dir is the rendered flake directory (required).
	Dir string
	// ConfigName is the homeConfigurations attribute, user@host. Empty
	// means: take it from the answers in Dir/nixboard.json.
	ConfigName string
	// BackupExt is home-manager's -b extension (DefaultBackupExt if empty).
	BackupExt string
	// ExtraArgs are passed through to `home-manager switch` after the
	// standard flags, e.g. `--override-input nixpkgs path:/fixture`.
	ExtraArgs []string
	// Files are the rendered files (relative to Dir) that must be tracked
	// by git before the switch. Empty means every untracked, not ignored
	// file in Dir.
	Files []string
	// Env is the person's environment as KEY=VALUE pairs (os.Environ()).
	// PATH, HOME, XDG_STATE_HOME and NIX_CONFIG are read from it, never from
	// the process, so a test can put a fixture nix first on PATH.
	Env []string
}

// Plan is exactly what a switch runs: the argv, the environment, and what
// must be true before it starts. It is what `--plain` prints as the command
// and what tests inspect.
type Plan struct {
	// Argv is the command line; Argv[0] is an absolute path.
	Argv []string
	// Env is the full environment of the child process.
	Env []string
	// Dir is the absolute configuration directory (the child's working
	// directory too).
	Dir string
	// Flake is the flake reference switched to, DIR#user@host.
	Flake string
	// ConfigName is user@host.
	ConfigName string
	// Installed is true when a home-manager found on PATH runs the switch,
	// false when the flake's own pinned home-manager runs through `nix run`.
	Installed bool
	// Git is the git found on PATH ("" when there is none).
	Git string
	// ProfileDir is the directory home-manager keeps its profile in; it
	// is created before the switch when missing.
	ProfileDir string
	// LogDir is where the full log of the run is saved.
	LogDir string
	// Track are the files Prepare adds to git (empty: all untracked ones).
	Track []string
	// UnfreeAllowed are the unfree packages the answers in Dir allow (nil
	// when Dir has no readable answers), for the diagnosis.
	UnfreeAllowed []string
	// InterruptGrace is how long an interrupt waits for the switch to stop
	// after SIGINT before it kills it (InterruptGrace when 0).
	InterruptGrace time.Duration
	// Nix is the nix found on PATH ("" when there is none); BackupExt and
	// ExtraArgs are the switch's -b extension and the flags passed through,
	// for the plans derived from this one (BuildPlan, DryRunPlan).
	Nix       string
	BackupExt string
	ExtraArgs []string
}

// NewPlan builds the command line and environment of a switch from opts. It
// looks nix, git and home-manager up on the PATH of opts.Env.
func NewPlan(opts SwitchOptions) (Plan, error) {
	if opts.Dir == "" {
		return Plan{}, errors.New("switch: no configuration directory given (use --dir DIR)")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return Plan{}, fmt.Errorf("switch: configuration directory %s: %w", opts.Dir, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "flake.nix")); err != nil || fi.IsDir() {
		return Plan{}, fmt.Errorf("switch: %s has no flake.nix: render a configuration first (nixboard render, or the wizard)", dir)
	}
	env := envMap(opts.Env)
	name := opts.ConfigName
	var unfree []string
	if a, err := flakegen.Load(filepath.Join(dir, "nixboard.json")); err == nil {
		unfree = a.UnfreeAllowed()
	}
	if name == "" {
		name, err = configNameFromAnswers(filepath.Join(dir, "nixboard.json"))
		if err != nil {
			return Plan{}, err
		}
	}
	ext := opts.BackupExt
	if ext == "" {
		ext = DefaultBackupExt
	}
	p := Plan{
		Dir:           dir,
		ConfigName:    name,
		Flake:         dir + "#" + name,
		ProfileDir:    filepath.Join(stateHome(env), "nix", "profiles"),
		LogDir:        LogDir(func(k string) string { return env[k] }),
		Track:         opts.Files,
		UnfreeAllowed: unfree,
		BackupExt:     ext,
		ExtraArgs:     opts.ExtraArgs,
	}
	pathList := env["PATH"]
	p.Git, _ = shell.LookPath("git", pathList)
	p.Nix, _ = shell.LookPath("nix", pathList)
	switchArgs := []string{"switch", "--flake", p.Flake, "-b", ext, "--log-format", "internal-json", "-v"}
	switchArgs = append(switchArgs, opts.ExtraArgs...)
	if hm, err := shell.LookPath("home-manager", pathList); err == nil {
		p.Installed = true
		p.Argv = append([]string{hm}, switchArgs...)
	} else {
		nix, err := shell.LookPath("nix", pathList)
		if err != nil {
			return Plan{}, errors.New("switch: neither home-manager nor nix is on PATH: install Nix first (see nixboard doctor)")
		}
		// The home-manager the rendered flake provides (its
		// packages.<system>.home-manager), built with the flake's own
		// nixpkgs through `follows`: no second nixpkgs to fetch and
		// evaluate just for the command. On a first run this nix
		// fetches the flake's inputs: its structured log says which,
		// where plain output would say nothing for minutes.
		// The flags come after the installable, so argv[2] stays the
		// installable that says the run builds the command first.
		p.Argv = append([]string{nix, "run", dir + "#home-manager", "--log-format", "internal-json", "-v", "--"}, switchArgs...)
	}
	if stateHome(env) == "" {
		// home-manager needs HOME too; the process's own is not asked.
		return Plan{}, errors.New("switch: HOME is not set (nor an absolute XDG_STATE_HOME): home-manager and the saved log need it")
	}
	p.Env = childEnv(opts.Env)
	return p, nil
}

// String is the plan as a shell command a person could paste: the NIX_CONFIG
// it adds, then the quoted argv.
func (p Plan) String() string {
	var b strings.Builder
	for _, kv := range p.Env {
		if strings.HasPrefix(kv, "NIX_CONFIG=") {
			b.WriteString(shell.Quote(kv))
			b.WriteByte(' ')
		}
	}
	b.WriteString(p.Command())
	return b.String()
}

// Command is the quoted argv alone, for a progress line.
func (p Plan) Command() string {
	return strings.Join(shell.QuoteAll(p.Argv), " ")
}

// configNameFromAnswers reads user@host from the answers file with
// flakegen.Load, so the name is the one the rendered flake defines.
func configNameFromAnswers(path string) (string, error) {
	a, err := flakegen.Load(path)
	if err != nil {
		return "", fmt.Errorf("switch: %w (render the configuration first)", err)
	}
	if a.HomeBase.Username == "" {
		return "", fmt.Errorf("switch: answers %s: homeBase.username is empty: set it and render again", path)
	}
	if a.Hostname == "" {
		return "", fmt.Errorf("switch: answers %s: hostname is empty: set it and render again", path)
	}
	return a.ConfigName(), nil
}

// childEnv is the person's environment with FlakesConfig appended to their
// NIX_CONFIG (or set, when they have none).
func childEnv(env []string) []string {
	out := make([]string, 0, len(env)+1)
	own := ""
	found := false
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "NIX_CONFIG="); ok {
			own, found = v, true
			continue
		}
		out = append(out, kv)
	}
	cfg := FlakesConfig
	if found && strings.TrimSpace(own) != "" {
		cfg = strings.TrimRight(own, "\n") + "\n" + FlakesConfig
	}
	return append(out, "NIX_CONFIG="+cfg)
}

// envMap turns KEY=VALUE pairs into a map; later pairs win, as in exec.
func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// stateHome is ${XDG_STATE_HOME:-$HOME/.local/state} in the given
// environment, "" when it has neither as an absolute path.
func stateHome(env map[string]string) string {
	if d := env["XDG_STATE_HOME"]; d != "" && filepath.IsAbs(d) {
		return d
	}
	home := env["HOME"]
	if !filepath.IsAbs(home) {
		return ""
	}
	return filepath.Join(home, ".local", "state")
}

// LogDir is where nixboard saves the full logs of its runs:
// ${XDG_STATE_HOME:-~/.local/state}/nixboard/logs (NewPlan refuses an
// environment with neither).
func LogDir(getenv func(string) string) string {
	return filepath.Join(stateHome(map[string]string{"XDG_STATE_HOME": getenv("XDG_STATE_HOME"), "HOME": getenv("HOME")}), "nixboard", "logs")
}
