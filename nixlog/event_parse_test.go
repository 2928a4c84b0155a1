package nixlog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// naiveStringStop is stringStop one byte at a time, as the reference.
func naiveStringStop(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return len(b)
}

// TestStringStop puts every byte value at every position of strings of
// plain bytes around the eight-byte boundaries, after one or two other
// stops, and compares stringStop with the byte loop.
func TestStringStop(t *testing.T) {
	// Bytes from 0x80 stop a run too (the caller checks their UTF-8), so
	// the fillers are ASCII.
	fillers := []byte{'a', ' ', '!', '#', '[', ']', '~', 0x7f}
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

// parseCorpus is every line of the recorded logs and the demo recordings,
// and the first lines of the synthetic benchmark log.
func parseCorpus(t testing.TB) [][]byte {
	t.Helper()
	var lines [][]byte
	paths, _ := filepath.Glob("testdata/logs/*.log")
	more, _ := filepath.Glob("recording/*.log")
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, bytes.Split(data, []byte{'\n'})...)
	}
	if len(lines) < 100 {
		t.Fatalf("only %d recorded lines", len(lines))
	}
	var buf bytes.Buffer
	syntheticLog(&buf, 20000)
	return append(lines, bytes.Split(buf.Bytes(), []byte{'\n'})...)
}

// TestParseAgreesWithEncodingJSON: on every recorded line, the fast
// scanner decodes what encoding/json decodes, field by field.
func TestParseAgreesWithEncodingJSON(t *testing.T) {
	var fast, slow Parser
	checked := 0
	for _, line := range parseCorpus(t) {
		body, ok := bytes.CutPrefix(line, []byte("@nix "))
		if !ok {
			continue
		}
		got := fast.parse(line)
		if fast.fallbacks != 0 {
			t.Fatalf("the fast scanner fell back on %q", line)
		}
		slow.ev = rawEvent{}
		if !slow.decodeSlow(body) {
			t.Fatalf("encoding/json rejects %q", line)
		}
		if g, w := got.export(), slow.ev.export(); !reflect.DeepEqual(g, w) {
			t.Fatalf("%q:\nfast %+v\nslow %+v", line, g, w)
		}
		checked++
	}
	if checked < 1000 {
		t.Errorf("checked only %d events", checked)
	}
}

// scanBoth parses body with scanNix and with scan alone, and fails when
// scanNix accepts what scan reads differently.
func scanBoth(t testing.TB, body []byte) (nixOK bool) {
	t.Helper()
	var nix, gen Parser
	nix.buf = make([]byte, 0, len(body))
	gen.buf = make([]byte, 0, len(body))
	if !nix.scanNix(body) {
		return false
	}
	if !gen.scan(body) {
		t.Fatalf("scanNix accepts what scan rejects: %q", body)
	}
	if g, w := nix.ev.export(), gen.ev.export(); !reflect.DeepEqual(g, w) {
		t.Fatalf("%q:\nscanNix %+v\nscan    %+v", body, g, w)
	}
	return true
}

