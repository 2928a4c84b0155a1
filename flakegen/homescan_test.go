package flakegen

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// homeManagerInit is the home.nix `home-manager init` writes, trimmed.
const homeManagerInit = `{ config, pkgs, ... }:

{
  # Home Manager needs a bit of information about you and the paths it should
  # manage.
  home.username = "alice";
  home.homeDirectory = "/home/alice";

  # You should not change this value, even if you update Home Manager.
  home.stateVersion = "24.05"; # Please read the comment before changing.

  home.packages = [
    # pkgs.hello
  ];
  home.file = {
    # ".screenrc".source = dotfiles/screenrc;
  };
  home.sessionVariables = {
    # EDITOR = "emacs";
  };
  programs.home-manager.enable = true;
}
`

// scanCases are home.nix sources with the definitions of the three options
// nixboard checks, as "option=value" (literal), "option=?" (an expression)
// and "option=!mkForce:value" (with a priority).
var scanCases = []struct {
	name, src string
	want      []string
}{
	{"home-manager init", homeManagerInit, []string{"home.username=alice", "home.homeDirectory=/home/alice", "home.stateVersion=24.05"}},
	{"nixboard template", "", nil},
	{"nested sets", `{ ... }: { home = { username = "alice"; stateVersion = "24.05"; }; }`,
		[]string{"home.username=alice", "home.stateVersion=24.05"}},
	{"config prefix", `{ config, ... }: { config.home.stateVersion = "23.11"; config.home.username = "bob"; }`,
		[]string{"home.stateVersion=23.11", "home.username=bob"}},
	{"config set", `{ config, ... }: { options = { }; config = { home = { homeDirectory = "/home/bob"; }; }; }`,
		[]string{"home.homeDirectory=/home/bob"}},
	{"comments and strings hide nothing they should not", `{ pkgs, ... }:
# home.username = "bob";
/* home.stateVersion = "20.09"; */
{
  home.file.a.text = "home.username = \"bob\";";
  home.file.b.text = ''
    home.stateVersion = "20.09"; ''${not} '''quoted''' ${pkgs.hello}
  '';
  home.username = "al\"ice\${x}";
  home.homeDirectory = "$${HOME}";
}`, []string{`home.username=al"ice${x}`, "home.homeDirectory=$${HOME}"}},
	{"let bindings are not definitions", `{ lib, ... }:
let
  username = "alice";
  home = { username = "bob"; };
  inherit (lib) mkForce;
in
{
  home.username = username;
  home.stateVersion = mkForce "24.11";
  home.homeDirectory = lib.mkDefault "/home/alice";
}`, []string{"home.username=?", "home.stateVersion=!mkForce:24.11", "home.homeDirectory=!mkDefault:/home/alice"}},
	{"mkIf and mkMerge", `{ lib, ... }@args: lib.mkMerge [
  { home.username = "alice"; }
  (lib.mkIf true { home = { stateVersion = ("24.05"); }; })
  { home = lib.mkIf false { homeDirectory = "/home/${args.config.home.username}"; }; }
]`, []string{"home.username=alice", "home.stateVersion=24.05", "home.homeDirectory=?"}},
	{"with, assert, rec, paths, URIs and defaults", `{ pkgs ? import <nixpkgs> { }, lib, ... }:
with pkgs;
assert 1 + 2 == 3;
rec {
  home.packages = [ hello ./pkgs/x.nix ];
  home.file.".x".source = ./files/${"x"};
  url = https://example.org/a?b=1;
  home.stateVersion = if true then "24.05" else "23.11";
  home.username = "alice";
  n = 1.5e3 / 2 // { };
}`, []string{"home.stateVersion=?", "home.username=alice"}},
}

func describeDefs(defs []homeDef) []string {
	var out []string
	for _, d := range defs {
		switch d.Option {
		case "home.username", "home.homeDirectory", "home.stateVersion":
		default:
			continue
		}
		v := "?"
		if d.Literal {
			v = d.Value
			if d.Priority != "" {
				v = "!" + d.Priority + ":" + v
			}
		}
		out = append(out, d.Option+"="+v)
	}
	return out
}

