package wizardlogic

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/nixlog"
)

// DoneInfo is what the last screen reports on.
type DoneInfo struct {
	Answers flakegen.Answers
	Dir     string
	// Home is the person's home directory: paths under it are shown as
	// ~/..., as one would type them.
	Home     string
	DryRun   bool
	NoSwitch bool
	// Demo says the run was the demo's: its directory is removed when the
	// demo ends, so the text never sends the person there.
	Demo bool
	// Blocked says the switch was not started because detection found
	// what makes it impossible (the review and the switch step showed it).
	Blocked bool
	// Refused says the preview found files in the way that home-manager
	// refuses to move aside, and the person stopped there.
	Refused bool
	// Declined says the person saw the preview of the switch and chose
	// not to activate it now.
	Declined bool
	Failed   bool
	// Stopped says the person stopped the switch (ctrl+c): Failed is set
	// too, since nothing was set up, but the text does not call it a
	// failure.
	Stopped bool
	Reason  string
	// Hints are the diagnosis's: a title and a command that fixes it.
	Hints   []nixlog.Hint
	LogPath string
	Took    time.Duration
	// FlakesFix, when set, is the command that turns flakes on in the
	// person's own Nix configuration: detection found them off there.
	// nixboard turns them on for its own runs only, so the
	// `home-manager switch --flake` Done offers needs it first.
	FlakesFix string
	// Markers, when set, say that the configuration was written with
	// conflict markers and the switch did not start (MarkerLines).
	Markers []string
}

// SwitchCommand is the command for later changes, with the explicit
// configuration name home-manager needs; the directory is a shell word
// (~/... under home, quoted when it needs it), so the command can be pasted.
func SwitchCommand(dir, home string, a flakegen.Answers) string {
	return "home-manager switch --flake " + ShellPath(dir, home) + "#" + a.ConfigName()
}

// DoneLines is the text of the last screen: what was set up, how long it
// took, where the log is and what to do now; or, after a failure, the
// diagnosis with its hints. Every line fits in width: prose wraps between
// words, with a hanging indent under bullets and labels, and commands break
// only between shell words (see textwrap.CommandLines). A width of 0 or less leaves
// the lines as long as they are, for plain output.
func DoneLines(d DoneInfo, width int) []string {
	if width <= 0 {
		width = 1 << 20
	}
	took := d.Took.Round(time.Second).String()
	dir := TildePath(d.Dir, d.Home)
	switchCmd := SwitchCommand(d.Dir, d.Home, d.Answers)
	var lines []string
	add := func(ls ...string) { lines = append(lines, ls...) }
	if d.Demo {
		return demoDoneLines(d, width)
	}
	switch {
	case d.DryRun:
		add("Dry run finished: nothing was written.", "")
		add(textwrap.Words("The review showed every file that would change in "+dir+". Run nixboard again without --dry-run to write them and switch.", width)...)
		return lines
	case len(d.Markers) > 0:
		add(textwrap.Hanging("! ", d.Markers[0], width)...)
		for _, l := range d.Markers[1:] {
			if strings.HasPrefix(l, "  nixboard ") {
				add(textwrap.CommandLines(strings.TrimSpace(l), 2, width)...)
				continue
			}
			add(textwrap.Hanging("  ", strings.TrimSpace(l), width)...)
		}
		return lines
	case d.Failed && d.Stopped:
		add(textwrap.Hanging("■ ", "You stopped the switch before it finished.", width)...)
		add("")
		if d.LogPath != "" {
			add(textwrap.Hanging("Log so far: ", TildePath(d.LogPath, d.Home), width)...)
		}
		add(textwrap.Words("Your files are written in "+dir+"; press r to start the switch again, esc to change answers, or q to quit and run it later with:", width)...)
		add(textwrap.CommandLines("nixboard switch --dir "+ShellPath(d.Dir, d.Home), 2, width)...)
		return lines
	case d.Failed:
		add(textwrap.Hanging("✗ ", "The switch failed: "+d.Reason, width)...)
		add("")
		if len(d.Hints) > 0 {
			add("What to do:")
			add(hintLines(d.Hints, width)...)
			add("")
		}
		if d.LogPath != "" {
			add(textwrap.Hanging("Full log: ", TildePath(d.LogPath, d.Home), width)...)
		}
		// home-manager may not be installed yet (it comes with the first
		// successful switch); nixboard switch runs the one the flake pins.
		add(textwrap.Words("Your files are written in "+dir+"; press r to retry the switch (existing dotfiles are moved aside with a backup extension), esc to change answers, or q to quit and run it later with:", width)...)
		add(textwrap.CommandLines("nixboard switch --dir "+ShellPath(d.Dir, d.Home), 2, width)...)
		return lines
	case d.NoSwitch:
		add(textwrap.Hanging("✓ ", "Configuration written to "+dir+" ("+took+").", width)...)
		switch {
		case d.Declined:
			add("")
			add(textwrap.Words("The switch was not started: you chose not to activate the generation the preview showed, and nothing on this machine changed. Switch to it when you are ready:", width)...)
		case d.Refused:
			add("")
			add(textwrap.Words("The switch was not started: the preview found files in the way that home-manager would not move aside (it said how to deal with them), and nothing on this machine changed. Once they are dealt with, switch with:", width)...)
		case d.Blocked:
			add("")
			add(textwrap.Words("The switch was not started: doctor found what stops it (nixboard doctor shows it again). Once that is fixed, switch with:", width)...)
		default:
			add("", "Switch to it when you are ready:")
		}
		add(textwrap.CommandLines("nixboard switch --dir "+ShellPath(d.Dir, d.Home), 2, width)...)
		add("or")
		if d.FlakesFix != "" {
			add(flakesLines(d.FlakesFix, 2, width)...)
		}
		add(textwrap.CommandLines(switchCmd, 2, width)...)
		return lines
	}
	var on []string
	for _, c := range ModuleChoices(d.Answers) {
		if c.Offered && c.On {
			on = append(on, c.Flag.Title)
		}
	}
	add(textwrap.Hanging("✓ ", "Your home-manager environment is set up ("+took+").", width)...)
	add("")
	add(textwrap.HangingBy("", 2, "Configuration "+d.Answers.ConfigName()+" in "+dir, width)...)
	add(textwrap.Hanging("Modules: ", listOrNone(on), width)...)
	if d.LogPath != "" {
		add(textwrap.Hanging("Log: ", TildePath(d.LogPath, d.Home), width)...)
	}
	if len(d.Hints) > 0 {
		add("", "home-manager asks you to:")
		add(hintLines(d.Hints, width)...)
	}
	add("", "What now:")
	add(textwrap.Hanging("  • ", "Open a new terminal (or run `exec "+d.Answers.Shell+" -l`) to get the new environment.", width)...)
	if d.FlakesFix != "" {
		add(textwrap.Hanging("  • ", "Flakes are off in your own Nix configuration: nixboard turned them on for its own runs only, and home-manager needs them. Turn them on once with:", width)...)
		add(textwrap.CommandLines(d.FlakesFix, 6, width)...)
	}
	add(textwrap.Hanging("  • ", "Change home.nix in "+dir+", then apply it with:", width)...)
	add(textwrap.CommandLines(switchCmd, 6, width)...)
	add(textwrap.Hanging("  • ", "Re-run nixboard to switch modules on or off.", width)...)
	return lines
}

