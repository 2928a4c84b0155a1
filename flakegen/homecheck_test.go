package flakegen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// A directory as `home-manager init` leaves it: its flake.nix is backed up,
// its home.nix kept and imported, and nixboard.json takes home.nix's
// stateVersion so the two definitions agree.
func TestHomeManagerInitHomeNixAdaptsStateVersion(t *testing.T) {
	nixtest.RequireGit(t)
	dir := t.TempDir()
	writeFile(t, dir, FlakeFile, "{ outputs = { self }: { }; }\n")
	writeFile(t, dir, HomeFile, homeManagerInit)
	a := sample()
	if a.HomeBase.StateVersion != "26.05" {
		t.Fatalf("sample stateVersion %s", a.HomeBase.StateVersion)
	}
	p := mustPlan(t, dir, a)
	if p.Answers.HomeBase.StateVersion != "24.05" || len(p.Refused()) > 0 {
		t.Fatalf("plan answers stateVersion %q, refused %v", p.Answers.HomeBase.StateVersion, p.Refused())
	}
	home := change(t, p, HomeFile)
	if home.Action != ActionKeep || !strings.Contains(home.Reason, `it sets home.stateVersion = "24.05" (line 10)`) ||
		!strings.Contains(home.Reason, "24.05 instead of 26.05") {
		t.Errorf("home.nix: %+v", home)
	}
	ans := change(t, p, AnswersFile)
	if ans.Action != ActionCreate || ans.Reason != `homeBase.stateVersion is "24.05" to match home.stateVersion in home.nix (line 10); the answers said "26.05"` {
		t.Errorf("nixboard.json: %+v", ans)
	}
	if !strings.Contains(ans.Diff, `+    "stateVersion": "24.05",`) {
		t.Errorf("nixboard.json diff lacks the stateVersion:\n%s", ans.Diff)
	}
	if c := change(t, p, FlakeFile); c.Action != ActionBackup {
		t.Errorf("flake.nix: %+v", c)
	}
	if err := p.Apply(t.Context()); err != nil {
		t.Fatal(err)
	}
	saved, err := Load(filepath.Join(dir, AnswersFile))
	if err != nil || saved.HomeBase.StateVersion != "24.05" {
		t.Errorf("saved stateVersion %q, %v", saved.HomeBase.StateVersion, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, HomeFile)); string(b) != homeManagerInit {
		t.Error("home.nix changed")
	}

	// The same answers again: nothing to do, and still said why.
	again := mustPlan(t, dir, a)
	if again.Changed() {
		t.Errorf("second plan changes: %v", actions(again))
	}
	if r := change(t, again, AnswersFile).Reason; !strings.Contains(r, "to match home.stateVersion in home.nix") {
		t.Errorf("second plan: nixboard.json reason %q", r)
	}
}

func TestForeignHomeNixClashes(t *testing.T) {
	nixtest.RequireGit(t)
	for _, c := range []struct {
		name, home string
		release    string
		refuse     []string // substrings of home.nix's refusal reason; none: kept
		keep       []string // substrings of the kept reason
	}{
		{name: "other user",
			home:   strings.Replace(homeManagerInit, `"alice"`, `"bob"`, 1),
			refuse: []string{`it sets home.username (line 6) = "bob", but the answers say homeBase.username "alice"`, "conflicting definition values", "delete that line there", `render with homeBase.username "bob"`}},
		{name: "other home directory",
			home:   strings.Replace(homeManagerInit, `"/home/alice"`, `"/home/alice2"`, 1),
			refuse: []string{`home.homeDirectory (line 7) = "/home/alice2"`}},
		{name: "stateVersion too new for the release",
			home:   strings.Replace(homeManagerInit, `"24.05"`, `"26.11"`, 1),
			refuse: []string{`which release 26.05 does not accept (its newest is "26.05")`, "render with release unstable", `change that line to "26.05"`}},
		{name: "stateVersion too new, release unstable", release: "unstable",
			home: strings.Replace(homeManagerInit, `"24.05"`, `"26.11"`, 1),
			keep: []string{`home.stateVersion = "26.11"`}},
		{name: "stateVersion not a release",
			home:   strings.Replace(homeManagerInit, `"24.05"`, `"24.06"`, 1),
			refuse: []string{`"24.06", which is not a home-manager release`}},
		{name: "two stateVersions",
			home:   strings.Replace(homeManagerInit, "programs.home-manager.enable = true;", `home = { stateVersion = "23.11"; };`, 1),
			refuse: []string{`it sets home.stateVersion twice, to "24.05" (line 10) and "23.11" (line 21)`}},
		{name: "expression",
			home: strings.Replace(homeManagerInit, `"alice";`, `builtins.getEnv "USER";`, 1),
			keep: []string{`it sets home.username (line 6) to an expression nixboard does not evaluate; it must come out as "alice"`}},
		{name: "mkForce wins",
			home: strings.Replace(homeManagerInit, `"/home/alice";`, `lib.mkForce "/home/other";`, 1),
			keep: []string{`it forces home.homeDirectory (line 7) = "/home/other" with mkForce`}},
		{name: "mkDefault loses",
			home: strings.Replace(homeManagerInit, `"alice";`, `lib.mkDefault "bob";`, 1),
			keep: []string{"it is yours"}},
		{name: "not readable as Nix",
			home: homeManagerInit + "}\n",
			keep: []string{`nixboard could not read it as Nix (line 23: unexpected "}")`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, HomeFile, c.home)
			before := snapshot(t, dir)
			a := sample()
			if c.release != "" {
				a.Release = c.release
			}
			p := mustPlan(t, dir, a)
			home := change(t, p, HomeFile)
			want, wantAction := c.keep, ActionKeep
			if c.refuse != nil {
				want, wantAction = c.refuse, ActionRefuse
			}
			if home.Action != wantAction {
				t.Fatalf("home.nix: %s, want %s: %s", home.Action, wantAction, home.Reason)
			}
			for _, w := range want {
				if !strings.Contains(home.Reason, w) {
					t.Errorf("reason lacks %q:\n%s", w, home.Reason)
				}
			}
			if c.refuse == nil {
				return
			}
			if err := p.Apply(t.Context()); err == nil || !strings.Contains(err.Error(), "nothing was written") {
				t.Errorf("Apply() = %v", err)
			}
			if after := snapshot(t, dir); len(after) != len(before) {
				t.Errorf("files written: %v", after)
			}
		})
	}
}
