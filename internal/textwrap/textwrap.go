// Package textwrap lays out plain text for nixboard's screens: prose
// wrapped between words (by x/ansi, with hyphenated names kept whole), and
// shell commands wrapped so that a pasted command still runs, which x/ansi
// cannot do. Widths are terminal cells (x/ansi), never bytes.
package textwrap

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Words breaks plain text into lines of at most width cells (at least
// 20), between words only: x/ansi wraps it. A word longer than a whole
// line (a long path) is broken after its last "/" that fits, or at the
// width when it has none. Line breaks in s are kept, and a line that fits
// keeps its spacing.
//
// x/ansi always breaks after a hyphen; nixboard's text is full of names
// and paths such as home-manager and nixboard-backup that must not break
// there (it reads as a hyphenated word and pastes wrong), so hyphens are
// kept whole for the wrap.
func Words(s string, width int) []string {
	width = max(width, 20)
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		if ansi.StringWidth(para) <= width {
			lines = append(lines, para)
			continue
		}
		kept := !strings.Contains(para, keptHyphen)
		if kept {
			para = strings.ReplaceAll(para, "-", keptHyphen)
		}
		// A word wider than a line is broken first; its last piece goes
		// on with the words after it.
		words := strings.Split(para, " ")
		for i, w := range words {
			if ansi.StringWidth(w) > width {
				words[i] = strings.Join(breakWord(w, width), "\n")
			}
		}
		wrapped := ansi.Wordwrap(strings.Join(words, " "), width, "")
		if kept {
			wrapped = strings.ReplaceAll(wrapped, keptHyphen, "-")
		}
		for _, l := range strings.Split(wrapped, "\n") {
			lines = append(lines, strings.TrimRight(l, " "))
		}
	}
	return lines
}

// breakWord breaks one word (no spaces) wider than width into lines of
// width, each ending after its last "/" that fits, or at the width.
func breakWord(w string, width int) []string {
	kept := !strings.Contains(w, keptHyphen)
	if kept {
		w = strings.ReplaceAll(w, "-", keptHyphen)
	}
	w = ansi.Wrap(w, max(width, 1), "/")
	if kept {
		w = strings.ReplaceAll(w, keptHyphen, "-")
	}
	return strings.Split(w, "\n")
}

// keptHyphen stands in for "-" while x/ansi wraps: a one-cell rune it does
// not break after (U+2011, the non-breaking hyphen).
const keptHyphen = "\u2011"

// Shell breaks a command line between shell words (never inside quotes)
// so that each line but the last ends in " \\" and fits in width cells.
// The caller indents the continuation lines (doctorview and the wizard
// indent them by two more). A single word longer than the width stays
// whole: a broken word would not run.
//
// A comment line ("# ...", which fixes use to say what the next command
// does) is wrapped as prose with every line starting "# ": a backslash does
// not continue a comment, so the continued text would run as a command.
func Shell(s string, width int) []string {
	if ansi.StringWidth(s) <= width {
		return []string{s}
	}
	if text, ok := strings.CutPrefix(strings.TrimLeft(s, " "), "#"); ok {
		lines := Words(strings.TrimSpace(text), width-2)
		for i, l := range lines {
			lines[i] = "# " + l
		}
		return lines
	}
	words := ShellWords(s)
	var lines []string
	line := ""
	for _, w := range words {
		switch {
		case line == "":
			line = w
		case ansi.StringWidth(line)+1+ansi.StringWidth(w)+2 <= width:
			line += " " + w
		default:
			lines = append(lines, line+" \\")
			line = w
		}
	}
	return append(lines, line)
}

// ShellWords splits a command line at unquoted spaces, keeping quotes.
func ShellWords(s string) []string {
	var words []string
	var cur strings.Builder
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == ' ':
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	return words
}

// Count is "N thing" with the count word agreeing with N: Count(1, "file
// was", "files were") is "1 file was", Count(2, ...) "2 files were". Every
// count nixboard prints goes through it.
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
