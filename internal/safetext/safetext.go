// Package safetext makes text that came from outside nixboard (a path or a
// flag value, a key or a value read from a file, an environment variable)
// safe to print in a message on a terminal.
//
// It is the one place for that: cmd/nixboard's messages and flakegen's
// errors go through it. It escapes rather than drops, so the person sees
// what their text really holds: an OSC in a --dir shows as \x1b]0;…\x07
// and cannot retitle the terminal, a right-to-left override as \u202e and
// cannot reorder the line. (nixlog.Sanitize and StripANSI are for the
// lines nix prints, where colour is kept or removed.)
//
// Only characters that are not printable text change, into backslash
// escapes made of printable ASCII, so escaping twice is escaping once and
// a backslash in the text stays as it is.
package safetext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line escapes every control character (newlines and tabs too), every
// invisible formatting character (bidirectional controls, zero-width
// characters, the byte order mark), line and paragraph separators, and
// every byte that is not UTF-8. Use it for one value inside a message.
func Line(s string) string { return escape(s, false) }

// Text is Line for a whole message of several lines: it keeps newlines and
// tabs as they are.
func Text(s string) string { return escape(s, true) }

// unsafe reports whether r must be escaped.
func unsafe(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

func escape(s string, keepLines bool) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r < 0x80 && unsafe(r):
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(r)|0x100, 16)[1:])
		case unsafe(r):
			b.WriteString(strings.TrimPrefix(strings.TrimSuffix(strconv.QuoteRuneToASCII(r), "'"), "'"))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
