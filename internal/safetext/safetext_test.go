package safetext

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for _, tt := range []struct{ in, line, text string }{
		{"/home/alice/.config/home-manager", "/home/alice/.config/home-manager", "/home/alice/.config/home-manager"},
		{"/tmp/\x1b]0;pwned\x07x", `/tmp/\x1b]0;pwned\x07x`, `/tmp/\x1b]0;pwned\x07x`},
		{"a\x1b[2Jb", `a\x1b[2Jb`, `a\x1b[2Jb`},
		{"C1 \u009b31m csi", `C1 \u009b31m csi`, `C1 \u009b31m csi`},
		{"two\nlines\tand tab", `two\x0alines\x09and tab`, "two\nlines\tand tab"},
		{"cr\rdel\x7f", `cr\x0ddel\x7f`, `cr\x0ddel\x7f`},
		{"bidi \u202eevil\u202c zero\u200bwidth \ufeffbom", `bidi \u202eevil\u202c zero\u200bwidth \ufeffbom`, `bidi \u202eevil\u202c zero\u200bwidth \ufeffbom`},
		{"sep\u2028line", `sep\u2028line`, `sep\u2028line`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`, `bad \xff\xfe utf8`},
		{"naïve café ✓ 日本", "naïve café ✓ 日本", "naïve café ✓ 日本"},
		{`a\x1b stays`, `a\x1b stays`, `a\x1b stays`},
	} {
		if got := Line(tt.in); got != tt.line {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
		}
		if got := Text(tt.in); got != tt.text {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
		}
	}
}

// FuzzLine: whatever the input, the result is valid UTF-8 with no control
// or formatting character (Text: but newline and tab), and escaping again
// changes nothing.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]0;t\x07", "\u202e", "\xff", "a\nb\tc", "\u009d8;;x\u009c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for name, fn := range map[string]func(string) string{"Line": Line, "Text": Text} {
			out := fn(in)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q: not UTF-8", name, in, out)
			}
			for _, r := range out {
				if name == "Text" && (r == '\n' || r == '\t') {
					continue
				}
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
					t.Fatalf("%s(%q) = %q keeps %U", name, in, out, r)
				}
			}
			if again := fn(out); again != out {
				t.Fatalf("%s is not idempotent on %q: %q then %q", name, in, out, again)
			}
			if name == "Text" && utf8.ValidString(in) && !hasUnsafe(in) && out != in {
				t.Fatalf("Text changed safe text %q into %q", in, out)
			}
		}
	})
}

func hasUnsafe(s string) bool {
	for _, r := range s {
		if r != '\n' && r != '\t' && unsafe(r) {
			return true
		}
	}
	return false
}
