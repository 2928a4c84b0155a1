// Package doctorview draws a detection report: what nixboard learned about
// the machine, then every check with its fix. `nixboard doctor` prints it and
// the wizard's detection screen shows it. It is a plain function of the
// report, the width and the styles; with styles built for no colour
// (theme.New(_, true)) the output holds no escape sequences.
package doctorview

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/tui/theme"
)

// minWidth is the narrowest layout; narrower widths are laid out at it.
const minWidth = 40

// Render returns the report laid out in width columns, ending in a newline.
func Render(r detect.Report, width int, st theme.Styles) string {
	if width < minWidth {
		width = minWidth
	}
	var b strings.Builder
	b.WriteString(st.Title.Render("This machine") + "\n")
	for _, row := range summaryRows(r) {
		writeRow(&b, st, row[0], row[1], width)
	}
	b.WriteString("\n" + st.Title.Render("Checks") + "\n")
	idWidth := 0
	for _, c := range r.Checks {
		idWidth = max(idWidth, ansi.StringWidth(c.ID))
	}
	// The id column gives way to the message on narrow screens.
	if idWidth > width/3 {
		idWidth = 0
	}
	for _, c := range r.Checks {
		writeCheck(&b, st, c, idWidth, width)
	}
	b.WriteString("\n" + tally(r, st, width) + "\n")
	if plain(st) {
		return ansi.Strip(b.String())
	}
	return b.String()
}

// plain reports whether the styles were built without colour, in which case
// the output holds no escape sequences at all (no bold either), as a pipe or
// NO_COLOR asks.
func plain(st theme.Styles) bool {
	_, none := st.OK.GetForeground().(lipgloss.NoColor)
	return none
}

// labelWidth is the width of the summary's label column.
const labelWidth = 13

func writeRow(b *strings.Builder, st theme.Styles, label, value string, width int) {
	indent := 2 + labelWidth
	lines := textwrap.Words(value, width-indent)
	for i, line := range lines {
		l := ""
		if i == 0 {
			l = label
		}
		pad := labelWidth - ansi.StringWidth(l)
		b.WriteString("  " + st.Subtle.Render(l) + strings.Repeat(" ", max(pad, 1)) + line + "\n")
	}
}

func symbol(s detect.Status, st theme.Styles) string {
	switch s {
	case detect.StatusOK:
		return st.OK.Render("✓")
	case detect.StatusWarn:
		return st.Warn.Render("!")
	}
	return st.Fail.Render("✗")
}

func writeCheck(b *strings.Builder, st theme.Styles, c detect.Check, idWidth, width int) {
	// "  ✓ id   message": the message wraps under itself.
	head := "  " + symbol(c.Status, st) + " "
	msgIndent := 4
	if idWidth > 0 {
		head += st.Key.Render(c.ID) + strings.Repeat(" ", idWidth-ansi.StringWidth(c.ID)+2)
		msgIndent += idWidth + 2
	} else {
		b.WriteString(head + st.Key.Render(c.ID) + "\n")
		head = strings.Repeat(" ", msgIndent)
	}
	for i, line := range textwrap.Words(c.Message, width-msgIndent) {
		if i > 0 {
			head = strings.Repeat(" ", msgIndent)
		}
		b.WriteString(head + line + "\n")
	}
	if c.Fix == "" {
		return
	}
	// Fix commands are meant to be pasted: textwrap.CommandLines breaks a
	// line only between shell words or inside a long path, with a trailing
	// backslash, so the pasted lines still run. Continued parts are
	// indented two more than the command.
	const fixIndent, label = "      ", "fix: "
	pad := len(fixIndent) + len(label)
	for i, line := range strings.Split(c.Fix, "\n") {
		for j, part := range textwrap.CommandLines(line, pad, width) {
			text := strings.TrimLeft(part, " ")
			lead := part[:len(part)-len(text)]
			if i == 0 && j == 0 {
				lead = fixIndent + st.Subtle.Render(label)
			}
			b.WriteString(lead + st.Accent.Render(text) + "\n")
		}
	}
}

