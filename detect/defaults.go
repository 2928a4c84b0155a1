package detect

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/shell"
)

// defaults fills Report.Defaults: flakegen's defaults for this platform and
// system, with what detection found about the person. On a re-run the
// nixboard.json in the configuration directory wins (its stateVersion
// included): what the person chose last time is what they are offered now,
// with detected values filling only what it leaves empty.
func (a *analysis) defaults() {
	r := a.r
	d := flakegen.DefaultFor(r.Platform.Kind, r.Platform.System)
	d.HomeBase.Username = r.User.Name
	d.HomeBase.HomeDirectory = r.User.Home
	if e, why := editorCommand(r.User.Editor); e != "" {
		d.HomeBase.DefaultEditor = e
	} else if why != "" {
		a.editorCheck(*r.User.Editor, why, d.HomeBase.DefaultEditor)
	}
	d.Hostname = r.User.Hostname
	d.Git = flakegen.GitAnswer{Name: r.Git.Name, Email: r.Git.Email}
	if sh := path.Base(r.User.Shell); slices.Contains(flakegen.KnownShells, sh) {
		d.Shell = sh
	}

	h := &a.f.hm
	if h.answers != nil {
		file := path.Join(h.configDir, "nixboard.json")
		var prev flakegen.Answers
		var err error = h.answersErr
		if err == nil {
			prev, err = flakegen.Parse(h.answers)
		}
		if err != nil {
			a.check("homeManager.answers", StatusWarn,
				a.tilde(file)+" cannot be read, so detected values are the defaults: "+oneLine(err.Error()),
				"fix the file, or move it away: mv "+a.shellPath(file)+" "+a.shellPath(file+".broken"))
		} else {
			fill(&prev.HomeBase.Username, d.HomeBase.Username)
			fill(&prev.HomeBase.HomeDirectory, d.HomeBase.HomeDirectory)
			fill(&prev.HomeBase.DefaultEditor, d.HomeBase.DefaultEditor)
			fill(&prev.HomeBase.StateVersion, d.HomeBase.StateVersion)
			fill(&prev.Hostname, d.Hostname)
			fill(&prev.System, d.System)
			fill(&prev.Platform, d.Platform)
			fill(&prev.Release, d.Release)
			fill(&prev.Git.Name, d.Git.Name)
			fill(&prev.Git.Email, d.Git.Email)
			fill(&prev.Shell, d.Shell)
			a.followHome(&prev, file)
			a.followUser(&prev, file)
			d = prev
			a.check("homeManager.answers", StatusOK, "answers from the last run: "+a.tilde(file), "")
		}
	}
	r.Defaults = d
}

// followHome makes the last run's home.homeDirectory follow HOME when they
// are not the same directory: home-manager's activation stops unless
// `[[ $HOME -ef home.homeDirectory ]]` holds, so the old value could never
// be switched to from this shell. The user.home check says so, and how to
// keep the old value instead.
func (a *analysis) followHome(prev *flakegen.Answers, file string) {
	u := &a.f.user
	old := prev.HomeBase.HomeDirectory
	if u.home == "" || !u.homeExists || !path.IsAbs(old) || realPath(a.m, old) == u.homeReal {
		return
	}
	prev.HomeBase.HomeDirectory = u.home
	if c := a.checkByID("user.home"); c != nil {
		c.Status = StatusWarn
		c.Message = fmt.Sprintf("HOME is %s, but the last run's answers (%s) set home.homeDirectory to %s: home-manager's activation stops unless the two are the same directory, so nixboard now proposes %s; to keep %s instead, run nixboard with HOME set to it",
			u.home, a.tilde(file), old, u.home, old)
		c.Fix = "HOME=" + shell.Quote(old) + " nixboard"
	}
}

// followUser makes the last run's home.username follow the login name
// ($USER) when they differ: home-manager's activation runs checkUsername,
// which stops unless $USER equals home.username, so the old value could
// never be switched to by this user. The user.name check says so.
func (a *analysis) followUser(prev *flakegen.Answers, file string) {
	u := &a.f.user
	old := prev.HomeBase.Username
	if u.name == "" || old == "" || old == u.name {
		return
	}
	prev.HomeBase.Username = u.name
	if c := a.checkByID("user.name"); c != nil {
		c.Status = StatusWarn
		c.Message = fmt.Sprintf("USER is %s, but the last run's answers (%s) set home.username to %s: home-manager's activation stops unless the two are the same, so nixboard now proposes %s; to keep %s, run nixboard as that user",
			u.name, a.tilde(file), old, u.name, old)
		c.Fix = ""
	}
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// editorCommand turns EDITOR into the command homeBase.defaultEditor takes:
// "/usr/bin/vim" becomes "vim", "code --wait" stays as it is. An EDITOR
// the option cannot hold (flakegen.EditorProblem: a quoted path with
// spaces, shell syntax) gives "" and why: home-manager writes the option
// into a shell script at every login, so the default stays rather than a
// broken or harmful script.
func editorCommand(editor *string) (cmd, why string) {
	if editor == nil {
		return "", ""
	}
	fs := strings.Fields(*editor)
	if len(fs) == 0 {
		return "", ""
	}
	fs[0] = path.Base(fs[0])
	cmd = strings.Join(fs, " ")
	if p := flakegen.EditorProblem(cmd); p != "" {
		return "", p
	}
	return cmd, ""
}

// editorCheck says that EDITOR was not taken and what was proposed
// instead. A quoted program path (macOS's "/Applications/Sublime
// Text.app/.../subl" -w) gets a link without spaces to name instead.
func (a *analysis) editorCheck(editor, why, proposed string) {
	fix := "choose the editor in the wizard as a command name or a path without spaces, with plain arguments (\"code --wait\")"
	if q := editor[:1]; q == `"` || q == "'" {
		if prog, rest, ok := strings.Cut(editor[1:], q); ok && path.IsAbs(prog) {
			name := path.Base(prog)
			choose := strings.TrimSpace(name + " " + strings.TrimSpace(rest))
			if flakegen.EditorProblem(choose) == "" {
				fix = "link the program to a path without spaces: mkdir -p ~/.local/bin && ln -s " + shell.Quote(prog) + " ~/.local/bin/" + shell.Quote(name) +
					"\nthen choose " + strconv.Quote(choose) + " as the editor (with ~/.local/bin on PATH)"
			}
		}
	}
	a.check("user.editor", StatusWarn,
		fmt.Sprintf("EDITOR is %s, which homeBase.defaultEditor cannot hold: it %s; nixboard proposes %s instead", strconv.Quote(editor), why, proposed), fix)
}

// answersReadable reports whether the configuration directory's
// nixboard.json was read and parses: what homeManager.answers checks.
func (h *hmFacts) answersReadable() bool {
	if h.answers == nil || h.answersErr != nil {
		return false
	}
	_, err := flakegen.Parse(h.answers)
	return err == nil
}
