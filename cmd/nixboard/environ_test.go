package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// processEnvReaders are the calls that read the process environment (or,
// for exec.LookPath, its PATH) instead of the one Main injects.
var processEnvReaders = map[string]bool{
	"os.Getenv": true, "os.Environ": true, "os.LookupEnv": true, "os.ExpandEnv": true,
	"os.UserHomeDir": true, "exec.LookPath": true,
}

// allowedEnvReaders are the functions that may read it: Main, which hands
// the environment down; detect.Host, the real machine by definition; and
// the packages of test helpers, which read CI and the tester's PATH.
var allowedEnvReaders = map[string]bool{
	"cmd/nixboard.Main":     true,
	"detect.Host":           true,
	"internal/nixtest.*":    true,
	"internal/switchtest.*": true,
}

// TestNothingBelowMainReadsTheProcessEnvironment parses every non-test Go
// file of the module and fails on a call that reads the process
// environment outside allowedEnvReaders: everything else takes the
// environment it is given, so tests can give another.
func TestNothingBelowMainReadsTheProcessEnvironment(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	calls := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				x, ok := sel.X.(*ast.Ident)
				if !ok || !processEnvReaders[x.Name+"."+sel.Sel.Name] {
					return true
				}
				calls++
				if allowedEnvReaders[pkg+"."+fn.Name.Name] || allowedEnvReaders[pkg+".*"] {
					return true
				}
				t.Errorf("%s: %s.%s reads the process environment: take the injected one instead",
					fset.Position(sel.Pos()), pkg, fn.Name.Name)
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Fatal("found no call at all: the walk missed the module")
	}
}
