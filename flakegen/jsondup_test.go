package flakegen

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestParseRefusesDuplicateKeys: a key twice in one object, at any depth,
// is refused with its path and place; the same key in two different
// objects is no duplicate.
func TestParseRefusesDuplicateKeys(t *testing.T) {
	for _, tt := range []struct {
		name, json, key, at string
	}{
		{"top level", "{\"hostname\": \"a\",\n \"hostname\": \"b\"}", `"hostname"`, "line 2, column 2"},
		{"nested", `{"homeBase": {"enableTmux": true, "enableGit": true, "enableTmux": false}}`, `"homeBase.enableTmux"`, "line 1, column 54"},
		{"a map entry", `{"homeBase": {"shellAliases": {"ll": "ls -l", "gs": "git status", "ll": "ls -la"}}}`, `"homeBase.shellAliases.ll"`, ""},
		{"inside a list", `{"x": [{"a": 1}, {"a": 2, "a": 3}]}`, `"x[1].a"`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), "duplicate key "+tt.key) || !strings.Contains(err.Error(), tt.at) {
				t.Errorf("Parse(%s) = %v, want the duplicate key %s at %q", tt.json, err, tt.key, tt.at)
			}
		})
	}
	// The same key in two objects, and keys of nested objects that repeat
	// the outer ones, are fine.
	ok := `{"homeBase": {"shellAliases": {"enableTmux": "x"}, "environmentVariables": {"enableTmux": "y"}, "enableTmux": true}, "hostname": "box"}`
	if _, err := Parse([]byte(ok)); err != nil && strings.Contains(err.Error(), "duplicate") {
		t.Errorf("Parse(%s) = %v", ok, err)
	}
}

// TestParseAcceptsBOM: a UTF-8 byte-order mark (Notepad writes one) before
// the object is skipped, not "invalid character 'ï'".
func TestParseAcceptsBOM(t *testing.T) {
	a := DefaultFor("linux", "x86_64-linux")
	a.HomeBase.Username, a.HomeBase.HomeDirectory, a.Hostname = "ada", "/home/ada", "box"
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(append([]byte("\xef\xbb\xbf"), data...))
	if err != nil || got.Hostname != "box" {
		t.Errorf("Parse with a BOM = %v, %v", got.Hostname, err)
	}
}
