package wizardlogic

import "github.com/nixboard/nixboard/flakegen"

// DetectedChange is an answer about the machine itself (host name, system,
// user name, home directory) whose value in the last run's answers is not
// what detection finds now: a renamed host, a move from an Intel Mac to
// Apple Silicon, another account. The wizard shows both and offers the new
// one.
type DetectedChange struct {
	// Field is the answers file's key (hostname, system,
	// homeBase.username, homeBase.homeDirectory); Title says it in words.
	Field, Title string
	// Old is the last run's value, New the detected one.
	Old, New string
}

// machineFields are the answers detection decides, with their names.
var machineFields = []struct {
	field, title string
	get          func(*flakegen.Answers) *string
}{
	{"hostname", "host name", func(a *flakegen.Answers) *string { return &a.Hostname }},
	{"system", "system", func(a *flakegen.Answers) *string { return &a.System }},
	{"homeBase.username", "user name", func(a *flakegen.Answers) *string { return &a.HomeBase.Username }},
	{"homeBase.homeDirectory", "home directory", func(a *flakegen.Answers) *string { return &a.HomeBase.HomeDirectory }},
}

// DetectedChanges compares the last run's answers with what detection
// found now (its defaults) and lists the machine's answers that differ. No
// previous run, or nothing detected for a field, is no change.
func DetectedChanges(previous *flakegen.Answers, detected flakegen.Answers) []DetectedChange {
	if previous == nil {
		return nil
	}
	var out []DetectedChange
	for _, f := range machineFields {
		old, now := *f.get(previous), *f.get(&detected)
		if now != "" && old != now {
			out = append(out, DetectedChange{Field: f.field, Title: f.title, Old: old, New: now})
		}
	}
	return out
}

// Apply sets c's field in a to the detected value, or to the last run's
// when useOld.
func (c DetectedChange) Apply(a *flakegen.Answers, useOld bool) {
	for _, f := range machineFields {
		if f.field == c.Field {
			v := c.New
			if useOld {
				v = c.Old
			}
			*f.get(a) = v
		}
	}
}

// String is the change as the welcome shows it: `host name: "old-box" →
// "new-box"`.
func (c DetectedChange) String() string {
	return c.Title + ": " + shownValue(c.Old) + " → " + shownValue(c.New)
}

func shownValue(v string) string {
	if v == "" {
		return "(unset)"
	}
	return v
}
