package wizard

import (
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/nixboard/nixboard/internal/shell"
	"github.com/nixboard/nixboard/tui/textwrap"
)

// wrapText wraps plain text to width at word boundaries (see textwrap.Words).
func wrapText(s string, width int) string {
	return strings.Join(textwrap.Words(s, width), "\n")
}

// hanging wraps text that starts with prefix (a bullet, a label) to width,
// indenting the lines after the first by the prefix's width, so a long path
// moves to the next line whole instead of being cut where the screen ends.
func hanging(prefix, text string, width int) []string {
	return hangingBy(prefix, ansi.StringWidth(prefix), text, width)
}

// hangingBy is hanging with the indent of the lines after the first given.
func hangingBy(prefix string, indent int, text string, width int) []string {
	lines := textwrap.Words(text, width-max(indent, ansi.StringWidth(prefix)))
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", indent) + lines[i]
		}
	}
	return lines
}

// commandLines shows a shell command indented by indent: on one line when it
// fits, else broken only between shell words with a trailing " \" and the
// continuation lines indented by two more (textwrap.Shell), so a
// pasted command still runs. A word longer than a whole line (a long path)
// is broken too, after a "/" where it can be, with a backslash right after
// it and the rest starting at the beginning of the next line: the shell
// joins such lines into one word.
func commandLines(cmd string, indent, width int) []string {
	pad := strings.Repeat(" ", indent)
	if ansi.StringWidth(cmd) <= width-indent {
		return []string{pad + cmd}
	}
	var out []string
	for i, part := range textwrap.Shell(cmd, width-indent-2) {
		prefix := pad
		if i > 0 {
			prefix += "  "
		}
		out = append(out, breakWord(prefix, part, width)...)
	}
	return out
}

// breakWord lays out prefix+part in lines of width, breaking part when it is
// a single unquoted word (with or without the " \" of a continued command)
// that does not fit; anything else is returned as one line.
func breakWord(prefix, part string, width int) []string {
	if ansi.StringWidth(prefix+part) <= width {
		return []string{prefix + part}
	}
	word, tail := part, ""
	if w, ok := strings.CutSuffix(part, " \\"); ok {
		word, tail = w, " \\"
	}
	if strings.ContainsAny(word, " '\"\\") {
		return []string{prefix + part}
	}
	var out []string
	room := width - ansi.StringWidth(prefix) - 1
	for ansi.StringWidth(word+tail) > room+1 {
		head := ansi.Truncate(word, max(room, 1), "")
		if i := strings.LastIndex(head, "/"); i > 0 {
			head = head[:i+1]
		}
		out = append(out, prefix+head+"\\")
		word = word[len(head):]
		prefix, room = "", width-1
	}
	return append(out, prefix+word+tail)
}

// tildePath shows a path under home as ~/..., as a person would type it.
func tildePath(p, home string) string {
	home = filepath.Clean(home)
	if home == "" || home == "." || home == "/" {
		return p
	}
	switch {
	case p == home:
		return "~"
	case strings.HasPrefix(p, home+"/"):
		return "~/" + p[len(home)+1:]
	}
	return p
}

// shellPath is a path as a shell word: ~/... under home (the tilde left
// unquoted so the shell expands it), the rest quoted when it needs quotes.
func shellPath(p, home string) string {
	t := tildePath(p, home)
	switch {
	case t == "~":
		return t
	case strings.HasPrefix(t, "~/"):
		return "~/" + shell.Quote(t[2:])
	}
	return shell.Quote(t)
}
