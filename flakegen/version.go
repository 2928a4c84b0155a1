package flakegen

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// AnswersVersion is the version of the answers format (nixboard.json) that
// this nixboard writes: MarshalAnswers puts it in the file's "version" key.
// A file without that key is version 1, the format before versions.
//
// Parse reads every older version by upgrading it, one version at a time,
// through answersMigrations, before it checks the keys; it never rejects or
// misreads an older file. A newer version than this one is refused with a
// message to upgrade nixboard, since its keys may mean something this
// nixboard does not know.
const AnswersVersion = 3

// answersMigrations[i] upgrades a decoded answers object from version i+1
// to version i+2 in place and sets its "version" to i+2. There is one per
// version step: len(answersMigrations) == AnswersVersion-1 (a test checks
// it), so raising AnswersVersion means writing the step to it.
var answersMigrations = []func(obj map[string]any) error{
	migrateAnswersV1,
	migrateAnswersV2,
}

// migrateAnswersV1 upgrades version 1 (no "version" key) to 2. Version 2
// only adds the version itself: every key of version 1 keeps its name, type
// and meaning.
func migrateAnswersV1(obj map[string]any) error {
	obj["version"] = json.Number("2")
	return nil
}

// upgradeAnswers reads obj's version, refuses one newer than
// AnswersVersion, runs the migrations from that version to AnswersVersion
// and removes the "version" key, which Answers does not hold (it is a
// property of the file, not an answer).
func upgradeAnswers(obj map[string]any) error {
	v, err := answersVersionOf(obj)
	if err != nil {
		return err
	}
	for ; v < AnswersVersion; v++ {
		if err := answersMigrations[v-1](obj); err != nil {
			return fmt.Errorf("upgrade the answers from version %d to %d: %w", v, v+1, err)
		}
	}
	delete(obj, "version")
	return nil
}

// answersVersionOf returns the version an answers object declares, 1 when
// it has no "version" key, or the error for a version that is not a whole
// number from 1 to AnswersVersion.
func answersVersionOf(obj map[string]any) (int, error) {
	raw, ok := obj["version"]
	if !ok {
		return 1, nil
	}
	bad := func(problem string) error {
		return ValidationErrors{{Field: "version", Value: jsonText(raw), ValueIsJSON: true, Problem: problem}}
	}
	n, ok := raw.(json.Number)
	if !ok {
		return 0, bad("must be a whole number without quotes, such as " + strconv.Itoa(AnswersVersion) + ", not " + jsonType(raw))
	}
	v, err := strconv.Atoi(n.String())
	switch {
	case err != nil || v < 1:
		return 0, bad(fmt.Sprintf("must be a whole number from 1 to %d", AnswersVersion))
	case v > AnswersVersion:
		return 0, bad(fmt.Sprintf("is newer than this nixboard knows (it reads versions 1 to %d): the file was written by a newer nixboard; upgrade nixboard to use it", AnswersVersion))
	}
	return v, nil
}

// answersFileVersion returns the version an answers file declares (1 for
// none), or false when data is not a JSON object with a usable version.
func answersFileVersion(data []byte) (int, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return 0, false
	}
	raw, ok := top["version"]
	if !ok {
		return 1, true
	}
	v, err := strconv.Atoi(string(raw))
	return v, err == nil
}
