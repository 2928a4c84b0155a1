package flakegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// fixture returns the absolute path of a fixture flake under testdata.
func fixture(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runNix runs a nix command offline and returns its stdout.
func runNix(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = nixtest.Env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// pairwise returns boolean rows over n flags such that every pair of flags
// takes every combination of values in some row. It is greedy and seeded,
// so the set is the same on every run; coveredPairs checks it.
func pairwise(n int) [][]bool {
	type pair struct {
		i, j   int
		vi, vj bool
	}
	uncovered := map[pair]bool{}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			for _, vi := range []bool{false, true} {
				for _, vj := range []bool{false, true} {
					uncovered[pair{i, j, vi, vj}] = true
				}
			}
		}
	}
	rng := rand.New(rand.NewSource(1))
	var rows [][]bool
	for len(uncovered) > 0 {
		var best []bool
		bestN := -1
		for c := 0; c < 50; c++ {
			row := make([]bool, n)
			for i := range row {
				row[i] = rng.Intn(2) == 1
			}
			covered := 0
			for p := range uncovered {
				if row[p.i] == p.vi && row[p.j] == p.vj {
					covered++
				}
			}
			if covered > bestN {
				best, bestN = row, covered
			}
		}
		for p := range uncovered {
			if best[p.i] == p.vi && best[p.j] == p.vj {
				delete(uncovered, p)
			}
		}
		rows = append(rows, best)
	}
	return rows
}

type combo struct {
	name string
	a    Answers
}

// combinations returns answer sets for every platform with all flags on,
// all off and a pairwise set, across shells, releases and base kinds,
// normalised as render does.
func combinations(t testing.TB) []combo {
	flags := Flags()
	rows := [][]bool{make([]bool, len(flags)), nil}
	all := make([]bool, len(flags))
	for i := range all {
		all[i] = true
	}
	rows[1] = all
	rows = append(rows, pairwise(len(flags))...)
	machines := []struct{ platform, system, home string }{
		{"linux", "x86_64-linux", "/home/alice"},
		{"wsl", "x86_64-linux", "/home/alice"},
		{"nixos-wsl", "aarch64-linux", "/home/alice"},
		{"nixos", "aarch64-linux", "/home/alice"},
		{"darwin", "aarch64-darwin", "/Users/alice"},
		{"darwin", "x86_64-darwin", "/Users/alice"},
	}
	var out []combo
	for mi, m := range machines {
		for ri, row := range rows {
			a := sample()
			a.Platform, a.System, a.HomeBase.HomeDirectory = m.platform, m.system, m.home
			for i, f := range flags {
				f.Set(&a.HomeBase, row[i])
			}
			a.Shell = KnownShells[(mi+ri)%len(KnownShells)]
			if ri%2 == 1 && m.system != "x86_64-darwin" {
				a.Release = "unstable"
			}
			if ri%5 == 4 {
				a.Base = valuedTeamBase()
			}
			if ri%3 == 2 {
				a.Git = GitAnswer{}
			}
			a.Normalize()
			if err := a.Validate(); err != nil {
				t.Fatalf("combination %s/%d invalid: %v", m.platform, ri, err)
			}
			out = append(out, combo{fmt.Sprintf("%s-%s-%d", m.platform, m.system, ri), a})
		}
	}
	return out
}

// valuedTeamBase is a team base with one value of each shape: a bool, a nested
// string, a package list and an explicit null.
func valuedTeamBase() *BaseFlake {
	b := &BaseFlake{Flake: "github:timblaktu/nixcfg", Module: "homeManagerModules.base"}
	b.SetValues(map[string]json.RawMessage{
		"enableRust":     json.RawMessage(`true`),
		"git.signingKey": json.RawMessage(`"0A1F"`),
		"tools.extra":    json.RawMessage(`["ripgrep","python3Packages.requests"]`),
		"editor":         json.RawMessage(`null`),
	}, []string{"tools.extra"})
	return b
}

// teamHomeBase is what valuedTeamBase's values make of the team module's
// homeBase, the package list resolved against the fixture nixpkgs, with the
// identity keys the team declares (declared: username in these tests).
func teamHomeBase(a Answers, declared ...string) map[string]any {
	hb := map[string]any{
		"enableRust": true,
		"git":        map[string]any{"signingKey": "0A1F"},
		"tools":      map[string]any{"extra": fixturePackages()},
		"editor":     nil,
	}
	id := map[string]any{"username": a.HomeBase.Username, "homeDirectory": a.HomeBase.HomeDirectory, "stateVersion": a.HomeBase.StateVersion}
	for _, k := range declared {
		hb[k] = id[k]
	}
	return hb
}

