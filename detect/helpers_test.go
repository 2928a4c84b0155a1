package detect_test

import (
	"encoding/json"
	"reflect"
	"testing"
)

// eq compares two values deeply and shows both as JSON when they differ.
func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("%s:\n got  %s\n want %s", what, g, w)
	}
}
