package textwrap

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Hanging wraps text that starts with prefix (a bullet, a label) to width,
// indenting the lines after the first by the prefix's width, so a long path
// moves to the next line whole instead of being cut where the screen ends.
func Hanging(prefix, text string, width int) []string {
	return HangingBy(prefix, ansi.StringWidth(prefix), text, width)
}

// HangingBy is Hanging with the indent of the lines after the first given.
func HangingBy(prefix string, indent int, text string, width int) []string {
	lines := Words(text, width-max(indent, ansi.StringWidth(prefix)))
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", indent) + lines[i]
		}
	}
	return lines
}

// CommandLines shows a shell command indented by indent: on one line when it
// fits, else broken only between shell words with a trailing " \" and the
// continuation lines indented by two more (Shell), so a
// pasted command still runs. A word longer than a whole line (a long path)
// is broken too, after a "/" where it can be, with a backslash right after
// it and the rest starting at the beginning of the next line: the shell
// joins such lines into one word. A continued part that cannot be broken
// (a quoted word) moves left as far as it needs to fit.
func CommandLines(cmd string, indent, width int) []string {
	pad := strings.Repeat(" ", indent)
	if ansi.StringWidth(cmd) <= width-indent {
		return []string{pad + cmd}
	}
	var out []string
	for i, part := range Shell(cmd, width-indent-2) {
		prefix := pad
		if i > 0 {
			prefix += "  "
			// A continued part that cannot be broken (a quoted word)
			// and is too long for its indent starts further left: the
			// shell does not mind where a continuation line starts.
			if over := ansi.StringWidth(prefix+part) - width; over > 0 && strings.ContainsAny(part, " '\"") {
				prefix = strings.Repeat(" ", max(0, len(prefix)-over))
			}
		}
		out = append(out, breakShellWord(prefix, part, width)...)
	}
	return out
}

// breakShellWord lays out prefix+part in lines of width, breaking part when it is
// a single unquoted word (with or without the " \" of a continued command)
// that does not fit; anything else is returned as one line.
func breakShellWord(prefix, part string, width int) []string {
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
		head := breakWord(word, room)[0]
		out = append(out, prefix+head+"\\")
		word = word[len(head):]
		prefix, room = "", width-1
	}
	return append(out, prefix+word+tail)
}
