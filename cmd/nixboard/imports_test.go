package main

import (
	"go/build"
	"path/filepath"
	"strings"
	"testing"
)

// screenLibraries are the imports that belong to the screens (tui/...):
// cmd maps results to exit codes and leaves drawing to them.
var screenLibraries = []string{"charm.land/bubbletea/v2", "github.com/charmbracelet/colorprofile", "github.com/charmbracelet/x/term"}

// TestScreensLiveUnderTUI: cmd/nixboard imports no screen library, and of
// the module's packages it reaches, only those under tui/ import
// bubbletea.
func TestScreensLiveUnderTUI(t *testing.T) {
	const module = "github.com/nixboard/nixboard"
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(path string)
	walk = func(path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		pkg, err := build.ImportDir(filepath.Join(root, strings.TrimPrefix(strings.TrimPrefix(path, module), "/")), 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, imp := range pkg.Imports {
			for _, lib := range screenLibraries {
				if imp != lib {
					continue
				}
				if path == module+"/cmd/nixboard" {
					t.Errorf("cmd/nixboard imports %s", lib)
				}
				if lib == screenLibraries[0] && !strings.HasPrefix(path, module+"/tui/") {
					t.Errorf("%s imports bubbletea outside tui/", path)
				}
			}
			if strings.HasPrefix(imp, module+"/") {
				walk(imp)
			}
		}
	}
	walk(module + "/cmd/nixboard")
	if !seen[module+"/tui/switchview"] {
		t.Errorf("cmd/nixboard does not reach tui/switchview: %v", seen)
	}
}
