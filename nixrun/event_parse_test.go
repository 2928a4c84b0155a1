package nixrun

import (
	"bytes"
	"strconv"
	"testing"
)

// naiveStringStop is stringStop one byte at a time, as the reference.
func naiveStringStop(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// TestStringStop puts every byte value at every position of strings of
// plain bytes around the eight-byte boundaries, after one or two other
// stops, and compares stringStop with the byte loop.
func TestStringStop(t *testing.T) {
	fillers := []byte{'a', ' ', '!', '#', '[', ']', 0x7f, 0x80, 0xa0, 0xc3, 0xff}
	for n := 0; n <= 19; n++ {
		for _, fill := range fillers {
			base := bytes.Repeat([]byte{fill}, n)
			if got := stringStop(base, 0); got != n {
				t.Fatalf("stringStop(%q) = %d, want %d", base, got, n)
			}
			for pos := 0; pos < n; pos++ {
				for c := 0; c < 256; c++ {
					b := append([]byte(nil), base...)
					b[pos] = byte(c)
					// A second stop later must not hide the first one.
					if pos+3 < n {
						b[pos+3] = '"'
					}
					for from := 0; from <= pos; from++ {
						if got, want := stringStop(b, from), naiveStringStop(b, from); got != want {
							t.Fatalf("stringStop(%q, %d) = %d, want %d", b, from, got, want)
						}
					}
				}
			}
		}
	}
}

// FuzzStringStop compares stringStop with the byte loop on any input.
func FuzzStringStop(f *testing.F) {
	f.Add([]byte(`plain text "quoted" \escaped`), 0)
	f.Add([]byte("\x1b[31mred\x1b[0m and more text"), 3)
	f.Fuzz(func(t *testing.T, b []byte, from int) {
		if from < 0 || from > len(b) {
			return
		}
		if got, want := stringStop(b, from), naiveStringStop(b, from); got != want {
			t.Fatalf("stringStop(%q, %d) = %d, want %d", b, from, got, want)
		}
	})
}

// TestScanUintLimits: ids are exact up to 2^64-1, and one more overflows
// (the fast path then rejects the line, whatever its number of digits).
func TestScanUintLimits(t *testing.T) {
	for _, tt := range []struct {
		in string
		n  uint64
		ok bool
	}{
		{"0", 0, true},
		{"34853659607040", 34853659607040, true},
		{"9999999999999999999", 9999999999999999999, true},
		{"18446744073709551615", 1<<64 - 1, true},
		{"018446744073709551615", 1<<64 - 1, true},
		{"00000000000000000000001", 1, true},
		{"18446744073709551616", 0, false},
		{"99999999999999999999", 0, false},
		{"184467440737095516150", 0, false},
		{"", 0, false},
		{"12.5", 0, false},
		{"1e3", 0, false},
	} {
		n, _, ok := scanUint([]byte(tt.in), 0)
		if ok != tt.ok || (ok && n != tt.n) {
			t.Errorf("scanUint(%q) = %d %v, want %d %v", tt.in, n, ok, tt.n, tt.ok)
		}
		if tt.ok {
			if want, err := strconv.ParseUint(tt.in, 10, 64); err != nil || want != n {
				t.Errorf("scanUint(%q) = %d, strconv says %d %v", tt.in, n, want, err)
			}
		}
	}
}

// TestParseReusesNoStaleFields: a parse resets only the event's head, so
// an event with fewer fields than the one before must not show the old
// ones.
func TestParseReusesNoStaleFields(t *testing.T) {
	var p Parser
	e := p.parse([]byte(`@nix {"action":"result","fields":["a","b",3,4],"id":1,"type":101}`))
	if e.nfields != 4 || string(e.str(1)) != "b" || e.num(3) != 4 {
		t.Fatalf("first parse: %+v", e.export())
	}
	e = p.parse([]byte(`@nix {"action":"result","fields":[7],"id":1,"type":105}`))
	if e.nfields != 1 || e.num(0) != 7 || e.str(1) != nil || e.num(3) != 0 {
		t.Fatalf("second parse keeps stale fields: %+v", e.export())
	}
	if ev := e.export(); len(ev.Fields) != 1 {
		t.Fatalf("export has %d fields", len(ev.Fields))
	}
	e = p.parse([]byte(`@nix {"action":"stop","id":9}`))
	if e.nfields != 0 || e.str(0) != nil || e.num(0) != 0 || e.id != 9 {
		t.Fatalf("stop keeps stale fields: %+v", e.export())
	}
}
