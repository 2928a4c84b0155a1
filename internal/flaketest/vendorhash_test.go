package flaketest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

var vendorHashLine = regexp.MustCompile(`(?m)^ *vendorHash = "(sha256-[A-Za-z0-9+/]{43}=)";`)

// TestVendorHashIsCurrent recomputes flake.nix's vendorHash the way
// buildGoModule's goModules derivation makes its output (`go mod vendor`,
// then vendor/ is the output) from the tracked files, offline: the modules
// come from the local module cache only (GOPROXY=off). So a change of
// go.mod or go.sum without scripts/update-vendor-hash.sh fails here instead
// of in the first `nix build`. modules.txt follows the Go version: the
// result equals nixpkgs' when this Go has the flake Go's minor version
// (go.mod's), which the test requires.
//
// `go test ./...` has downloaded every module before any test runs; a run
// of this package alone may not have, and then the test is skipped, or
// fails under CI=true.
func TestVendorHashIsCurrent(t *testing.T) {
	nix := nixtest.Require(t)
	git := nixtest.RequireGit(t)
	root := repoRoot(t)
	flake, err := os.ReadFile(filepath.Join(root, "flake.nix"))
	if err != nil {
		t.Fatal(err)
	}
	m := vendorHashLine.FindAllSubmatch(flake, -1)
	if len(m) != 1 {
		t.Fatalf("flake.nix has %d vendorHash lines of the form the update script rewrites, want 1", len(m))
	}
	want := string(m[0][1])

	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(goMod)
	if goLine == nil || !strings.HasPrefix(runtime.Version(), "go"+string(goLine[1])) {
		t.Fatalf("this Go is %s, go.mod's is %s: modules.txt would not be the one nixpkgs' Go writes", runtime.Version(), goLine)
	}

	// The flake's source: the tracked files as they are in the work tree.
	src := t.TempDir()
	ls := exec.Command(git, "ls-files", "-z")
	ls.Dir = root
	files, err := ls.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, name := range strings.Split(strings.TrimSuffix(string(files), "\x00"), "\x00") {
		if name != "go.mod" && name != "go.sum" && !strings.HasSuffix(name, ".go") {
			continue // go mod vendor reads only these
		}
		b, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		} else if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	vendor := exec.Command("go", "mod", "vendor")
	vendor.Dir = src
	vendor.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOWORK=off")
	if out, err := vendor.CombinedOutput(); err != nil {
		msg := "go mod vendor from the module cache: " + err.Error() + "\n" + string(out)
		if bytes.Contains(out, []byte("GOPROXY=off")) && os.Getenv("CI") != "true" {
			t.Skip(msg + "\n(a module is not in the cache yet: run `go mod download` or the whole `go test ./...`)")
		}
		t.Fatal(msg)
	}
	if err := os.MkdirAll(filepath.Join(src, "vendor"), 0o755); err != nil {
		t.Fatal(err)
	}
	hash := exec.Command(nix, "hash", "path", filepath.Join(src, "vendor"))
	hash.Env = nixtest.Env()
	out, err := hash.CombinedOutput()
	if err != nil {
		t.Fatalf("nix hash path: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("flake.nix's vendorHash is %s, the modules go.sum names hash to %s: run scripts/update-vendor-hash.sh", want, got)
	}
}