func tally(r detect.Report, st theme.Styles, width int) string {
	var ok, warn, fail int
	for _, c := range r.Checks {
		switch c.Status {
		case detect.StatusOK:
			ok++
		case detect.StatusWarn:
			warn++
		default:
			fail++
		}
	}
	parts := []string{st.OK.Render(fmt.Sprintf("%d ok", ok))}
	if warn > 0 {
		parts = append(parts, st.Warn.Render(textwrap.Count(warn, "warning", "warnings")))
	}
	if fail > 0 {
		parts = append(parts, st.Fail.Render(fmt.Sprintf("%d failed", fail)))
	}
	verdict := "Ready for home-manager."
	if fail > 0 {
		verdict = "Fix the failed checks first: the switch cannot succeed until then."
	}
	counts := strings.Join(parts, ", ") + "."
	if ansi.StringWidth(counts)+1+ansi.StringWidth(verdict) <= width {
		return counts + " " + verdict
	}
	return counts + "\n" + strings.Join(textwrap.Words(verdict, width), "\n")
}

func summaryRows(r detect.Report) [][2]string {
	p, n, h, g, u := r.Platform, r.Nix, r.HomeManager, r.Git, r.User
	platform := []string{orDash(p.Distro.Name)}
	switch {
	case p.WSL != nil:
		w := fmt.Sprintf("WSL %d", p.WSL.Version)
		switch {
		case p.WSL.Systemd:
			w += " with systemd"
		case p.WSL.SystemdConfigured:
			w += ", systemd after restart"
		case p.WSL.Version == 2:
			w += " without systemd"
		}
		platform = append(platform, w)
	case p.Kind == detect.KindDarwin && p.Arch == "aarch64":
		platform = append(platform, "Apple Silicon")
	case p.Kind == detect.KindDarwin:
		platform = append(platform, "Intel")
	}
	platform = append(platform, p.System)
	if p.Rosetta {
		platform = append(platform, "under Rosetta")
	}
	if p.Container != nil {
		platform = append(platform, "in a "+*p.Container+" container")
	}

	nix := []string{"not installed"}
	if n.Installed {
		nix = []string{deref(n.Version, "version unknown")}
		if n.Determinate != nil {
			nix[0] += " (Determinate " + *n.Determinate + ")"
		}
		nix = append(nix, deref(n.Install, "?"))
		if n.Daemon != nil {
			nix = append(nix, map[bool]string{true: "daemon up", false: "daemon down"}[*n.Daemon])
		}
		if n.Flakes != nil {
			nix = append(nix, map[bool]string{true: "flakes on", false: "flakes off"}[*n.Flakes])
		}
		where := deref(n.Path, "")
		if !n.OnPath {
			where += " (not on PATH)"
		}
		nix = append(nix, where)
	}

	hm := []string{"not installed"}
	if h.Installed {
		hm = []string{deref(h.Version, "installed")}
	}
	switch {
	case h.ConfigDir == nil:
		hm = append(hm, "no configuration")
	case h.ManagedByNixboard:
		hm = append(hm, *h.ConfigDir+" (nixboard)")
	default:
		hm = append(hm, *h.ConfigDir)
	}

	git := "not installed"
	if g.Installed {
		git = strings.TrimSpace(g.Name + " <" + g.Email + ">")
		if g.Name == "" && g.Email == "" {
			git = "no identity set"
		}
	}

	user := []string{orDash(u.Name) + "@" + orDash(u.Hostname), orDash(u.Home), orDash(u.Shell)}
	if u.Editor != nil {
		user = append(user, "EDITOR="+*u.Editor)
	}

	disk := "free space unknown"
	if r.Disk.FreeBytes != nil {
		disk = fmt.Sprintf("%.1f GiB free on %s", float64(*r.Disk.FreeBytes)/(1<<30), r.Disk.Path)
	}

	return [][2]string{
		{"Platform", strings.Join(platform, " · ")},
		{"Nix", strings.Join(nix, " · ")},
		{"home-manager", strings.Join(hm, " · ")},
		{"git", git},
		{"User", strings.Join(user, " · ")},
		{"Disk", disk},
		{"Defaults", fmt.Sprintf("%s · release %s · stateVersion %s", r.Defaults.ConfigName(), orDash(r.Defaults.Release), orDash(r.Defaults.HomeBase.StateVersion))},
	}
}

func deref(s *string, none string) string {
	if s == nil {
		return none
	}
	return *s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
