package nixlog

import (
	"bytes"
	"regexp"
	"strconv"
)

// rePlanned is nix's plan of what it will build (Nix 2.26; Nix 2.8's `nix
// build` prints none): "these 5 derivations will be built:" or "this
// derivation will be built:", then the derivations, one message each.
var rePlanned = regexp.MustCompile(`^(?:these (\d+) derivations|this derivation) will be built:$`)

// PlannedBuilds reads nix's plan message: how many derivations it says it
// will build, and false for any other message.
func PlannedBuilds(text []byte) (int, bool) {
	if bytes.IndexByte(text, 0x1b) >= 0 {
		text = []byte(StripANSI(string(text)))
	}
	if !bytes.HasPrefix(text, []byte("th")) {
		return 0, false
	}
	// An older Nix may put the derivations in the same message, a line
	// each.
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	m := rePlanned.FindSubmatch(text)
	if m == nil {
		return 0, false
	}
	if len(m[1]) == 0 {
		return 1, true
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
