package textwrap

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pluralAfterNumber matches a format or a concatenation that puts a plural
// word after a number without asking how many: "%d files", "%d more
// keys", "run(s)", strconv.Itoa(n)+" files". Count decides the word.
var pluralAfterNumber = regexp.MustCompile(`%d (?:[a-z]+ )?([a-z]+)s\b|[a-z]\(s\):? [a-z]|Itoa\([^)]*\)\s*\+\s*"\s*(?:[a-z]+ )?[a-z]+s\b`)

// ownCounter matches a count function of another package's own.
var ownCounter = regexp.MustCompile(`^func (countWord|plural|pluralize)\(`)

// notNouns are words after a number that are no count words.
var notNouns = regexp.MustCompile(`%d (?:is|was|has|does|of|ms)\b|%d [A-Za-z]*B\b`)

// TestEveryCountGoesThroughCount: no message outside this package puts a
// plural word after a number (which says "1 files"), and no package has a
// count function of its own: Count decides every count word.
func TestEveryCountGoesThroughCount(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "tools" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if ownCounter.MatchString(line) {
				t.Errorf("%s:%d: a count function of its own: use textwrap.Count", path, i+1)
			}
			for _, m := range pluralAfterNumber.FindAllString(line, -1) {
				if !notNouns.MatchString(m) {
					t.Errorf("%s:%d: %q: use textwrap.Count", path, i+1, m)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