// fixturePackages are ripgrep and python3Packages.requests as the fixture
// nixpkgs has them, in JSON.
func fixturePackages() []any {
	return []any{
		map[string]any{"name": "ripgrep-0-fixture", "pname": "ripgrep"},
		map[string]any{"name": "requests-0-fixture", "pname": "requests"},
	}
}

func TestPairwiseCoversEveryPair(t *testing.T) {
	n := len(Flags())
	rows := pairwise(n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			seen := map[[2]bool]bool{}
			for _, r := range rows {
				seen[[2]bool{r[i], r[j]}] = true
			}
			if len(seen) != 4 {
				t.Errorf("flags %d and %d: only %v", i, j, seen)
			}
		}
	}
	if len(rows) > 20 {
		t.Errorf("%d rows; the greedy set should stay small", len(rows))
	}
}

// Every rendered .nix file parses, for every combination. The Nix sources
// only vary with the release and the base kind (answers are data), so each
// distinct file is parsed once, in one nix-instantiate call.
func TestRenderedNixParses(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := t.TempDir()
	unique := map[string]string{}
	for _, c := range combinations(t) {
		files, err := Render(c.a)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, f := range files {
			if !strings.HasSuffix(f.Path, ".nix") {
				continue
			}
			if _, ok := unique[string(f.Content)]; !ok {
				p := filepath.Join(dir, fmt.Sprintf("%d-%s", len(unique), filepath.Base(f.Path)))
				if err := os.WriteFile(p, f.Content, 0o644); err != nil {
					t.Fatal(err)
				}
				unique[string(f.Content)] = p
			}
		}
	}
	// flake.nix for two releases with and without a team base, base.nix,
	// answers.nix and home.nix.
	if len(unique) != 7 {
		t.Errorf("%d distinct .nix files, want 7", len(unique))
	}
	args := []string{"--parse"}
	for _, p := range unique {
		args = append(args, p)
	}
	out := runNix(t, "nix-instantiate", args...)
	if n := bytes.Count(out, []byte("\n")); n < len(unique) {
		t.Errorf("nix-instantiate printed %d parsed files, want %d", n, len(unique))
	}
}

// fixtureLib is the few lib functions the answers module uses, spelled so
// the results stay visible in JSON. It is a test fixture, not nixpkgs' lib.
const fixtureLib = `{
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkDefault = content: { _type = "override"; priority = 1000; inherit content; };
}`

// fixtureOptions stands in for the module system's options argument: a
// team module that declares homeBase.username and enableRust, and not
// homeDirectory or stateVersion. FIXTURE: not a real option set.
const fixtureOptions = `{ homeBase = { username = { fixtureOption = true; }; enableRust = { fixtureOption = true; }; }; }`

