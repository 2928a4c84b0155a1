package nixlog

import (
	"reflect"
	"strconv"
	"testing"
)

func TestParseLineShapes(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Event
	}{
		{"plain text", "Activating checkLinkTargets", Event{Kind: KindText, Text: "Activating checkLinkTargets"}},
		{"empty", "", Event{Kind: KindText}},
		{"start without fields", `@nix {"action":"start","id":34853659607042,"level":0,"text":"","type":104}`,
			Event{Kind: KindStart, ID: 34853659607042, Type: 104}},
		{"start build", `@nix {"action":"start","fields":["/nix/store/g7phq9rq0apbrmbivjrsxnvak2dzamga-a-1.0.drv","",1,1],"id":5,"level":3,"text":"building '/nix/store/g7phq9rq0apbrmbivjrsxnvak2dzamga-a-1.0.drv'","type":105}`,
			Event{Kind: KindStart, ID: 5, Type: 105, Level: 3, Text: "building '/nix/store/g7phq9rq0apbrmbivjrsxnvak2dzamga-a-1.0.drv'",
				Fields: []Field{{Str: "/nix/store/g7phq9rq0apbrmbivjrsxnvak2dzamga-a-1.0.drv", IsStr: true}, {IsStr: true}, {Int: 1}, {Int: 1}}}},
		{"start with parent (newer nix)", `@nix {"action":"start","id":7,"level":4,"parent":6,"text":"downloading 'http://x/y'","type":101,"fields":["http://x/y"]}`,
			Event{Kind: KindStart, ID: 7, Parent: 6, Type: 101, Level: 4, Text: "downloading 'http://x/y'", Fields: []Field{{Str: "http://x/y", IsStr: true}}}},
		{"stop", `@nix {"action":"stop","id":34853659607045}`, Event{Kind: KindStop, ID: 34853659607045}},
		{"build log line", `@nix {"action":"result","fields":["line 1"],"id":9,"type":101}`,
			Event{Kind: KindResult, ID: 9, Type: 101, Fields: []Field{{Str: "line 1", IsStr: true}}}},
		{"progress", `@nix {"action":"result","fields":[1,2,1,0],"id":9,"type":105}`,
			Event{Kind: KindResult, ID: 9, Type: 105, Fields: []Field{{Int: 1}, {Int: 2}, {Int: 1}, {}}}},
		{"escapes", `@nix {"action":"result","fields":["a\"b\\c\/d\te\u001b[31mred\u001b[0m \u00e9\ud83d\ude00"],"id":9,"type":101}`,
			Event{Kind: KindResult, ID: 9, Type: 101, Fields: []Field{{Str: "a\"b\\c/d\te\x1b[31mred\x1b[0m é😀", IsStr: true}}}},
		{"error msg with position", `@nix {"action":"msg","column":11,"file":"/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/bad.nix","level":0,"line":3,"msg":"\u001b[31;1merror:\u001b[0m cannot add","raw_msg":"cannot add"}`,
			Event{Kind: KindMsg, Level: 0, Text: "\x1b[31;1merror:\x1b[0m cannot add", RawMsg: "cannot add",
				File: "/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/bad.nix", Line: 3, Column: 11}},
		{"msg with nulls", `@nix {"action":"msg","column":null,"file":null,"level":0,"line":null,"msg":"x","raw_msg":"x"}`,
			Event{Kind: KindMsg, Text: "x", RawMsg: "x"}},
		{"id above 2^53", `@nix {"action":"stop","id":18446744073709551615}`, Event{Kind: KindStop, ID: 18446744073709551615}},
		{"ids 2^53 and 2^53+1 differ", `@nix {"action":"stop","id":9007199254740993}`, Event{Kind: KindStop, ID: 9007199254740993}},
		{"unknown field skipped", `@nix {"action":"stop","extra":{"a":[1,2,{"b":null}],"c":"d"},"id":3,"more":true}`, Event{Kind: KindStop, ID: 3}},
		{"whitespace", `@nix { "action" : "stop" , "id" : 3 } `, Event{Kind: KindStop, ID: 3}},
		{"float id falls back to encoding/json", `@nix {"action":"stop","id":3.0}`, Event{Kind: KindStop, ID: 3}},
		{"nested field kept as JSON", `@nix {"action":"result","fields":[[1,2]],"id":3,"type":999}`,
			Event{Kind: KindResult, ID: 3, Type: 999, Fields: []Field{{Str: "[1,2]", IsStr: true}}}},
		{"exit marker", string(ExitMarker(1)[:len(ExitMarker(1))-1]), Event{Kind: KindExit, Status: 1}},
		{"time marker", `@nixboard {"action":"time","ms":1500}`, Event{Kind: KindTime, Millis: 1500}},
		{"exit claimed by nix", `@nix {"action":"exit","status":0}`, Event{Kind: KindMalformed, Text: `@nix {"action":"exit","status":0}`}},
		{"broken json", `@nix {"action":"result","fields":["unterminated`, Event{Kind: KindMalformed, Text: `@nix {"action":"result","fields":["unterminated`}},
		{"unknown action", `@nix {"action":"dance","id":1}`, Event{Kind: KindMalformed, Text: `@nix {"action":"dance","id":1}`}},
		{"trailing garbage", `@nix {"action":"stop","id":1} x`, Event{Kind: KindMalformed, Text: `@nix {"action":"stop","id":1} x`}},
		{"negative id", `@nix {"action":"stop","id":-1}`, Event{Kind: KindMalformed, Text: `@nix {"action":"stop","id":-1}`}},
		{"not an object", `@nix [1,2]`, Event{Kind: KindMalformed, Text: `@nix [1,2]`}},
		{"no action", `@nix {"id":1}`, Event{Kind: KindMalformed, Text: `@nix {"id":1}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseLine([]byte(tt.line))
			if !eventEqual(got, tt.want) {
				t.Errorf("ParseLine(%q)\n got %+v\nwant %+v", tt.line, got, tt.want)
			}
		})
	}
}

func eventEqual(a, b Event) bool {
	if len(a.Fields) != len(b.Fields) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i] != b.Fields[i] {
			return false
		}
	}
	a.Fields, b.Fields = nil, nil
	return reflect.DeepEqual(a, b)
}

// TestParseEveryType parses a start of every activity type and a result
// of every result type Nix defines, plus unknown ones.
func TestParseEveryType(t *testing.T) {
	for typ, name := range activityNames {
		ev := ParseLine([]byte(`@nix {"action":"start","id":1,"level":3,"text":"t","type":` + strconv.Itoa(int(typ)) + `}`))
		if ev.Kind != KindStart || ActivityType(ev.Type) != typ || ActivityType(ev.Type).String() != name {
			t.Errorf("activity %d: %+v", typ, ev)
		}
	}
	for typ, name := range resultNames {
		ev := ParseLine([]byte(`@nix {"action":"result","fields":["x",1],"id":1,"type":` + strconv.Itoa(int(typ)) + `}`))
		if ev.Kind != KindResult || ResultType(ev.Type) != typ || ResultType(ev.Type).String() != name || ev.Str(0) != "x" || ev.Int(1) != 1 {
			t.Errorf("result %d: %+v", typ, ev)
		}
	}
	if got := ActivityType(113).String(); got != "activity(113)" {
		t.Errorf("unknown activity type named %q", got)
	}
	if got := ResultType(200).String(); got != "result(200)" {
		t.Errorf("unknown result type named %q", got)
	}
}

// TestParserReuse checks that the zero-copy path does not let one line's
// strings leak into the next event.
func TestParserReuse(t *testing.T) {
	var p Parser
	a := p.Parse([]byte(`@nix {"action":"result","fields":["first \u001b[1m"],"id":1,"type":101}`))
	b := p.Parse([]byte(`@nix {"action":"result","fields":["second"],"id":2,"type":101}`))
	if a.Str(0) != "first \x1b[1m" || b.Str(0) != "second" {
		t.Errorf("got %q and %q", a.Str(0), b.Str(0))
	}
}

func TestParseAllocs(t *testing.T) {
	var p Parser
	lines := [][]byte{
		[]byte(`@nix {"action":"result","fields":["  CC   src/x.o \"quoted\" \u001b[32mOK\u001b[0m"],"id":34853659607045,"type":101}`),
		[]byte(`@nix {"action":"result","fields":[1,2,1,0],"id":34853659607042,"type":105}`),
		[]byte(`@nix {"action":"stop","id":34853659607045}`),
		[]byte(`Activating checkLinkTargets`),
	}
	p.parse(lines[0])
	allocs := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			p.parse(l)
		}
	})
	if allocs != 0 {
		t.Errorf("fast path allocates %.1f times per 4 lines, want 0", allocs)
	}
}
