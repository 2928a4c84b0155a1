package baseopts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CacheDir is where evaluated declarations are kept:
// $XDG_CACHE_HOME/nixboard/options, or ~/.cache/nixboard/options, read
// from env.
func CacheDir(env []string) string {
	// The last of a variable's entries counts, as for the processes
	// nixboard starts.
	get := func(name string) string {
		v := ""
		for _, kv := range env {
			if x, ok := strings.CutPrefix(kv, name+"="); ok {
				v = x
			}
		}
		return v
	}
	base := get("XDG_CACHE_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home := get("HOME")
		if home == "" {
			return "-"
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "nixboard", "options")
}

// keyParts is everything an evaluation's result depends on: the
// expression, the flake's locked revision and its inputs' locks (which
// overrides change), what was evaluated and for which machine, the
// fallback release and the person's nix arguments.
type keyParts struct {
	Version  int                        `json:"version"`
	Revision string                     `json:"revision"`
	Locks    map[string]json.RawMessage `json:"locks"`
	Module   string                     `json:"module"`
	Platform string                     `json:"platform"`
	System   string                     `json:"system"`
	Release  string                     `json:"release"`
	NixArgs  []string                   `json:"nixArgs"`
}

func cacheKey(k keyParts) string {
	b, _ := json.Marshal(k)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

type cache struct{ dir string }

func (c cache) path(key string) string { return filepath.Join(c.dir, key+".json") }

func (c cache) load(key string) (Declarations, bool) {
	b, err := os.ReadFile(c.path(key))
	if err != nil {
		return Declarations{}, false
	}
	var d Declarations
	if json.Unmarshal(b, &d) != nil || len(d.Options) == 0 {
		return Declarations{}, false
	}
	return d, true
}

// store writes d atomically: a reader sees the old file, no file, or the
// whole new one.
func (c cache) store(key string, d Declarations) error {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	f, err := os.CreateTemp(c.dir, "."+key+"-*")
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	_, werr := f.Write(append(b, '\n'))
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cache: write %s: %v %v", f.Name(), werr, cerr)
	}
	if err := os.Rename(f.Name(), c.path(key)); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("cache: %w", err)
	}
	return nil
}
