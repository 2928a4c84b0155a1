package nixlog

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFeed feeds arbitrary lines to a State and checks it never panics,
// stays within its limits, and that the fast path agrees with
// encoding/json on what it accepts.
func FuzzFeed(f *testing.F) {
	seeds := []string{
		`@nix {"action":"start","fields":["/nix/store/g7phq9rq0apbrmbivjrsxnvak2dzamga-a-1.0.drv","",1,1],"id":5,"level":3,"text":"building","type":105}`,
		`@nix {"action":"result","fields":["line \u001b[31mred\u001b[0m \ud83d\ude00"],"id":5,"type":101}`,
		`@nix {"action":"result","fields":[1,2,1,0],"id":2,"type":105}`,
		`@nix {"action":"result","fields":[101,124],"id":1,"type":106}`,
		`@nix {"action":"stop","id":5}`,
		`@nix {"action":"result","fields":["a\"b"],"id":5,"type":101}`,
		`@nix {"action":"msg","column":11,"file":"/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/bad.nix","level":0,"line":3,"msg":"error","raw_msg":"e"}`,
		`@nix {"action":"msg","level":0,"msg":"builder for '/nix/store/g7phq9rq0apbrmbivjrsxnvak2dzamga-a-1.0.drv' failed"}`,
		`@nix {"action":"start","id":18446744073709551615,"parent":1,"type":999,"fields":[[{}],null,true,1e5]}`,
		`@nix {"action":"result","fields":["x"`,
		// Once decoded differently by the two paths: booleans and null
		// in fields, "text" beside "msg", invalid UTF-8, and keys in
		// another case (encoding/json matches them case-insensitively).
		`@nix {"action":"result","fields":[true,false,null],"id":1,"type":105}`,
		`@nix {"action":"msg","level":0,"text":"t","msg":"m"}`,
		`@nix {"action":"msg","level":0,"msg":"m","text":null}`,
		`@nix {"action":"start","id":1,"msg":"m","text":""}`,
		"@nix {\"action\":\"result\",\"fields\":[\"a\xffb\"],\"id\":1,\"type\":101}",
		"@nix {\"action\":\"msg\",\"level\":0,\"msg\":\"\xc3( \xed\xa0\x80 \\ud800\"}",
		`@nix {"action":"msg","level":0,"MSG":"m","Level":3}`,
		`@nixboard {"action":"exit","status":1}`,
		`@nixboard {"action":"time","ms":12}`,
		"Existing file '/home/u/.bashrc.backup' would be clobbered by backing up '/home/u/.bashrc'",
		"Starting Home Manager activation",
		"Activating linkGeneration",
		"HOME is \"/a\", expected \"/b\"",
		"\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{TailLines: 8, BuildLines: 4, FinishedBuilds: 2, Messages: 2, LineBytes: 64, Activities: 16}
		s := NewState(Options{Limits: lim})
		// Each fuzz input is a whole log: feed it line by line, then
		// again as a single line.
		for _, l := range bytes.Split(data, []byte{'\n'}) {
			s.Feed(l)
		}
		s.Feed(data)
		if err := ReadLog(bytes.NewReader(data), s); err != nil {
			t.Fatal(err)
		}
		h := s.Header()
		_ = s.Running()
		_ = s.Builds()
		_ = s.Activation()
		_ = s.Summary()
		if len(s.LogTail(0)) > lim.TailLines || len(s.Builds()) > lim.FinishedBuilds+lim.Activities {
			t.Fatalf("limits exceeded")
		}
		for _, b := range s.Builds() {
			if n := len(s.BuildLog(b.ID, 0)); n > lim.BuildLines {
				t.Fatalf("build keeps %d lines", n)
			}
		}
		if h.BuildsRunning < 0 || h.DownloadsRunning < 0 {
			t.Fatalf("negative counts: %+v", h)
		}
		for _, d := range []Diagnosis{Diagnose(s, errors.New("exit status 1")), DiagnoseReplay(s)} {
			if !d.OK && d.Reason == "" {
				t.Fatalf("failure without a reason: %+v", d)
			}
		}
		// The fast path and encoding/json agree: what one parses as an
		// event, the other does too, and they decode it to the same
		// whole event.
		if body, ok := bytes.CutPrefix(data, []byte("@nix ")); ok {
			// The literal path reads what it takes as the general
			// scanner does.
			scanBoth(t, body)
			compareDecodings(t, data)
		}
	})
}

// compareDecodings checks that Parser.parse, with its fast scanners, and
// decodeSlow, encoding/json alone, decode the `@nix ` line the same way.
func compareDecodings(t *testing.T, line []byte) {
	t.Helper()
	var fast, slow Parser
	got := fast.Parse(line)
	slowOK := slow.decodeSlow(line[len(nixPrefix):]) && slow.ev.kind != KindExit && slow.ev.kind != KindTime
	switch {
	case slowOK && got.Kind == KindMalformed:
		t.Fatalf("encoding/json accepts what parse rejects: %q", line)
	case slowOK:
		if want := slow.ev.export(); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nfast %+v\nslow %+v", line, got, want)
		}
	}
}

// FuzzSanitize checks that Sanitize leaves no escape sequence but SGR and
// no control character but newline, and that StripANSI leaves none.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"\x1b[31mred\x1b[0m", "\x1b]0;t\x07", "\x1b[?1049h", "\u009b2J", "a\tb\r\n", "\x1bP\x1b\\", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", in, out)
		}
		rest := out
		for {
			i := strings.IndexByte(rest, 0x1b)
			if i < 0 {
				break
			}
			n, sgr := escapeLen(rest[i:], 1)
			if !sgr {
				t.Fatalf("Sanitize(%q) = %q keeps a non-SGR sequence %q", in, out, rest[i:i+n])
			}
			rest = rest[i+n:]
		}
		checkControls(t, "Sanitize", in, strings.Map(func(r rune) rune {
			if r == 0x1b {
				return -1
			}
			return r
		}, out), false)
		checkControls(t, "StripANSI", in, StripANSI(in), true)
		if got := Sanitize(out); got != out {
			t.Fatalf("Sanitize is not idempotent on %q: %q then %q", in, out, got)
		}
	})
}

func checkControls(t *testing.T, name, in, out string, tabs bool) {
	t.Helper()
	for _, r := range out {
		if r == '\n' || (tabs && r == '\t') {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("%s(%q) = %q keeps control %U", name, in, out, r)
		}
	}
}