// flakesLines say, before a `home-manager switch --flake`, that flakes are
// off in the person's own Nix configuration and give fix, indented by
// indent.
func flakesLines(fix string, indent, width int) []string {
	pad := strings.Repeat(" ", indent)
	lines := textwrap.Hanging(pad, "Flakes are off in your own Nix configuration (nixboard turned them on for its own runs only): turn them on once with", width)
	lines = append(lines, textwrap.CommandLines(fix, indent+2, width)...)
	return append(lines, textwrap.Hanging(pad, "and then run", width)...)
}

// hintLines lists a diagnosis's hints: each title as a bullet, its fix as a
// command that pastes whole.
func hintLines(hints []nixlog.Hint, width int) []string {
	var lines []string
	for _, h := range hints {
		lines = append(lines, textwrap.Hanging("  • ", h.Title, width)...)
		// An evaluation error's code frame, as it is: wrapping would
		// move the caret off its column.
		for _, l := range h.Code {
			lines = append(lines, ansi.Truncate("    "+l, width, "…"))
		}
		if h.Fix != "" {
			lines = append(lines, textwrap.CommandLines(h.Fix, 4, width)...)
		}
	}
	return lines
}

// demoDoneLines is the last screen of the demo: what it did, without the
// directory it wrote into, which is gone once the demo ends, and how to
// set up the person's own environment.
func demoDoneLines(d DoneInfo, width int) []string {
	var lines []string
	add := func(ls ...string) { lines = append(lines, ls...) }
	own := "Run nixboard without --demo to set up your own environment."
	switch {
	case d.DryRun:
		add("Dry run finished: nothing was written.", "")
		add(textwrap.Words("The review showed every file the demo would write. "+own, width)...)
		return lines
	case d.Failed && d.Stopped:
		// The demo's switch is a recording: stopping it changed nothing,
		// and there is nothing to run later.
		add(textwrap.Hanging("■ ", "You stopped the demo's recorded switch: nothing on this machine changed.", width)...)
		add("")
		add(textwrap.Words("Press r to replay the switch, esc to change answers, or q to quit. "+own, width)...)
		return lines
	case d.Failed:
		add(textwrap.Hanging("✗ ", "The demo's switch failed: "+d.Reason, width)...)
		if len(d.Hints) > 0 {
			add("", "What to do:")
			add(hintLines(d.Hints, width)...)
		}
		add("")
		add(textwrap.Words("Press r to replay the switch, esc to change answers, or q to quit. "+own, width)...)
		return lines
	case d.NoSwitch:
		add(textwrap.Hanging("✓ ", "The demo wrote configuration "+d.Answers.ConfigName()+".", width)...)
	default:
		// The demo plays a recorded switch as if it ran here.
		add(textwrap.Hanging("✓ ", "Your home-manager environment is set up: configuration "+d.Answers.ConfigName()+", in the demo, with a recorded switch.", width)...)
	}
	add("")
	add(textwrap.Words("The demo wrote only to its temporary directory, which it removes when it ends: nothing on this machine changed. "+own, width)...)
	return lines
}
