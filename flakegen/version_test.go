package flakegen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// jsonObject decodes an answers file for comparing values, key by key.
func jsonObject(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	return m
}

func TestEveryAnswersVersionHasItsMigration(t *testing.T) {
	if len(answersMigrations) != AnswersVersion-1 {
		t.Fatalf("%d migrations for version %d; every step from 1 needs one", len(answersMigrations), AnswersVersion)
	}
}

// A version 1 file (testdata/answers-v1.json, the format nixboard wrote
// before versions, with values away from the defaults) is read through the
// migration: every value comes through unchanged, and written again it is
// the same object with "version": 2 added, first.
func TestVersion1AnswersAreUpgraded(t *testing.T) {
	v1, err := os.ReadFile(filepath.Join("testdata", "answers-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(v1, []byte(`"version"`)) {
		t.Fatal("the version 1 fixture has a version key")
	}
	a, err := Parse(v1)
	if err != nil {
		t.Fatal(err)
	}
	if a.HomeBase.EnableTmux || a.HomeBase.EnableClaudeCode || a.HomeBase.DefaultEditor != "hx" || a.Shell != "fish" || a.HomeBase.ShellAliases["gs"] != "git status" {
		t.Errorf("values not read as written: %+v", a)
	}
	out := MarshalAnswers(a)
	if !bytes.HasPrefix(out, fmt.Appendf(nil, "{\n  \"version\": %d,\n", AnswersVersion)) {
		t.Errorf("rewritten file does not start with the version:\n%s", out)
	}
	got := jsonObject(t, out)
	if got["version"] != float64(AnswersVersion) {
		t.Errorf("version = %v", got["version"])
	}
	delete(got, "version")
	if want := jsonObject(t, v1); !reflect.DeepEqual(got, want) {
		t.Errorf("values changed by the upgrade:\n%v\nwant\n%v", got, want)
	}
	// Version 2 reads back as the same answers.
	back, err := Parse(out)
	if err != nil || !reflect.DeepEqual(back, a) {
		t.Errorf("version 2 reads back as %+v, %v", back, err)
	}
}

// A directory an older nixboard rendered (nixboard.json and its record at
// version 1) is upgraded by a re-run with the answers read from it: both
// are rewritten at version 2 with the same values, nothing is backed up.
func TestVersion1DirectoryIsRewrittenAtVersion2(t *testing.T) {
	dir := appliedSample(t)
	v1, err := os.ReadFile(filepath.Join("testdata", "answers-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	// What the older nixboard left: its nixboard.json and the record of it.
	writeFile(t, dir, AnswersFile, string(v1))
	writeFile(t, dir, AnswersRecordFile, string(v1))
	a, err := Load(filepath.Join(dir, AnswersFile))
	if err != nil {
		t.Fatal(err)
	}
	p := mustPlan(t, dir, a)
	for _, path := range []string{AnswersFile, AnswersRecordFile} {
		if c := change(t, p, path); c.Action != ActionUpdate {
			t.Errorf("%s: %s (%s), want update", path, c.Action, c.Reason)
		}
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{AnswersFile, AnswersRecordFile} {
		b, _ := os.ReadFile(filepath.Join(dir, path))
		got := jsonObject(t, b)
		if got["version"] != float64(AnswersVersion) {
			t.Errorf("%s: version %v, want %d", path, got["version"], AnswersVersion)
		}
		delete(got, "version")
		if !reflect.DeepEqual(got, jsonObject(t, v1)) {
			t.Errorf("%s: values changed:\n%s", path, b)
		}
	}
	if backups, _ := filepath.Glob(filepath.Join(dir, "*.nixboard-backup*")); len(backups) != 0 {
		t.Errorf("backups: %v", backups)
	}
}

// A version newer than this nixboard knows is refused, never misread: as
// answers given, and as the nixboard.json already in the directory.
func TestNewerAnswersVersionIsRefused(t *testing.T) {
	current := fmt.Sprintf(`"version": %d`, AnswersVersion)
	newer := strings.Replace(string(MarshalAnswers(sample())), current, fmt.Sprintf(`"version": %d`, AnswersVersion+1), 1)
	_, err := Parse([]byte(newer))
	var verr ValidationErrors
	if !errors.As(err, &verr) || verr.Field("version") == nil || !strings.Contains(err.Error(), "upgrade nixboard") {
		t.Fatalf("Parse of a newer version = %v, want a version error saying to upgrade nixboard", err)
	}
	for _, bad := range []string{`"2"`, `0`, `1.5`, `-1`} {
		data := strings.Replace(string(MarshalAnswers(sample())), current, `"version": `+bad, 1)
		if _, err := Parse([]byte(data)); !errors.As(err, &verr) || verr.Field("version") == nil {
			t.Errorf("version %s: %v, want a version error", bad, err)
		}
	}

	dir := appliedSample(t)
	writeFile(t, dir, AnswersFile, newer)
	before := snapshot(t, dir)
	p := mustPlan(t, dir, sample())
	c := change(t, p, AnswersFile)
	if c.Action != ActionRefuse || !strings.Contains(c.Reason, "upgrade nixboard") {
		t.Errorf("nixboard.json of a newer version: %s (%s), want refused", c.Action, c.Reason)
	}
	if err := p.Apply(t.Context()); err == nil {
		t.Error("Apply wrote over a newer nixboard's answers")
	}
	if !reflect.DeepEqual(snapshot(t, dir), before) {
		t.Error("the directory changed")
	}
}
