package flakegen

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sample returns a full, valid answer set with every free-text field used.
func sample() Answers {
	a := DefaultFor("linux", "x86_64-linux")
	a.HomeBase.Username = "alice"
	a.HomeBase.HomeDirectory = "/home/alice"
	a.Hostname = "laptop"
	a.Git = GitAnswer{Name: "Alice Example", Email: "alice@example.org"}
	a.Shell = "zsh"
	a.HomeBase.ShellAliases = map[string]string{"ll": "ls -l", "gs": "git status"}
	a.HomeBase.EnvironmentVariables = map[string]string{"PAGER": "less -R", "GOPATH": "$HOME/go"}
	a.HomeBase.AdditionalPackages = []string{"ripgrep", "python3Packages.requests"}
	a.HomeBase.EnableDevelopment = true
	return a
}

func TestDefaultsAreTheBaseLayers(t *testing.T) {
	d := Default()
	want := map[string]bool{
		"enableGit": true, "enableTmux": true, "enableNeovim": true, "enableDevelopment": false,
		"enableTerminal": true, "enableSystem": true, "enableShellUtils": true, "enableEspIdf": false,
		"enableOneDriveUtils": false, "enableClaudeCode": true, "enableContainerSupport": true,
		"terminalVerification.enable": true, "terminalVerification.verbose": false,
		"terminalVerification.warnOnMisconfiguration": true,
	}
	flags := Flags()
	if len(flags) != len(want) {
		t.Fatalf("Flags() has %d flags, want %d", len(flags), len(want))
	}
	for _, f := range flags {
		w, ok := want[f.Key]
		if !ok {
			t.Errorf("unexpected flag %s", f.Key)
			continue
		}
		if f.Get(d.HomeBase) != w || f.Default != w {
			t.Errorf("%s default = %v (Flag.Default %v), want %v", f.Key, f.Get(d.HomeBase), f.Default, w)
		}
		if f.Title == "" || f.Description == "" {
			t.Errorf("%s has no title or description", f.Key)
		}
	}
	if d.HomeBase.DefaultEditor != "nvim" || d.Release != "26.05" || d.HomeBase.StateVersion != "26.05" || d.Shell != "bash" {
		t.Errorf("Default() = %+v", d)
	}
}

// Every boolean in HomeBase must be reachable through Flags, so the wizard
// asks about all of them.
func TestFlagsCoverEveryBoolean(t *testing.T) {
	var hb HomeBase
	for _, f := range Flags() {
		f.Set(&hb, true)
	}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for i := 0; i < v.NumField(); i++ {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
			switch fv := v.Field(i); fv.Kind() {
			case reflect.Bool:
				if !fv.Bool() {
					t.Errorf("homeBase.%s%s is not in Flags()", path, name)
				}
			case reflect.Struct:
				walk(fv, path+name+".")
			}
		}
	}
	walk(reflect.ValueOf(hb), "")
}

func TestDefaultForSwitchesOffQuietly(t *testing.T) {
	mac := DefaultFor("darwin", "aarch64-darwin")
	if mac.HomeBase.TerminalVerification.Enable || mac.HomeBase.TerminalVerification.WarnOnMisconfiguration {
		t.Errorf("terminal verification on for macOS: %+v", mac.HomeBase.TerminalVerification)
	}
	if notes := mac.Normalize(); len(notes) != 0 {
		t.Errorf("DefaultFor left something for Normalize: %q", notes)
	}
	wsl := DefaultFor("wsl", "x86_64-linux")
	if !wsl.HomeBase.TerminalVerification.Enable {
		t.Error("terminal verification off on WSL")
	}
	intel := DefaultFor("darwin", "x86_64-darwin")
	if intel.Release != "26.05" {
		t.Errorf("Intel Mac release = %q", intel.Release)
	}
}

func TestConfigName(t *testing.T) {
	if got := sample().ConfigName(); got != "alice@laptop" {
		t.Errorf("ConfigName() = %q", got)
	}
}

