package wizardlogic

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/nixboard/nixboard/flakegen"
)

// ModuleChoice is one homeBase flag as the modules question shows it.
type ModuleChoice struct {
	Flag flakegen.Flag
	// Offered is false when the flag cannot apply on this platform; Reason
	// then says why, and the flag is not asked about.
	Offered bool
	Reason  string
	// On is the flag's current value (the defaults or the last run).
	On bool
}

// ModuleChoices lists every homeBase flag for the modules question, in
// flakegen's order: the ones that apply here pre-selected from the answers,
// the others with the reason they are not offered.
func ModuleChoices(a flakegen.Answers) []ModuleChoice {
	flags := flakegen.Flags()
	out := make([]ModuleChoice, 0, len(flags))
	for _, f := range flags {
		ok, why := f.Applies(a.Platform, a.System)
		out = append(out, ModuleChoice{Flag: f, Offered: ok, Reason: why, On: ok && f.Get(a.HomeBase)})
	}
	return out
}

// ExcludedNotes groups the reasons of flags that are not offered, so flags
// that share a reason take one line: "Windows Terminal check, Verbose
// terminal check: Windows Terminal checks only work on WSL …".
func ExcludedNotes(choices []ModuleChoice) []string {
	var reasons []string
	names := map[string][]string{}
	for _, c := range choices {
		if c.Offered {
			continue
		}
		if _, seen := names[c.Reason]; !seen {
			reasons = append(reasons, c.Reason)
		}
		names[c.Reason] = append(names[c.Reason], c.Flag.Title)
	}
	out := make([]string, 0, len(reasons))
	for _, r := range reasons {
		out = append(out, strings.Join(names[r], ", ")+": "+r+".")
	}
	return out
}

// SetModules switches the offered flags on exactly when their key is in on;
// flags that are not offered are switched off.
func SetModules(a *flakegen.Answers, on []string) {
	want := map[string]bool{}
	for _, k := range on {
		want[k] = true
	}
	for _, c := range ModuleChoices(*a) {
		c.Flag.Set(&a.HomeBase, c.Offered && want[c.Flag.Key])
	}
}

// ReleaseChoice is one release as the release question offers it.
type ReleaseChoice struct {
	Release flakegen.Release
	Offered bool
	Reason  string
}

// ReleaseChoices lists the releases for a system; a release that does not
// build packages for it (unstable on Intel Macs) is not offered.
func ReleaseChoices(system string) []ReleaseChoice {
	out := make([]ReleaseChoice, 0, len(flakegen.Releases))
	for _, r := range flakegen.Releases {
		c := ReleaseChoice{Release: r, Offered: system == "" || r.Supports(system)}
		if !c.Offered {
			c.Reason = fmt.Sprintf("%s does not provide packages for %s", r.Name, system)
		}
		out = append(out, c)
	}
	return out
}

// Editors lists the editors the wizard offers, the current one first when
// it is not among them. VS Code is "code --wait": EDITOR must not return
// before the file is closed, or `git commit` finds an empty message.
func Editors(current string) []string {
	list := []string{"nvim", "vim", "nano", "emacs", "hx", "code --wait"}
	if current == "" || slices.Contains(list, current) {
		return list
	}
	return append([]string{current}, list...)
}

// ParseAssignments reads NAME=VALUE lines (aliases, environment variables).
// Blank lines and lines starting with # are skipped; a line without "=" is
// an error naming the line.
func ParseAssignments(text string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: %q has no \"=\": write NAME=VALUE", i+1, line)
		}
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("line %d: the name before \"=\" is empty", i+1)
		}
		out[name] = strings.TrimSpace(value)
	}
	return out, nil
}

// FormatAssignments is the inverse of ParseAssignments, sorted by name.
func FormatAssignments(m map[string]string) string {
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		lines = append(lines, k+"="+m[k])
	}
	return strings.Join(lines, "\n")
}

// ParsePackages splits a list of package attribute names on spaces, commas
// and new lines.
func ParsePackages(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == ',' || r == '\n' || r == '\t' })
}

// DirInside checks that dir lies inside root (the demo's temporary
// directory), also once symbolic links in the part of dir that exists are
// followed. An empty root allows every directory.
func DirInside(dir, root string) error {
	if root == "" {
		return nil
	}
	refuse := fmt.Errorf("the demo writes only inside its temporary directory %s: give a directory in it, such as %s", root, filepath.Join(root, "home-manager"))
	if !pathInside(filepath.Clean(dir), filepath.Clean(root)) {
		return refuse
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return fmt.Errorf("the demo's directory %s: %w", root, err)
	}
	// The nearest existing ancestor of dir, links followed, must still be
	// inside: a link in the demo's directory could lead anywhere.
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if !pathInside(real, realRoot) {
				return refuse
			}
			return nil
		}
		if p == filepath.Dir(p) {
			return refuse
		}
	}
}

// pathInside reports whether the clean path p is root or below it.
func pathInside(p, root string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// ConfigDir is the configuration directory the person typed, as the
// directory question accepts it: ExpandDir, then refused when a file stands
// where the directory (or one of its parents) would be, since the flake is
// written into it, and, with a root (the demo), refused outside root.
func ConfigDir(typed, home, root string) (string, error) {
	dir, err := ExpandDir(typed, home)
	if err != nil {
		return "", err
	}
	if err := notAFile(dir); err != nil {
		return "", err
	}
	if err := DirInside(dir, root); err != nil {
		return "", err
	}
	return dir, nil
}

// notAFile refuses a directory that is a file, or lies below one. A
// directory that does not exist yet is fine (it is created), and other
// errors (no permission) are left to the write plan, which names them.
func notAFile(dir string) error {
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			if fi.IsDir() {
				return nil
			}
			if p == dir {
				return fmt.Errorf("%s is a file, not a directory: give a directory for the configuration (it is created if it does not exist)", dir)
			}
			return fmt.Errorf("%s is a file, so %s cannot be made below it: give another directory, or move the file away", p, dir)
		}
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return nil
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// ExpandDir turns "~/x" into an absolute path under home and checks that
// the configuration directory is absolute.
func ExpandDir(dir, home string) (string, error) {
	dir = strings.TrimSpace(dir)
	switch {
	case dir == "":
		return "", errors.New("the configuration directory is empty: give an absolute path such as ~/.config/home-manager")
	case dir == "~":
		dir = home
	case strings.HasPrefix(dir, "~/"):
		dir = filepath.Join(home, dir[2:])
	}
	if !filepath.IsAbs(dir) {
		return "", fmt.Errorf("%q is not an absolute path: start it with / or ~/", dir)
	}
	return filepath.Clean(dir), nil
}
