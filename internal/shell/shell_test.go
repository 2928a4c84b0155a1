package shell

import (
	"os"
	"path/filepath"
	"testing"
)

// TestQuote: what the dry run and the hints print must paste into a shell
// as the same words.
func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/nix/store/x-home-manager/bin/home-manager": "/nix/store/x-home-manager/bin/home-manager",
		"/home/ada/.config/home-manager#ada@box":     "/home/ada/.config/home-manager#ada@box",
		"#ada@box":                                   "'#ada@box'",
		"":                                           "''",
		"it's":                                       `'it'\''s'`,
		"${HOME}/x":                                  "'${HOME}/x'",
		"NIX_CONFIG=a = b\nc = d":                    "'NIX_CONFIG=a = b\nc = d'",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := QuoteAll([]string{"a b", "c"}); len(got) != 2 || got[0] != "'a b'" || got[1] != "c" {
		t.Errorf("QuoteAll = %q", got)
	}
}

// TestLookPath: only absolute entries of the given list count, the first
// executable regular file wins, and directories or files without an
// execute bit are passed over.
func TestLookPath(t *testing.T) {
	root := t.TempDir()
	mk := func(dir, name string, mode os.FileMode) string {
		d := filepath.Join(root, dir)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, name)
		if mode.IsDir() {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
			return p
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mk("plain", "tool", 0o644)
	mk("dir", "tool", os.ModeDir|0o755)
	want := mk("good", "tool", 0o755)
	mk("later", "tool", 0o755)
	t.Chdir(root)
	mk(".", "rel", 0o755)
	list := filepath.Join(root, "plain") + ":" + filepath.Join(root, "dir") + "::" + "good" + ":" + filepath.Join(root, "good") + ":" + filepath.Join(root, "later")
	if got, err := LookPath("tool", list); err != nil || got != want {
		t.Errorf("LookPath(tool) = %q, %v, want %q", got, err, want)
	}
	if got, err := LookPath("rel", ".:"+list); err == nil {
		t.Errorf("LookPath(rel) = %q, want not found: relative entries are skipped", got)
	}
	if got, err := LookPath("tool", ""); err == nil {
		t.Errorf("LookPath with no PATH = %q, want an error", got)
	}
}

func TestGetenv(t *testing.T) {
	env := []string{"PATH=/a", "HOME=/h", "PATH=/b", "BROKEN"}
	if got := Getenv(env, "PATH"); got != "/b" {
		t.Errorf("Getenv(PATH) = %q, want the last pair /b", got)
	}
	if got := Getenv(env, "USER"); got != "" {
		t.Errorf("Getenv(USER) = %q, want empty", got)
	}
}