func TestReleases(t *testing.T) {
	r, ok := ReleaseByName("26.05")
	if !ok || r.Nixpkgs != "github:NixOS/nixpkgs/nixos-26.05" || r.HomeManager != "github:nix-community/home-manager/release-26.05" {
		t.Errorf("26.05 = %+v", r)
	}
	u, ok := ReleaseByName("unstable")
	if !ok || u.Nixpkgs != "github:NixOS/nixpkgs/nixpkgs-unstable" || u.HomeManager != "github:nix-community/home-manager" {
		t.Errorf("unstable = %+v", u)
	}
	if u.Supports("x86_64-darwin") || !r.Supports("x86_64-darwin") {
		t.Error("x86_64-darwin must only be offered on 26.05")
	}
	if got := r.StateVersions(); got[0] != "26.05" || got[len(got)-1] != "18.09" {
		t.Errorf("26.05 state versions = %v", got)
	}
	if _, ok := ReleaseByName("25.11"); ok {
		t.Error("25.11 is not offered")
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	t.Run("partial file keeps platform defaults", func(t *testing.T) {
		p := writeFile(t, dir, "a.json", `{"homeBase":{"username":"bob","homeDirectory":"/Users/bob","enableTmux":false},
			"hostname":"mac","system":"aarch64-darwin","platform":"darwin"}`)
		a, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if a.HomeBase.EnableTmux || !a.HomeBase.EnableGit || a.HomeBase.TerminalVerification.Enable {
			t.Errorf("flags = %+v", a.HomeBase)
		}
		if a.HomeBase.ShellAliases == nil || a.HomeBase.AdditionalPackages == nil {
			t.Error("nil map or list after Load")
		}
		if notes := a.Normalize(); len(notes) != 0 {
			t.Errorf("notes = %q", notes)
		}
		if err := a.Validate(); err != nil {
			t.Errorf("Validate: %v", err)
		}
	})
	t.Run("unknown keys are named", func(t *testing.T) {
		p := writeFile(t, dir, "b.json", `{"homeBase":{"enableTmuxx":true,"terminalVerification":{"verbos":true}},"colour":"red"}`)
		_, err := Load(p)
		var verr ValidationErrors
		if !errors.As(err, &verr) {
			t.Fatalf("err = %v", err)
		}
		fields := map[string]string{}
		for _, e := range verr {
			fields[e.Field] = e.Problem
		}
		for _, f := range []string{"homeBase.enableTmuxx", "homeBase.terminalVerification.verbos", "colour"} {
			if _, ok := fields[f]; !ok {
				t.Errorf("no error for %s in %v", f, verr)
			}
		}
		if !strings.Contains(fields["homeBase.enableTmuxx"], `"enableTmux"`) {
			t.Errorf("no suggestion: %q", fields["homeBase.enableTmuxx"])
		}
	})
	t.Run("wrong types are named", func(t *testing.T) {
		p := writeFile(t, dir, "c.json", `{"homeBase":{"enableGit":"yes"}}`)
		_, err := Load(p)
		var verr ValidationErrors
		if !errors.As(err, &verr) || verr[0].Field != "homeBase.enableGit" || !strings.Contains(verr[0].Problem, "true or false") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("every problem at once", func(t *testing.T) {
		p := writeFile(t, dir, "e.json", `{
  "homeBase": {
    "username": "Alice Smith",
    "homeDirectory": "/home/alice",
    "enableGit": "yes",
    "enableTmux": "false",
    "enableNeovm": true,
    "shellAliases": {"ll": "ls -l", "gs": 1},
    "additionalPackages": ["ripgrep", 2, "bad name"],
    "terminalVerification": {"enable": 1}
  },
  "hostname": "laptop",
  "system": "x86_64-linux",
  "platform": "linux",
  "release": 26.05,
  "git": "Alice",
  "colour": "red"
}`)
		_, err := Load(p)
		var verr ValidationErrors
		if !errors.As(err, &verr) {
			t.Fatalf("err = %v", err)
		}
		want := []string{
			`colour: "red" is not a key nixboard knows; the keys here are: homeBase, hostname, system, platform, release, git, shell, base`,
			`git: "Alice" must be an object { ... }, not a string`,
			`homeBase.additionalPackages[1]: 2 must be a string in double quotes, such as "ripgrep", not a number`,
			`homeBase.enableGit: "yes" must be true or false (without quotes), not a string`,
			`homeBase.enableNeovm: true is not a key nixboard knows; did you mean "enableNeovim"? Rename or remove it`,
			`homeBase.enableTmux: "false" is a string; write false without quotes (true or false)`,
			`homeBase.shellAliases.gs: 1 must be a string in double quotes, not a number`,
			`homeBase.terminalVerification.enable: 1 must be true or false (without quotes), not a number`,
			`release: 26.05 must be a string in double quotes, not a number`,
			`homeBase.username: "Alice Smith" is not a user name`,
			`homeBase.additionalPackages[2]: "bad name" is not a package attribute path`,
		}
		msg := err.Error()
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("lacks %q", w)
			}
		}
		if len(verr) != len(want) {
			t.Errorf("%d problems, want %d:\n%s", len(verr), len(want), msg)
		}
	})
	t.Run("syntax errors say where", func(t *testing.T) {
		_, err := Parse([]byte("{\n  \"hostname\": \"x\",\n  \"shell\" \"bash\"\n}"))
		if err == nil || !strings.Contains(err.Error(), "not valid JSON at line 3, column 11") {
			t.Errorf("err = %v", err)
		}
	})
	for name, content := range map[string]string{"trailing": `{} {}`, "array": `[]`, "broken": `{"a":`} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(writeFile(t, dir, name+".json", content)); err == nil {
				t.Errorf("Load(%s) succeeded", content)
			}
		})
	}
	t.Run("maps and lists are never nil or null", func(t *testing.T) {
		a, err := Parse([]byte(`{"homeBase":{"shellAliases":{},"environmentVariables":{},"additionalPackages":[]}}`))
		if err != nil {
			t.Fatal(err)
		}
		if a.HomeBase.ShellAliases == nil || a.HomeBase.EnvironmentVariables == nil || a.HomeBase.AdditionalPackages == nil {
			t.Errorf("nil map or list from empty ones: %+v", a.HomeBase)
		}
		_, err = Parse([]byte(`{"homeBase":{"shellAliases":null,"additionalPackages":null}}`))
		if err == nil || !strings.Contains(err.Error(), "homeBase.shellAliases: null must be an object") ||
			!strings.Contains(err.Error(), "homeBase.additionalPackages: null must be an array") {
			t.Errorf("null map and list: %v", err)
		}
		var bare Answers
		if out := string(MarshalAnswers(bare)); strings.Contains(out, "null") ||
			!strings.Contains(out, `"shellAliases": {}`) || !strings.Contains(out, `"additionalPackages": []`) {
			t.Errorf("MarshalAnswers of nil maps and lists:\n%s", out)
		}
	})
	t.Run("long values are shortened by characters", func(t *testing.T) {
		long := "a" + strings.Repeat("é", 70)
		_, err := Parse([]byte(`{"colour": "` + long + `"}`))
		var verr ValidationErrors
		if !errors.As(err, &verr) || len(verr.Field("colour")) != 1 {
			t.Fatalf("err = %v", err)
		}
		want := `"a` + strings.Repeat("é", 55) + "..."
		if got := verr.Field("colour")[0].Value; got != want {
			t.Errorf("value shown as %q, want %q", got, want)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		a := sample()
		p := writeFile(t, dir, "d.json", string(MarshalAnswers(a)))
		b, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("round trip:\n%+v\n%+v", a, b)
		}
	})
}

