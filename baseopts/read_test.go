package baseopts

import (
	"encoding/json"
	"testing"
)

func str(s string) *string { return &s }

// How each type value (as eval.nix describes it) is asked. The names and
// descriptions are nixpkgs lib/types.nix's (master of June 2026 and the
// 26.05 lib of May 2026).
func TestFromTypeFollowsNixpkgsTypeNames(t *testing.T) {
	strT := typeInfo{Name: "str", Description: "string"}
	sub := typeInfo{Name: "submodule", Description: "submodule"}
	cases := []struct {
		name     string
		t        typeInfo
		kind     Kind
		min, max *int64
		pattern  string
		why      string
	}{
		{"bool", typeInfo{Name: "bool"}, Bool, nil, nil, "", ""},
		{"int", typeInfo{Name: "int", Description: "signed integer"}, Int, nil, nil, "", ""},
		{"ints.between", typeInfo{Name: "intBetween", Description: "integer between -5 and 5 (both inclusive)"}, Int, ptr(-5), ptr(5), "", ""},
		{"ints.positive", typeInfo{Name: "positiveInt", Description: "positive integer, meaning >0"}, Int, ptr(1), nil, "", ""},
		{"ints.unsigned", typeInfo{Name: "unsignedInt", Description: "unsigned integer, meaning >=0"}, Int, ptr(0), nil, "", ""},
		{"port", typeInfo{Name: "unsignedInt16", Description: "16 bit unsigned integer; between 0 and 65535 (both inclusive)"}, Int, ptr(0), ptr(65535), "", ""},
		{"ints.u8 without bounds in its text", typeInfo{Name: "unsignedInt8", Description: "8 bit unsigned integer"}, Int, ptr(0), ptr(255), "", ""},
		{"ints.s16", typeInfo{Name: "signedInt16", Description: "16 bit signed integer; between -32768 and 32767 (both inclusive)"}, Int, ptr(-32768), ptr(32767), "", ""},
		{"ints.s8 without bounds in its text", typeInfo{Name: "signedInt8"}, Int, ptr(-128), ptr(127), "", ""},
		{"strMatching", typeInfo{Name: `strMatching "[a-z]+"`, Pattern: str("[a-z]+")}, String, nil, nil, "[a-z]+", ""},
		{"strMatching without payload", typeInfo{Name: `strMatching "[a-z]+"`}, NotAsked, nil, nil, "", "a string pattern nixboard cannot read"},
		{"singleLineStr", typeInfo{Name: "singleLineStr"}, String, nil, nil, "[^\n\r]*\n?", ""},
		{"enum without values", typeInfo{Name: "enum"}, NotAsked, nil, nil, "", "an enum without values"},
		{"listOf int", typeInfo{Name: "listOf", Elem: &typeInfo{Name: "int", Description: "signed integer"}, Description: "list of signed integer"}, NotAsked, nil, nil, "", "its type (list of signed integer) is not one nixboard asks"},
		{"attrsOf submodule", typeInfo{Name: "attrsOf", Elem: &sub}, NotAsked, nil, nil, "", "an attribute set of submodules"},
		{"nullOr submodule", typeInfo{Name: "nullOr", Elem: &sub}, NotAsked, nil, nil, "", "null or a submodule"},
		{"nullOr nullOr", typeInfo{Name: "nullOr", Elem: &typeInfo{Name: "nullOr", Description: "null or string", Elem: &strT}}, NotAsked, nil, nil, "", "null or its type (null or string) is not one nixboard asks"},
		{"either", typeInfo{Name: "either", Description: "string or signed integer"}, NotAsked, nil, nil, "", "its type (string or signed integer) is not one nixboard asks"},
		{"lazyAttrsOf str", typeInfo{Name: "lazyAttrsOf", Elem: &strT, Description: "lazy attribute set of string"}, NotAsked, nil, nil, "", "its type (lazy attribute set of string) is not one nixboard asks"},
	}
	for _, c := range cases {
		var o Option
		fromType(&o, c.t, true)
		if o.Kind != c.kind || !eqPtr(o.Min, c.min) || !eqPtr(o.Max, c.max) || o.Pattern != c.pattern || o.Why != c.why {
			t.Errorf("%s: %s %v..%v %q %q, want %s %v..%v %q %q", c.name, o.Kind, show(o.Min), show(o.Max), o.Pattern, o.Why,
				c.kind, show(c.min), show(c.max), c.pattern, c.why)
		}
	}
}

// An option that has no value (no default, no definition) has no Default;
// one whose value is null has the JSON null.
func TestReadKeepsNullApartFromNoDefault(t *testing.T) {
	out := `{"status":"ok","options":[
	  {"loc":["homeBase","a"],"type":"null or string","visible":true,"typeInfo":{"name":"nullOr","elem":{"name":"str"}},"hasDefault":true,"default":null},
	  {"loc":["homeBase","b"],"type":"string","visible":true,"typeInfo":{"name":"str"},"hasDefault":false,"default":null}]}`
	d, err := read([]byte(out), Request{Base: "path:/x", Module: DefaultModule})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := d.Lookup("a")
	b, _ := d.Lookup("b")
	if string(a.Default) != "null" || b.Default != nil {
		t.Errorf("defaults %q and %q, want null and none", a.Default, b.Default)
	}
	j, _ := json.Marshal(b)
	if string(j) != `{"path":"homeBase.b","kind":"string","type":"string","description":""}` {
		t.Errorf("JSON %s", j)
	}
}
