package gitrepo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// TestStatusAndCommit runs real git: status entries for a staged, a
// modified, a renamed-in-index and an untracked file, relative to the top
// from a subdirectory; a commit as the given identity only when git has
// none; notes and the log read back.
func TestStatusAndCommit(t *testing.T) {
	nixtest.RequireGit(t)
	home := t.TempDir()
	g, err := Find([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1"})
	if err != nil {
		t.Fatal(err)
	}
	top := t.TempDir()
	ctx := t.Context()
	if err := g.Init(ctx, top); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(top, "cfg")
	os.MkdirAll(sub, 0o755)
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(top, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cfg/a.nix", "a\n")
	write("cfg/with space.nix", "b\n")
	if ok, err := g.HasHead(ctx, sub); ok || err != nil {
		t.Fatalf("HasHead before any commit = %v, %v", ok, err)
	}
	id := Identity{Name: "Fixture Person", Email: "fixture@example.invalid"}
	hash, err := g.Commit(ctx, sub, "first\n\nNixboard-Run: render\n", []string{"a.nix", "with space.nix"}, id)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := g.HasHead(ctx, sub); !ok || err != nil {
		t.Fatalf("HasHead after a commit = %v, %v", ok, err)
	}
	if out, _ := g.Output(ctx, top, nil, "log", "-1", "--format=%an <%ae>"); string(out) != "Fixture Person <fixture@example.invalid>\n" {
		t.Errorf("author = %q", out)
	}
	if _, err := os.Stat(filepath.Join(home, ".gitconfig")); err == nil {
		t.Errorf("Commit wrote a global git configuration")
	}
	write("cfg/a.nix", "a2\n")
	write("top.txt", "t\n")
	write("cfg/new.nix", "n\n")
	if err := g.Run(ctx, top, "add", "cfg/new.nix"); err != nil {
		t.Fatal(err)
	}
	es, err := g.Status(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range es {
		got[e.Path] = string(e.Kind) + e.XY
	}
	want := map[string]string{"cfg/a.nix": "1.M", "cfg/new.nix": "1A.", "top.txt": "?"}
	if len(got) != len(want) {
		t.Errorf("status = %v, want %v", got, want)
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("status of %s = %q, want %q (all: %v)", p, got[p], w, got)
		}
	}

	if err := g.SetNote(ctx, sub, hash, "Nixboard-Generation: 3", id); err != nil {
		t.Fatal(err)
	}
	log, err := g.Log(ctx, sub, "Nixboard-Run", ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Hash != hash || log[0].Subject != "first" || log[0].Trailer != "render" || log[0].Note != "Nixboard-Generation: 3" {
		t.Errorf("log = %+v", log)
	}
}

func TestParseStatusRename(t *testing.T) {
	es, err := parseStatus("# branch.oid x\x002 R. N... 100644 100644 100644 aaa bbb R100 new name.nix\x00old.nix\x00? u.txt\x00")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Path != "new name.nix" || es[0].Orig != "old.nix" || es[0].XY != "R." || !es[0].Changed() || es[1].Path != "u.txt" || es[1].Changed() {
		t.Errorf("entries = %+v", es)
	}
	if _, err := parseStatus("zz\x00"); err == nil {
		t.Errorf("an unknown record was accepted")
	}
}