func TestValidate(t *testing.T) {
	if err := sample().Validate(); err != nil {
		t.Fatalf("sample invalid: %v", err)
	}
	cases := []struct {
		name  string
		edit  func(a *Answers)
		field string
	}{
		{"empty username", func(a *Answers) { a.HomeBase.Username = "" }, "homeBase.username"},
		{"space in username", func(a *Answers) { a.HomeBase.Username = "al ice" }, "homeBase.username"},
		{"long username", func(a *Answers) { a.HomeBase.Username = strings.Repeat("a", 33) }, "homeBase.username"},
		{"relative home", func(a *Answers) { a.HomeBase.HomeDirectory = "home/alice" }, "homeBase.homeDirectory"},
		{"unclean home", func(a *Answers) { a.HomeBase.HomeDirectory = "/home/alice/../bob" }, "homeBase.homeDirectory"},
		{"home with dollar", func(a *Answers) { a.HomeBase.HomeDirectory = "/home/$USER" }, "homeBase.homeDirectory"},
		{"linux home on mac", func(a *Answers) {
			a.Platform, a.System = "darwin", "aarch64-darwin"
		}, "homeBase.homeDirectory"},
		{"mac home on linux", func(a *Answers) { a.HomeBase.HomeDirectory = "/Users/alice" }, "homeBase.homeDirectory"},
		{"hostname underscore", func(a *Answers) { a.Hostname = "my_host" }, "hostname"},
		{"hostname empty", func(a *Answers) { a.Hostname = "" }, "hostname"},
		{"system", func(a *Answers) { a.System = "riscv64-linux" }, "system"},
		{"system/platform mismatch", func(a *Answers) { a.System = "aarch64-darwin" }, "system"},
		{"platform", func(a *Answers) { a.Platform = "windows" }, "platform"},
		{"release", func(a *Answers) { a.Release = "25.11" }, "release"},
		{"intel mac unstable", func(a *Answers) {
			a.Platform, a.System, a.Release, a.HomeBase.HomeDirectory = "darwin", "x86_64-darwin", "unstable", "/Users/alice"
		}, "release"},
		{"shell", func(a *Answers) { a.Shell = "tcsh" }, "shell"},
		{"state version too new", func(a *Answers) { a.HomeBase.StateVersion = "26.11" }, "homeBase.stateVersion"},
		{"state version unknown", func(a *Answers) { a.HomeBase.StateVersion = "24.10" }, "homeBase.stateVersion"},
		{"git email", func(a *Answers) { a.Git.Email = "alice at example" }, "git.email"},
		{"git name angle", func(a *Answers) { a.Git.Name = "Alice <a@b>" }, "git.name"},
		{"git name newline", func(a *Answers) { a.Git.Name = "Alice\nEvil" }, "git.name"},
		{"control char", func(a *Answers) { a.Git.Name = "Al\x1bice" }, "git.name"},
		{"bad utf8", func(a *Answers) { a.Git.Name = "Al\xffice" }, "git.name"},
		{"alias name", func(a *Answers) { a.HomeBase.ShellAliases = map[string]string{"g s": "git status"} }, `homeBase.shellAliases["g s"]`},
		{"alias dash", func(a *Answers) { a.HomeBase.ShellAliases = map[string]string{"-x": "ls"} }, `homeBase.shellAliases["-x"]`},
		{"alias empty", func(a *Answers) { a.HomeBase.ShellAliases = map[string]string{"x": " "} }, "homeBase.shellAliases.x"},
		{"env name", func(a *Answers) { a.HomeBase.EnvironmentVariables = map[string]string{"1X": "y"} }, `homeBase.environmentVariables["1X"]`},
		{"env reserved", func(a *Answers) { a.HomeBase.EnvironmentVariables = map[string]string{"PATH": "/bin"} }, "homeBase.environmentVariables.PATH"},
		{"env quote", func(a *Answers) { a.HomeBase.EnvironmentVariables = map[string]string{"X": `a"b`} }, "homeBase.environmentVariables.X"},
		{"env command", func(a *Answers) { a.HomeBase.EnvironmentVariables = map[string]string{"X": "$(rm -rf ~)"} }, "homeBase.environmentVariables.X"},
		{"package path", func(a *Answers) { a.HomeBase.AdditionalPackages = []string{"python3Packages..requests"} }, "homeBase.additionalPackages[0]"},
		{"package code", func(a *Answers) { a.HomeBase.AdditionalPackages = []string{"hello; rm"} }, "homeBase.additionalPackages[0]"},
		{"package twice", func(a *Answers) { a.HomeBase.AdditionalPackages = []string{"hello", "hello"} }, "homeBase.additionalPackages[1]"},
		{"editor empty", func(a *Answers) { a.HomeBase.DefaultEditor = "" }, "homeBase.defaultEditor"},
		{"onedrive off wsl", func(a *Answers) { a.HomeBase.EnableOneDriveUtils = true }, "homeBase.enableOneDriveUtils"},
		{"terminal check off wsl", func(a *Answers) { a.HomeBase.TerminalVerification.Enable = true }, "homeBase.terminalVerification.enable"},
		{"esp-idf on mac", func(a *Answers) {
			a.Platform, a.System, a.HomeBase.HomeDirectory, a.HomeBase.EnableEspIdf = "darwin", "aarch64-darwin", "/Users/alice", true
		}, "homeBase.enableEspIdf"},
		{"base flake", func(a *Answers) { a.Base = &BaseFlake{Flake: "not a url", Module: "homeManagerModules.base"} }, "base.flake"},
		{"base flake quote", func(a *Answers) { a.Base = &BaseFlake{Flake: `github:a/b"c`, Module: "homeManagerModules.base"} }, "base.flake"},
		{"base module", func(a *Answers) { a.Base = &BaseFlake{Flake: "github:timblaktu/nixcfg", Module: ""} }, "base.module"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := sample()
			c.edit(&a)
			err := a.Validate()
			var verr ValidationErrors
			if !errors.As(err, &verr) {
				t.Fatalf("Validate() = %v, want ValidationErrors", err)
			}
			got := verr.Field(c.field)
			if len(got) == 0 {
				t.Fatalf("no error for %s; got %v", c.field, verr)
			}
			if got[0].Problem == "" || !strings.Contains(verr.Error(), c.field) {
				t.Errorf("error does not say what to do: %v", verr)
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	a := sample()
	a.HomeBase.Username = ""
	a.Hostname = "-bad-"
	a.Git.Email = "nope"
	err := a.Validate()
	var verr ValidationErrors
	if !errors.As(err, &verr) || len(verr) != 3 {
		t.Fatalf("Validate() = %v", err)
	}
	if !strings.HasPrefix(err.Error(), "3 invalid answers\n") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestValidAnswers(t *testing.T) {
	for name, edit := range map[string]func(*Answers){
		"mac": func(a *Answers) {
			a.Platform, a.System, a.HomeBase.HomeDirectory = "darwin", "aarch64-darwin", "/Users/alice"
		},
		"unicode name": func(a *Answers) { a.Git.Name = "Zoë Ñúñez 山田" },
		"editor args":  func(a *Answers) { a.HomeBase.DefaultEditor = "code --wait" },
		"env refs":     func(a *Answers) { a.HomeBase.EnvironmentVariables = map[string]string{"P": "${HOME}/bin:$HOME/x"} },
		"alias quotes": func(a *Answers) { a.HomeBase.ShellAliases = map[string]string{"say": `echo "it's $USER"`} },
		"team base": func(a *Answers) {
			a.Base = &BaseFlake{Flake: "github:timblaktu/nixcfg", Module: "homeManagerModules.base"}
		},
		"fqdn":      func(a *Answers) { a.Hostname = "Johns-MacBook-Pro.local" },
		"wsl":       func(a *Answers) { a.Platform = "wsl"; a.HomeBase.EnableOneDriveUtils = true },
		"old state": func(a *Answers) { a.HomeBase.StateVersion = "24.11" },
	} {
		t.Run(name, func(t *testing.T) {
			a := sample()
			edit(&a)
			if err := a.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	a := sample()
	a.Platform, a.System, a.HomeBase.HomeDirectory = "darwin", "aarch64-darwin", "/Users/alice"
	a.HomeBase.EnableEspIdf = true
	a.HomeBase.EnableOneDriveUtils = true
	a.HomeBase.TerminalVerification.Enable = true
	notes := a.Normalize()
	if len(notes) != 3 {
		t.Fatalf("notes = %q", notes)
	}
	for _, n := range notes {
		if !strings.Contains(n, "switched off") || !strings.Contains(n, "homeBase.") {
			t.Errorf("note %q does not say what changed", n)
		}
	}
	if a.HomeBase.EnableEspIdf || a.HomeBase.EnableOneDriveUtils || a.HomeBase.TerminalVerification.Enable {
		t.Error("flags still on")
	}
	if err := a.Validate(); err != nil {
		t.Errorf("Validate after Normalize: %v", err)
	}
	if again := a.Normalize(); len(again) != 0 {
		t.Errorf("second Normalize = %q", again)
	}
}
