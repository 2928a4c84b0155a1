package nixlog

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// headerMarkerPrefix starts the first line of a log nixboard saves: the
// command line, its directory and the environment the run had, so the log
// alone says how the switch was run. A replay reads past it.
const headerMarkerPrefix = `@nixboard {"action":"header"`

// RunHeader is what the header marker records.
type RunHeader struct {
	Argv []string `json:"argv"`
	Dir  string   `json:"dir,omitempty"`
	// Env holds the values of the variables that decide what nix and
	// home-manager do (NIX_*, PATH, HOME, USER, XDG_*, ...), secrets
	// left out.
	Env map[string]string `json:"env"`
	// Names lists the other variables of the environment, by name only:
	// their values may be anyone's secrets.
	Names []string `json:"names"`
}

// recordedVars are the variables whose values a header keeps, besides
// every NIX_* and XDG_* one.
var recordedVars = []string{"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TMPDIR",
	"HOME_MANAGER_BACKUP_EXT", "HOME_MANAGER_CONFIG", "SSL_CERT_FILE", "NIX_SSL_CERT_FILE"}

// secretName matches a variable or setting name whose value is likely a
// secret: only its name is recorded.
var secretName = regexp.MustCompile(`(?i)token|secret|passw|credential|auth|key|netrc|cookie|session`)

// urlCredentials matches user:password@ inside a URL.
var urlCredentials = regexp.MustCompile(`://[^/@\s]+@`)

// HeaderMarker returns the header line (with its newline) of a run of
// argv in dir with the environment env (KEY=VALUE pairs).
func HeaderMarker(argv []string, dir string, env []string) []byte {
	h := RunHeader{Argv: argv, Dir: dir, Env: map[string]string{}, Names: []string{}}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case secretName.MatchString(k):
			h.Names = append(h.Names, k)
		case k == "NIX_CONFIG":
			h.Env[k] = redactNixConfig(v)
		case strings.HasPrefix(k, "NIX_") || strings.HasPrefix(k, "XDG_") || slices.Contains(recordedVars, k):
			h.Env[k] = urlCredentials.ReplaceAllString(v, "://<redacted>@")
		default:
			h.Names = append(h.Names, k)
		}
	}
	slices.Sort(h.Names)
	h.Names = slices.Compact(h.Names)
	b, err := json.Marshal(h)
	if err != nil {
		// Strings, a slice and a map of strings always marshal.
		panic(err)
	}
	// The marker is the header's JSON with "action" first, so a reader
	// knows it from its first bytes.
	return append(append([]byte(headerMarkerPrefix+","), b[1:]...), '\n')
}

// redactNixConfig keeps NIX_CONFIG's settings but not the values of those
// that hold secrets (access-tokens, netrc-file, ...).
func redactNixConfig(v string) string {
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		name, _, ok := strings.Cut(l, "=")
		if ok && secretName.MatchString(name) {
			lines[i] = strings.TrimSpace(name) + " = <redacted>"
			continue
		}
		lines[i] = urlCredentials.ReplaceAllString(l, "://<redacted>@")
	}
	return strings.Join(lines, "\n")
}

// ParseRunHeader reads a header marker line; ok is false for any other
// line.
func ParseRunHeader(line []byte) (RunHeader, bool) {
	if !isHeaderMarker(line) {
		return RunHeader{}, false
	}
	var h struct {
		Action string `json:"action"`
		RunHeader
	}
	if err := json.Unmarshal(line[len(nixboardPrefix):], &h); err != nil || h.Action != "header" {
		return RunHeader{}, false
	}
	return h.RunHeader, true
}

// isHeaderMarker reports whether line is a header marker, cheaply: most
// lines start "@nix " and are rejected on one byte.
func isHeaderMarker(line []byte) bool {
	return len(line) > 4 && line[4] == 'b' && bytes.HasPrefix(line, []byte(headerMarkerPrefix))
}