// TestScanNixAgreesWithScan: the literal path reads the recorded lines
// as the general scanner does, takes most of them, and leaves the shapes
// it does not know (spaces, other keys, another order, null type, a
// truncated line) to the general scanner.
func TestScanNixAgreesWithScan(t *testing.T) {
	taken, events := 0, 0
	for _, line := range parseCorpus(t) {
		if body, ok := bytes.CutPrefix(line, []byte("@nix ")); ok {
			events++
			if scanBoth(t, body) {
				taken++
			}
		}
	}
	if taken < events*3/4 {
		t.Errorf("scanNix took %d of %d events", taken, events)
	}
	for _, body := range []string{
		`{"action":"result","fields":["a"],"id":1,"type":101}`,
		`{"action":"result","fields":[1,2,3,4,5,6,7,8,9,10],"id":1,"type":105}`,
		`{"action":"result","fields":null,"id":1,"type":101}`,
		`{"action":"result","fields":["a\u001b[0m\"x\""],"id":18446744073709551615,"type":-1}`,
		`{"action":"stop","id":34853659607041}`,
	} {
		if !scanBoth(t, []byte(body)) {
			t.Errorf("scanNix rejects %s", body)
		}
	}
	for _, body := range []string{
		`{"action":"result","fields":`,
		`{"action":"result","fields":["a"],"id":1,"type":101} `,
		`{"action":"result","fields":["a"],"id":1,"type":null}`,
		`{"action":"result","fields":["a"],"id":1.5,"type":101}`,
		`{"action":"result","fields":["a"],"type":101,"id":1}`,
		`{"action":"result","fields":["a"],"id":1,"type":101,"x":1}`,
		`{"action":"result","fields":["a"],"id":18446744073709551616,"type":101}`,
		`{"action":"result", "fields":["a"],"id":1,"type":101}`,
		`{"action":"stop","id":}`,
		`{"action":"stop","id":3,"x":1}`,
		`{"action":"stop","id":3}}`,
		`{"action":"stop","id":-3}`,
	} {
		if scanBoth(t, []byte(body)) {
			t.Errorf("scanNix takes %s", body)
		}
	}
}

