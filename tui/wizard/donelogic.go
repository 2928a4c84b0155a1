package wizard

import (
	"fmt"
	"time"

	"github.com/nixboard/nixboard/flakegen"
)

// DoneInfo is what the last screen reports on.
type DoneInfo struct {
	Answers  flakegen.Answers
	Dir      string
	DryRun   bool
	NoSwitch bool
	Failed   bool
	Reason   string
	Hints    []string
	LogPath  string
	Took     time.Duration
}

// SwitchCommand is the command for later changes, with the explicit
// configuration name home-manager needs.
func SwitchCommand(dir string, a flakegen.Answers) string {
	return fmt.Sprintf("home-manager switch --flake %s#%s", dir, a.ConfigName())
}

// DoneLines is the text of the last screen: what was set up, how long it
// took, where the log is and what to do now; or, after a failure, the
// diagnosis with its hints.
func DoneLines(d DoneInfo, width int) []string {
	took := d.Took.Round(time.Second).String()
	switch {
	case d.DryRun:
		return []string{
			"Dry run finished: nothing was written.",
			"",
			"The review showed every file that would change in " + d.Dir + ".",
			"Run nixboard again without --dry-run to write them and switch.",
		}
	case d.Failed:
		lines := []string{"✗ The switch failed: " + d.Reason, ""}
		if len(d.Hints) > 0 {
			lines = append(lines, "What to do:")
			for _, h := range d.Hints {
				lines = append(lines, "  • "+wrapText(h, width-4))
			}
			lines = append(lines, "")
		}
		if d.LogPath != "" {
			lines = append(lines, "Full log: "+d.LogPath)
		}
		lines = append(lines,
			"Your files are written in "+d.Dir+"; press r to retry the switch",
			"(existing dotfiles are moved aside with a backup extension), esc to",
			"change answers, or q to quit and run it later with:",
			"  "+SwitchCommand(d.Dir, d.Answers))
		return lines
	case d.NoSwitch:
		return []string{
			"✓ Configuration written to " + d.Dir + " (" + took + ").",
			"",
			"Switch to it when you are ready:",
			"  nixboard switch --dir " + d.Dir,
			"or",
			"  " + SwitchCommand(d.Dir, d.Answers),
		}
	}
	var on []string
	for _, c := range ModuleChoices(d.Answers) {
		if c.Offered && c.On {
			on = append(on, c.Flag.Title)
		}
	}
	lines := []string{
		"✓ Your home-manager environment is set up (" + took + ").",
		"",
		"Configuration " + d.Answers.ConfigName() + " in " + d.Dir,
		"Modules: " + wrapText(listOrNone(on), width-9),
	}
	if d.LogPath != "" {
		lines = append(lines, "Log: "+d.LogPath)
	}
	lines = append(lines,
		"",
		"What now:",
		"  • Open a new terminal (or run `exec "+d.Answers.Shell+" -l`) to get the new environment.",
		"  • Change home.nix in "+d.Dir+", then apply it with:",
		"      "+SwitchCommand(d.Dir, d.Answers),
		"  • Re-run nixboard to switch modules on or off.",
	)
	return lines
}