// The answers module, evaluated by real nix against each combination's
// nixboard.json (one nix call for all), hands exactly the answers on.
func TestAnswersModuleAcrossCombinations(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	root := t.TempDir()
	combos := combinations(t)
	var dirs []string
	for i, c := range combos {
		d := filepath.Join(root, fmt.Sprint(i))
		files, err := Render(c.a)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			p := filepath.Join(d, filepath.FromSlash(f.Path))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, f.Content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		dirs = append(dirs, "(/. + "+NixString(d)+")")
	}
	expr := fmt.Sprintf(`let
  lib = %s;
  eval = d: let a = builtins.fromJSON (builtins.readFile (d + "/nixboard.json")); in
    import (d + "/nixboard/answers.nix") {
      inherit lib;
      config = { };
      options = %s;
      pkgs = import %s { system = a.system; };
    };
in map eval [ %s ]`, fixtureLib, fixtureOptions, NixString(fixture(t, "fixture-nixpkgs")), strings.Join(dirs, " "))
	out := runNix(t, "nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
	var results []struct {
		HomeBase map[string]any `json:"homeBase"`
		Home     map[string]any `json:"home"`
		Programs map[string]any `json:"programs"`
		Targets  struct {
			GenericLinux struct {
				Enable struct{ Content bool } `json:"enable"`
			} `json:"genericLinux"`
		} `json:"targets"`
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(results) != len(combos) {
		t.Fatalf("%d results for %d combinations", len(results), len(combos))
	}
	teams := 0
	for i, c := range combos {
		r := results[i]
		wantHome := map[string]any{}
		if c.a.Base != nil {
			wantHome = map[string]any{"username": c.a.HomeBase.Username, "homeDirectory": c.a.HomeBase.HomeDirectory, "stateVersion": c.a.HomeBase.StateVersion}
		}
		if !reflect.DeepEqual(r.Home, wantHome) {
			t.Errorf("%s: home = %v, want %v", c.name, r.Home, wantHome)
		}
		if c.a.Base != nil {
			// Exactly the team's values reach its homeBase, and of the
			// identity only what it declares.
			teams++
			if want := teamHomeBase(c.a, "username"); !reflect.DeepEqual(r.HomeBase, want) {
				t.Errorf("%s: homeBase = %v, want %v", c.name, r.HomeBase, want)
			}
		} else {
			checkBuiltinHomeBase(t, c, r.HomeBase)
		}
		shell, _ := r.Programs[c.a.Shell].(map[string]any)
		if shell["enable"] != true || len(r.Programs) != 2 {
			t.Errorf("%s: programs = %v, want git and %s", c.name, r.Programs, c.a.Shell)
		}
		wantGeneric := c.a.Platform == "linux" || c.a.Platform == "wsl"
		if r.Targets.GenericLinux.Enable.Content != wantGeneric {
			t.Errorf("%s: targets.genericLinux.enable = %v", c.name, r.Targets.GenericLinux.Enable.Content)
		}
		git, _ := json.Marshal(r.Programs["git"])
		wantUser := map[string]string{}
		if c.a.Git.Name != "" {
			wantUser["name"] = c.a.Git.Name
		}
		if c.a.Git.Email != "" {
			wantUser["email"] = c.a.Git.Email
		}
		wu, _ := json.Marshal(map[string]any{"settings": map[string]any{"user": map[string]any{
			"_type": "if", "condition": c.a.HomeBase.EnableGit || c.a.Base != nil, "content": wantUser}}})
		if string(git) != string(wu) {
			t.Errorf("%s: programs.git = %s, want %s", c.name, git, wu)
		}
	}
	if teams == 0 {
		t.Error("no combination has a team base")
	}
}

// checkBuiltinHomeBase checks the homeBase the answers module hands the
// built-in layer: every answer.
func checkBuiltinHomeBase(t *testing.T, c combo, hb map[string]any) {
	t.Helper()
	r := struct{ HomeBase map[string]any }{hb}
	for _, f := range Flags() {
		var got any = r.HomeBase
		for _, k := range strings.Split(f.Key, ".") {
			got = got.(map[string]any)[k]
		}
		if got != f.Get(c.a.HomeBase) {
			t.Errorf("%s: homeBase.%s = %v, want %v", c.name, f.Key, got, f.Get(c.a.HomeBase))
		}
	}
	for _, k := range []string{"username", "homeDirectory", "defaultEditor", "stateVersion"} {
		want := map[string]string{"username": c.a.HomeBase.Username, "homeDirectory": c.a.HomeBase.HomeDirectory,
			"defaultEditor": c.a.HomeBase.DefaultEditor, "stateVersion": c.a.HomeBase.StateVersion}[k]
		if r.HomeBase[k] != want {
			t.Errorf("%s: homeBase.%s = %v, want %q", c.name, k, r.HomeBase[k], want)
		}
	}
	pk, _ := json.Marshal(r.HomeBase["additionalPackages"])
	if string(pk) != `[{"name":"ripgrep-0-fixture","pname":"ripgrep"},{"name":"requests-0-fixture","pname":"requests"}]` {
		t.Errorf("%s: additionalPackages = %s", c.name, pk)
	}
}

// The whole rendered flake evaluates with real nix when its inputs are
// replaced by the fixture flakes, and what reaches the fixture standing in
// for home-manager's homeManagerConfiguration is what the answers said.
func TestFlakeEvaluatesWithFixtures(t *testing.T) {
	nixtest.Require(t)
	nixtest.RequireGit(t)
	nixpkgs, hm, team := fixture(t, "fixture-nixpkgs"), fixture(t, "fixture-home-manager"), fixture(t, "fixture-base")
	scenarios := map[string]func(a *Answers){
		"linux": func(a *Answers) {},
		"wsl unstable without claude": func(a *Answers) {
			a.Platform, a.Release, a.Shell = "wsl", "unstable", "bash"
			a.HomeBase.EnableClaudeCode = false
			a.HomeBase.EnableOneDriveUtils = true
		},
		"intel mac": func(a *Answers) {
			a.Platform, a.System, a.HomeBase.HomeDirectory, a.Shell = "darwin", "x86_64-darwin", "/Users/alice", "fish"
			a.Hostname = "Alices-MacBook.local"
		},
		"team base": func(a *Answers) {
			*a = teamSample()
			a.Base = valuedTeamBase()
		},
		"team base without claude code": func(a *Answers) {
			*a = teamSample()
			a.Base = valuedTeamBase()
			a.Base.Values["enableClaudeCode"] = json.RawMessage(`false`)
		},
	}
	for name, edit := range scenarios {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := sample()
			edit(&a)
			a.Normalize()
			dir := t.TempDir()
			p, err := NewPlan(t.Context(), dir, a, testEnv())
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Apply(t.Context()); err != nil {
				t.Fatal(err)
			}
			args := []string{"eval", "--json", dir + "#homeConfigurations", "--no-write-lock-file",
				"--override-input", "nixpkgs", "path:" + nixpkgs,
				"--override-input", "home-manager", "path:" + hm}
			if a.Base != nil {
				args = append(args, "--override-input", "base", "path:"+team)
			}
			out := runNix(t, "nix", args...)
			var got map[string]struct {
				Fixture       string            `json:"fixture"`
				System        string            `json:"system"`
				Modules       []json.RawMessage `json:"modules"`
				AnswersModule struct {
					HomeBase map[string]any `json:"homeBase"`
					Home     map[string]any `json:"home"`
				} `json:"answersModule"`
				UnfreeAllowed map[string]bool `json:"unfreeAllowed"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if len(got) != 1 {
				t.Fatalf("homeConfigurations = %s", out)
			}
			cfg, ok := got[a.ConfigName()]
			if !ok {
				t.Fatalf("no homeConfigurations.%q in %s", a.ConfigName(), out)
			}
			if cfg.Fixture != "home-manager test fixture" || cfg.System != a.System {
				t.Errorf("fixture %q, system %q, want %q", cfg.Fixture, cfg.System, a.System)
			}
			var mods []string
			for _, m := range cfg.Modules {
				mods = append(mods, string(m))
			}
			wantMods := []string{`{"file":"base.nix"}`, `{"module":{"nixboard":{"platform":"` + a.Platform + `"}}}`, `{"file":"answers.nix"}`, `{"file":"home.nix"}`}
			if a.Base != nil {
				wantMods = []string{`{"module":{"config":{"fixtureTeamBase":"` + a.System + `"},"options":{"homeBase":{"editor":{"fixtureOption":"nullOr str"},"enableRust":{"fixtureOption":"bool"},"git":{"signingKey":{"fixtureOption":"str"}},"tools":{"extra":{"fixtureOption":"listOf package"}},"username":{"fixtureOption":"str"}}}}}`, `{"file":"answers.nix"}`, `{"file":"home.nix"}`}
			}
			if !reflect.DeepEqual(mods, wantMods) {
				t.Errorf("modules = %v, want %v", mods, wantMods)
			}
			// homeBase as it reached home-manager equals the answers, with
			// package names resolved against the fixture nixpkgs.
			// With a team base: exactly the chosen values, the package list
			// resolved, and of the identity only the username the fixture
			// team declares; home.* gets the whole identity.
			var want map[string]any
			hb, _ := json.Marshal(a.HomeBase)
			json.Unmarshal(hb, &want)
			want["additionalPackages"] = fixturePackages()
			wantHome := map[string]any{}
			if a.Base != nil {
				want = teamHomeBase(a, "username")
				if _, ok := a.Base.Values["enableClaudeCode"]; ok {
					want["enableClaudeCode"] = false
				}
				wantHome = map[string]any{"username": a.HomeBase.Username, "homeDirectory": a.HomeBase.HomeDirectory, "stateVersion": a.HomeBase.StateVersion}
			}
			if !reflect.DeepEqual(cfg.AnswersModule.Home, wantHome) {
				t.Errorf("home reaching home-manager = %v, want %v", cfg.AnswersModule.Home, wantHome)
			}
			if !reflect.DeepEqual(cfg.AnswersModule.HomeBase, want) {
				t.Errorf("homeBase reaching home-manager:\n%v\nwant\n%v", cfg.AnswersModule.HomeBase, want)
			}
			wantUnfree := map[string]bool{"claude-code": false, "hello": false, "oldStyle": false}
			for _, name := range a.UnfreeAllowed() {
				wantUnfree[name] = true
			}
			if !reflect.DeepEqual(cfg.UnfreeAllowed, wantUnfree) {
				t.Errorf("unfree allowed = %v, want %v", cfg.UnfreeAllowed, wantUnfree)
			}
		})
	}
}

// An additionalPackages name nixpkgs lacks stops evaluation with an error
// that names the answer.
func TestMissingPackageErrorNamesTheAnswer(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	a := sample()
	a.HomeBase.AdditionalPackages = []string{"python3Packages.nonexistent"}
	dir := t.TempDir()
	files, err := Render(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, f.Content, 0o644)
	}
	expr := fmt.Sprintf(`(import %s { lib = %s; config = { }; pkgs = import %s { system = "x86_64-linux"; }; }).homeBase.additionalPackages`,
		NixString(filepath.Join(dir, AnswersModuleFile)), fixtureLib, NixString(fixture(t, "fixture-nixpkgs")))
	cmd := exec.Command("nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
	cmd.Env = nixtest.Env()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `homeBase.additionalPackages: nixpkgs has no package "python3Packages.nonexistent"`) {
		t.Errorf("err = %v, output:\n%s", err, out)
	}
}