// BenchmarkParse measures the parser alone on the synthetic log's lines.
func BenchmarkParse(b *testing.B) {
	// About as many lines as a replay's buffer holds, so that the lines
	// are in the cache as they are when a replay parses them.
	var buf bytes.Buffer
	syntheticLog(&buf, 3000)
	lines := bytes.Split(buf.Bytes(), []byte{'\n'})
	var p Parser
	b.SetBytes(int64(buf.Len() / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.parse(lines[i%len(lines)])
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/line")
	if p.fallbacks != 0 {
		b.Fatalf("%d lines fell back to encoding/json", p.fallbacks)
	}
}

// TestEightDigits checks the count of leading digits with every byte
// value at every position (next to digits and to bytes that carry), and
// the values against strconv on random numbers.
func TestEightDigits(t *testing.T) {
	leading := func(b []byte) int {
		for k, c := range b {
			if c < '0' || c > '9' {
				return k
			}
		}
		return len(b)
	}
	b := []byte("12345678")
	for pos := range 8 {
		for c := range 256 {
			for _, other := range []byte{'9', 0xff, 0xfa, '/', ':', 0} {
				w := append([]byte(nil), b...)
				w[pos] = byte(c)
				w[(pos+1)%8] = other
				if got := leadingDigits(binary.LittleEndian.Uint64(w)); got != leading(w) {
					t.Fatalf("leadingDigits(%q) = %d", w, got)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		s := fmt.Sprintf("%08d", rng.IntN(100_000_000))
		want, _ := strconv.ParseUint(s, 10, 64)
		if got := eightDigitsValue(binary.LittleEndian.Uint64([]byte(s))); got != want {
			t.Fatalf("eightDigitsValue(%q) = %d", s, got)
		}
	}
	for range 100000 {
		n := rng.Uint64() >> rng.IntN(64)
		s := strconv.FormatUint(n, 10)
		// Followed by nothing, by one byte and by a whole word.
		for _, tail := range []string{"", ",", `,"type":101}`} {
			if got, end, ok := scanUint([]byte(s+tail), 0); !ok || got != n || end != len(s) {
				t.Fatalf("scanUint(%q) = %d %d %v", s+tail, got, end, ok)
			}
		}
	}
}

// TestScanIDRepeats: an id read right after the same id is the same, and
// one that starts with its digits is not.
func TestScanIDRepeats(t *testing.T) {
	var p Parser
	for _, tt := range []struct {
		in string
		id uint64
		ok bool
	}{
		{"34853659607043,", 34853659607043, true},
		{"34853659607043}", 34853659607043, true},
		{"348536596070431,", 348536596070431, true},
		{"34853659607043,", 34853659607043, true},
		{"3485365960704,", 3485365960704, true},
		{"34853659607043.5,", 0, false},
		{"34853659607043,", 34853659607043, true},
		{"34853659607043e3,", 0, false},
		{"34853659607043E3,", 0, false},
		{"34853659607043", 34853659607043, true},
		{"34853659607044,", 34853659607044, true},
		{"18446744073709551615,", 1<<64 - 1, true},
		{"18446744073709551615,", 1<<64 - 1, true},
		{"184467440737095516150,", 0, false},
	} {
		id, end, ok := p.scanID([]byte(tt.in), 0)
		if ok != tt.ok || (ok && (id != tt.id || end != len(strings.TrimRight(tt.in, ",}")))) {
			t.Errorf("scanID(%q) after the previous = %d %d %v, want %d %v", tt.in, id, end, ok, tt.id, tt.ok)
		}
	}
}

// TestScanNixShortcuts: the shortcuts for one string field and a
// three-digit type give what the general paths give, and step aside for
// the shapes they do not take.
func TestScanNixShortcuts(t *testing.T) {
	for _, body := range []string{
		`{"action":"result","fields":["one"],"id":7,"type":101}`,
		`{"action":"result","fields":["one","two"],"id":7,"type":101}`,
		`{"action":"result","fields":["one",2],"id":7,"type":101}`,
		`{"action":"result","fields":["esc\"aped\\"],"id":7,"type":101}`,
		`{"action":"result","fields":[""],"id":7,"type":101}`,
		`{"action":"result","fields":[],"id":7,"type":101}`,
		`{"action":"result","fields":["x"],"id":7,"type":7}`,
		`{"action":"result","fields":["x"],"id":7,"type":1000}`,
		`{"action":"result","fields":["x"],"id":7,"type":007}`,
		`{"action":"result","fields":["x"],"id":7,"type":-12}`,
	} {
		if !scanBoth(t, []byte(body)) {
			t.Errorf("scanNix rejects %s", body)
		}
	}
	for _, body := range []string{
		`{"action":"result","fields":["x"],"id":7,"type":1a1}`,
		`{"action":"result","fields":["x"],"id":7,"type":101`,
		`{"action":"result","fields":["x"`,
		`{"action":"result","fields":["x"}`,
		`{"action":"result","fields":["x\u00"],"id":7,"type":101}`,
	} {
		if scanBoth(t, []byte(body)) {
			t.Errorf("scanNix takes %s", body)
		}
	}
}

// TestParseAgreedShapes pins what both decodings make of the shapes they
// once read differently; FuzzFeed checks that the two agree on any line.
func TestParseAgreedShapes(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Event
	}{
		{`@nix {"action":"result","fields":[true,false,null,"s",7],"id":1,"type":105}`,
			Event{Kind: KindResult, ID: 1, Type: 105, Fields: []Field{{Int: 1}, {}, {}, {Str: "s", IsStr: true}, {Int: 7}}}},
		{`@nix {"action":"msg","text":"t","msg":"m"}`, Event{Kind: KindMsg, Text: "t"}},
		{`@nix {"action":"msg","msg":"m","text":"t"}`, Event{Kind: KindMsg, Text: "t"}},
		{`@nix {"action":"msg","msg":"m","text":null}`, Event{Kind: KindMsg, Text: "m"}},
		{`@nix {"action":"msg","MSG":"m","Level":3}`, Event{Kind: KindMsg}},
		{"@nix {\"action\":\"msg\",\"msg\":\"a\xffb \xc3\xa9\"}", Event{Kind: KindMsg, Text: "a\uFFFDb \u00e9"}},
		{"@nix {\"action\":\"msg\",\"msg\":\"\\n\xed\xa0\x80\"}", Event{Kind: KindMsg, Text: "\n\uFFFD\uFFFD\uFFFD"}},
	} {
		var p Parser
		body := []byte(tc.line[len(nixPrefix):])
		if !p.decodeSlow(body) {
			t.Errorf("decodeSlow rejects %q", tc.line)
		} else if got := p.ev.export(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("decodeSlow(%q) = %+v, want %+v", tc.line, got, tc.want)
		}
		if got := ParseLine([]byte(tc.line)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseLine(%q) = %+v, want %+v", tc.line, got, tc.want)
		}
	}
}