func TestScanHome(t *testing.T) {
	for _, c := range scanCases {
		src := c.src
		if c.name == "nixboard template" {
			src = string(mustRender(t)[HomeFile])
		}
		defs, err := scanHome([]byte(src))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := describeDefs(defs); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\ngot  %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestScanHomeLines(t *testing.T) {
	defs, _ := scanHome([]byte(homeManagerInit))
	for _, d := range defs {
		if d.Option == "home.stateVersion" && d.Line != 10 {
			t.Errorf("home.stateVersion on line %d, want 10", d.Line)
		}
	}
}

// scanErrorCases are sources the scanner refuses, each with a part of the
// message it gives.
var scanErrorCases = map[string]string{
	"{ ... }: {\n  home.username = \"alice;\n}\n":       `line 2: unterminated string`,
	"{ ... }: {\n  home.username = \"alice\";\n":        `line 1: this "{" is never closed`,
	"{ ... }: {\n  x = ''\n  abc\n":                     `line 2: unterminated '' string`,
	"{\n  /* never closed\n}":                           `line 2: unterminated /* comment`,
	"{ ... }: {\n home.username \"alice\";\n}":          `line 2: expected "=", found a string`,
	"{ ... }: { a = [ 1 2 ; }":                          `line 1: this "{" is never closed`,
	"{ ... }: { a = \"${x\"; }":                         `line 1: unterminated`,
	"{ ... }: { } }":                                    `line 1: unexpected "}"`,
	"let a = 1; a":                                      `expected "=", found the end of the file`,
	"let a = 1;":                                        `let without in`,
	"{ ... }: { a = 1; } \x01":                          `unexpected character`,
	"{ ... }: { x = (let a = 1; in a); y = (a in b); }": `expected ")"`,
}

func TestScanHomeErrors(t *testing.T) {
	for src, want := range scanErrorCases {
		_, err := scanHome([]byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}

// The scanner refuses only what nix refuses: nix's own parser refuses
// every error case too, and the scanner reads every Nix file nixboard
// renders (both with the built-in base layer and with a team's) and every
// fixture flake, which nix parses.
func TestScanHomeRefusesOnlyWhatNixRefuses(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := t.TempDir()
	i := 0
	for src := range scanErrorCases {
		p := filepath.Join(dir, fmt.Sprintf("bad%d.nix", i))
		i++
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("nix-instantiate", "--parse", p)
		cmd.Env = nixtest.Env()
		if err := cmd.Run(); err == nil {
			t.Errorf("nix parses %q, which the scanner refuses", src)
		}
	}

	good, _ := filepath.Glob(filepath.Join("testdata", "*", "*.nix"))
	if len(good) == 0 {
		t.Fatal("no fixture .nix files under testdata")
	}
	for _, a := range []Answers{sample(), teamSample()} {
		files, err := Render(a)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f.Path, ".nix") {
				p := filepath.Join(dir, fmt.Sprintf("good%d-%s", len(good), filepath.Base(f.Path)))
				if err := os.WriteFile(p, f.Content, 0o644); err != nil {
					t.Fatal(err)
				}
				good = append(good, p)
			}
		}
	}
	runNix(t, "nix-instantiate", append([]string{"--parse"}, good...)...)
	for _, p := range good {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := scanHome(src); err != nil {
			t.Errorf("%s: nix parses it, the scanner refuses it: %v", p, err)
		}
	}
}

func mustRender(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := Render(sample())
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, f := range files {
		m[f.Path] = f.Content
	}
	return m
}

// What the scanner finds is what real nix evaluates: each case's module is
// called with stand-in arguments and every definition of the three options
// is collected through mkMerge, mkIf and config, keeping priorities.
func TestScanHomeAgreesWithNix(t *testing.T) {
	nixtest.Require(t)
	t.Parallel()
	dir := t.TempDir()
	var files []string
	for i, c := range scanCases {
		if c.src == "" {
			continue
		}
		p := filepath.Join(dir, fmt.Sprintf("%d.nix", i))
		if err := os.WriteFile(p, []byte(c.src), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	expr := `let
  lib = {
    mkForce = c: { _type = "override"; priority = 50; content = c; };
    mkDefault = c: { _type = "override"; priority = 1000; content = c; };
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkMerge = contents: { _type = "merge"; inherit contents; };
  };
  args = { inherit lib; config.home.username = "cfguser"; pkgs = { hello = "hello"; }; };
  unwrap = v:
    if builtins.isAttrs v && v ? _type && v._type == "merge" then builtins.concatMap unwrap v.contents
    else if builtins.isAttrs v && v ? _type && v._type == "if" then unwrap v.content
    else [ v ];
  at = path: v:
    if path == [ ] then unwrap v
    else builtins.concatMap (x:
      let n = builtins.head path; in
      if builtins.isAttrs x && !(x ? _type) && x ? ${n} then at (builtins.tail path) x.${n} else [ ]) (unwrap v);
  show = opt: d:
    let
      prio = if builtins.isAttrs d && d ? _type && d._type == "override" then (if d.priority == 50 then "!mkForce:" else "!mkDefault:") else "";
      v = if prio != "" then d.content else d;
    in opt + "=" + prio + (if builtins.isString v then v else "?");
  module = f:
    let m = import f; r = if builtins.isFunction m then m (args // { inherit args; }) else m;
    in if builtins.isAttrs r && r ? config && !(r ? _type) then r.config else r;
  defs = f: builtins.concatMap (opt: map (show ("home." + opt)) (at [ "home" opt ] (module f)))
    [ "username" "homeDirectory" "stateVersion" ];
in map defs [ ` + strings.Join(quoteAll(files), " ") + ` ]`
	out := runNix(t, "nix-instantiate", "--eval", "--strict", "--json", "-E", expr)
	var got [][]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	i := 0
	for _, c := range scanCases {
		if c.src == "" {
			continue
		}
		defs, err := scanHome([]byte(c.src))
		if err != nil {
			t.Fatal(err)
		}
		mine := describeDefs(defs)
		nix := got[i]
		i++
		if len(mine) != len(nix) {
			t.Errorf("%s: scanner %q, nix %q", c.name, mine, nix)
			continue
		}
		// Same definitions; where the scanner has a literal, the same
		// value and priority. Nix evaluates expressions the scanner
		// leaves alone ("?"), so those only need to exist.
		for _, m := range mine {
			opt, _, _ := strings.Cut(m, "=")
			found := false
			for _, n := range nix {
				if n == m || strings.HasSuffix(m, "=?") && strings.HasPrefix(n, opt+"=") {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: scanner has %q, nix %q", c.name, m, nix)
			}
		}
	}
}

func quoteAll(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = "(/. + " + NixString(p) + ")"
	}
	return out
}

// The scanner never panics and never loops, whatever the input.
func FuzzScanHome(f *testing.F) {
	for _, c := range scanCases {
		f.Add(c.src)
	}
	f.Add("{ a = \"${ { b = ''x''; } }\"; }")
	f.Fuzz(func(t *testing.T, src string) {
		defs, err := scanHome([]byte(src))
		if err != nil && defs != nil {
			t.Fatal("definitions with an error")
		}
	})
}
