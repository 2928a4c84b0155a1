package assets

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// packages.json itself: one entry per name, each saying where it was found
// and at which commit, and at least one recorded check.
func TestCheckedNamesWellFormed(t *testing.T) {
	c := loadCheckedNames(t)
	if len(c.Checks) == 0 {
		t.Error("packages.json records no check")
	}
	for i, ch := range c.Checks {
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\d$`).MatchString(ch.Date) || len(ch.Branches) == 0 || ch.Method == "" {
			t.Errorf("checks[%d] = %+v: want a date, the branches and how", i, ch)
		}
	}
	seen := map[string]bool{}
	hex40 := regexp.MustCompile(`^[0-9a-f]{40}$`)
	for _, n := range c.Names {
		if seen[n.Name] {
			t.Errorf("%s listed twice", n.Name)
		}
		seen[n.Name] = true
		if !slices.Contains([]string{"package", "function", "set"}, n.Kind) {
			t.Errorf("%s: kind %q, want package, function or set", n.Name, n.Kind)
		}
		if !strings.HasPrefix(n.Where, "pkgs/") || !hex40.MatchString(n.Commit) {
			t.Errorf("%s: where %q, commit %q: want the nixpkgs file and the commit it was seen at", n.Name, n.Where, n.Commit)
		}
		if n.Kind == "package" && strings.HasPrefix(n.Where, "pkgs/by-name/") {
			if want := "pkgs/by-name/" + n.Name[:2] + "/" + n.Name + "/package.nix"; n.Where != want {
				t.Errorf("%s: where %q, want %q", n.Name, n.Where, want)
			}
		}
	}
	for _, r := range c.Removed {
		if seen[r.Name] {
			t.Errorf("%s is listed both as checked and as removed", r.Name)
		}
		if r.Date == "" || r.Where == "" || r.Instead == "" {
			t.Errorf("removed %s: want the date, where nixpkgs says so, and what to use instead", r.Name)
		}
	}
}

// pkgsRef finds pkgs.NAME (and pkgs.SET.NAME) in Nix text.
var pkgsRef = regexp.MustCompile(`\bpkgs\.([A-Za-z_][A-Za-z0-9_'-]*(?:\.[A-Za-z_][A-Za-z0-9_'-]*)*)`)

// unfreeList finds the quoted names in the template's unfree list.
var unfreeList = regexp.MustCompile(`unfree\s*=[^;]*;`)

// scanNames returns the attribute paths a Nix file names as pkgs.X, and the
// package names in an `unfree = ...;` list. It complements the evaluation,
// which cannot see names in comments, in branches of a plain if, or in the
// templates (which hold placeholders and are not evaluated on their own).
func scanNames(text string) []string {
	var out []string
	for _, m := range pkgsRef.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	for _, l := range unfreeList.FindAllString(text, -1) {
		for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(l, -1) {
			out = append(out, q[1])
		}
	}
	return out
}

// covers reports whether listed name n covers the attribute path p: the
// same name, or a prefix of it (stdenv covers stdenv.hostPlatform).
func covers(n, p string) bool {
	return p == n || strings.HasPrefix(p, n+".")
}

// nameProblems compares the names a module set uses with packages.json:
// a removed name or one the list lacks is a problem, and so (when stale is
// set) is a listed name nothing uses any more.
func nameProblems(c checkedNames, used []string, stale bool) []string {
	var problems []string
	removed := map[string]string{}
	for _, r := range c.Removed {
		removed[r.Name] = fmt.Sprintf("removed from nixpkgs on %s (%s); use %s", r.Date, r.Where, r.Instead)
	}
	isUsed := map[string]bool{}
	for _, u := range used {
		if why, ok := removed[u]; ok {
			problems = append(problems, fmt.Sprintf("pkgs.%s: %s", u, why))
			continue
		}
		found := false
		for _, n := range c.Names {
			if covers(n.Name, u) {
				found, isUsed[n.Name] = true, true
			}
		}
		if !found {
			problems = append(problems, fmt.Sprintf("pkgs.%s is not in assets/packages.json: check it exists at nixos-26.05 and master (pkgs/by-name or all-packages.nix, not a throwing alias in aliases.nix), then add it with where and the commit", u))
		}
	}
	if stale {
		for _, n := range c.Names {
			if !isUsed[n.Name] {
				problems = append(problems, fmt.Sprintf("%s is in assets/packages.json but nothing names it any more: remove it", n.Name))
			}
		}
	}
	sort.Strings(problems)
	return slices.Compact(problems)
}

// missingName finds the attribute nix stopped at in an evaluation error (on
// Nix 2.20 and newer after a trace that names other attributes: "while
// evaluating the attribute 'resolved'").
var missingName = regexp.MustCompile(`attribute '([^']+)' missing|undefined variable '([^']+)'`)

// moduleProblems evaluates module against the checked names and turns an
// evaluation that stops at an unlisted name into a problem naming it.
func moduleProblems(t *testing.T, c checkedNames, module string) (used []string, problems []string) {
	t.Helper()
	ev, err := evalModule(t, c, module)
	if err != nil {
		m := missingName.FindStringSubmatch(err.Error())
		if m == nil {
			t.Fatalf("evaluating %s with the checked names: %v", module, err)
		}
		return nil, []string{fmt.Sprintf("%s names %s, which is not in assets/packages.json (nix: %s)", module, m[1]+m[2], m[0])}
	}
	return ev.Used, nameProblems(c, ev.Used, false)
}

// The base layer and the templates name only checked nixpkgs attributes,
// none that nixpkgs removed, and every checked name is still in use. The
// base layer is evaluated by real nix with a pkgs that holds only the
// checked names; the Nix text of every embedded file is scanned as well.
func TestBaseLayerNamesOnlyCheckedPackages(t *testing.T) {
	c := loadCheckedNames(t)
	used, problems := moduleProblems(t, c, "base/base.nix")
	for _, p := range problems {
		t.Error(p)
	}
	if !slices.Contains(used, "curl") || !slices.Contains(used, "bison") || !slices.Contains(used, "nerd-fonts.jetbrains-mono") {
		t.Fatalf("the evaluation saw %v: it misses the base packages, the ESP-IDF environment's or nested ones", used)
	}
	all := slices.Clone(used)
	err := fs.WalkDir(Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		all = append(all, scanNames(string(Read(p)))...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range nameProblems(c, all, true) {
		t.Error(p)
	}
}

// The check rejects what it is there for: a module that names a removed
// package (the base layer before issue #8 used pkgs.wslu) and one that names
// an attribute nobody checked.
func TestCheckRejectsRemovedAndUncheckedNames(t *testing.T) {
	c := loadCheckedNames(t)
	_, problems := moduleProblems(t, c, "testdata/uses-wslu.nix")
	if len(problems) != 1 || !strings.Contains(problems[0], "pkgs.wslu: removed from nixpkgs on 2026-04-08") {
		t.Errorf("a module using pkgs.wslu: problems %q", problems)
	}
	for _, module := range []string{"testdata/uses-unchecked.nix", "testdata/uses-unchecked-with.nix"} {
		_, problems = moduleProblems(t, c, module)
		if len(problems) != 1 || !strings.Contains(problems[0], "names nonexistentPackageForTest, which is not in assets/packages.json") {
			t.Errorf("%s: problems %q", module, problems)
		}
	}
	if p := nameProblems(c, scanNames("home.packages = [ pkgs.wslu pkgs.stdenv.hostPlatform ];"), false); len(p) != 1 || !strings.HasPrefix(p[0], "pkgs.wslu: removed") {
		t.Errorf("scanned text: problems %q", p)
	}
	if p := nameProblems(c, scanNames(`unfree = [ "claude-code" "someUnfreeThing" ];`), false); len(p) != 1 || !strings.HasPrefix(p[0], "pkgs.someUnfreeThing is not in") {
		t.Errorf("unfree list: problems %q", p)
	}
}
