package wizardlogic

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/nixboard/nixboard/flakegen"
)

// answerChange is one answer that differs from the last run, shown in the review
// as `homeBase.enableTmux: false → true`.
type answerChange struct {
	Field    string // JSON path, e.g. homeBase.enableTmux
	Old, New string // JSON-ish renderings; "(unset)" when absent
}

// String renders the change the way the review shows it.
func (c answerChange) String() string {
	return fmt.Sprintf("%s: %s → %s", c.Field, c.Old, c.New)
}

const unset = "(unset)"

// changedAnswers compares the answers of the last run with the new ones and
// lists every leaf that differs, by JSON path, sorted. Maps (aliases,
// environment variables) are compared key by key and lists as a whole.
func changedAnswers(old, cur flakegen.Answers) []answerChange {
	a, b := flatten(old), flatten(cur)
	keys := make(map[string]bool, len(a)+len(b))
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []answerChange
	for k := range keys {
		ov, ok1 := a[k]
		nv, ok2 := b[k]
		if ok1 && ok2 && ov == nv {
			continue
		}
		if !ok1 {
			ov = unset
		}
		if !ok2 {
			nv = unset
		}
		out = append(out, answerChange{Field: k, Old: ov, New: nv})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// flatten turns answers into path → rendered value through their JSON form,
// so the paths are exactly the answers file's keys, except that a team
// base's values are named by their options (homeBase.git.signingKey, not
// base.values["git.signingKey"]): a value back at the team's default is
// absent, "(unset)".
func flatten(a flakegen.Answers) map[string]string {
	data := flakegen.MarshalAnswers(a)
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, x)
			}
		case nil:
			// An absent value (null) is the same as unset.
		case []any:
			// An empty list is the same as unset, too.
			if len(t) > 0 {
				out[prefix] = render(t)
			}
		default:
			out[prefix] = render(t)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		if base, ok := obj["base"].(map[string]any); ok {
			values, _ := base["values"].(map[string]any)
			for k, x := range values {
				walk("homeBase."+k, x)
			}
			delete(base, "values")
			delete(base, "packageLists")
		}
		delete(obj, "version")
	}
	walk("", v)
	return out
}

func render(v any) string {
	switch t := v.(type) {
	case string:
		return strconv.Quote(t)
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = render(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}
