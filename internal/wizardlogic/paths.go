package wizardlogic

import (
	"path/filepath"
	"strings"

	"github.com/nixboard/nixboard/internal/shell"
)

// TildePath shows a path under home as ~/..., as a person would type it.
func TildePath(p, home string) string {
	home = filepath.Clean(home)
	if home == "" || home == "." || home == "/" {
		return p
	}
	switch {
	case p == home:
		return "~"
	case strings.HasPrefix(p, home+"/"):
		return "~/" + p[len(home)+1:]
	}
	return p
}

// ShellPath is a path as a shell word: ~/... under home (the tilde left
// unquoted so the shell expands it), the rest quoted when it needs quotes.
func ShellPath(p, home string) string {
	t := TildePath(p, home)
	switch {
	case t == "~":
		return t
	case strings.HasPrefix(t, "~/"):
		return "~/" + shell.Quote(t[2:])
	}
	return shell.Quote(t)
}
