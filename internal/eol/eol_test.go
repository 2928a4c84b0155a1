package eol

import "testing"

func TestTrim(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"\n", ""},
		{"\r\n", ""},
		{"a", "a"},
		{"a\n", "a"},
		{"a\r\n", "a"},
		{"a\r", "a\r"},
		{"a\n\n", "a\n"},
		{"a\r\r\n", "a\r"},
		{"\ra\n", "\ra"},
	} {
		if got := string(Trim([]byte(c.in))); got != c.want {
			t.Errorf("Trim(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
