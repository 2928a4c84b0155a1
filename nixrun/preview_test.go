package nixrun_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
	"github.com/nixboard/nixboard/internal/switchtest"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
)

// TestParseDiffClosures reads lines as Nix 2.8 and 2.26 print them (the
// same shape on both, sizes coloured even into a pipe).
func TestParseDiffClosures(t *testing.T) {
	out := "git: 2.40 → 2.41\n" +
		"ripgrep: ∅ → 14.0, \x1b[31;1m+117.6 KiB\x1b[0m\n" +
		"tmux: 3.3, 3.30 → ∅, \x1b[32;1m-206.0 KiB\x1b[0m\n" +
		"hello: ε → 2.12\n" +
		"blob: \x1b[31;1m+2.0 MiB\x1b[0m\n"
	got, err := nixrun.ParseDiffClosures(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []nixrun.ClosureChange{
		{Name: "git", Old: []string{"2.40"}, New: []string{"2.41"}},
		{Name: "ripgrep", New: []string{"14.0"}, SizeDelta: 120422},
		{Name: "tmux", Old: []string{"3.3", "3.30"}, SizeDelta: -210944},
		{Name: "hello", Old: []string{""}, New: []string{"2.12"}},
		{Name: "blob", SizeDelta: 2 << 20},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if !got[1].Added() || !got[2].Removed() || got[0].Added() || got[0].Removed() || got[4].Added() {
		t.Error("Added/Removed disagree with the versions")
	}
	if _, err := nixrun.ParseDiffClosures("something else entirely\n"); err == nil {
		t.Error("a line of another shape was skipped, not refused")
	}
	if c, err := nixrun.ParseDiffClosures(""); err != nil || len(c) != 0 {
		t.Errorf("no changes = %v, %v", c, err)
	}
}

// TestDiffClosuresWithRealNix builds two closures of fixture derivations
// (named like packages, not nixpkgs) with real nix and checks what
// DiffClosures and ClosureSizes make of nix's own reports, in both modes.
func TestDiffClosuresWithRealNix(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
		f := switchtest.New(t, switchtest.Config{Mode: mode})
		expr := `let mk = name: ver: kb: deps: derivation {
  name = "${name}-${ver}"; system = "` + switchtest.System() + `"; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
  salt = "` + switchtest.NewMarker("dc") + `";
  args = [ "-c" "mkdir $out; head -c ${toString (kb * 1024)} /dev/zero > $out/blob; echo ${toString deps} > $out/deps" ]; };
in {
  old = mk "home-manager-generation" "" 1 [ (mk "git" "2.40" 1 []) (mk "tmux" "3.3" 100 []) (mk "same" "1" 1 []) ];
  new = mk "home-manager-generation" "" 1 [ (mk "git" "2.41" 1 []) (mk "ripgrep" "14.0" 300 []) (mk "same" "1" 1 []) ];
}`
		file := filepath.Join(t.TempDir(), "closures.nix")
		if err := os.WriteFile(file, []byte(expr), 0o644); err != nil {
			t.Fatal(err)
		}
		build := func(attr string) string {
			out := switchtest.Nix(t, f.Env, "--extra-experimental-features", "nix-command", "build", "--no-link", "--json", "-f", file, attr)
			i := strings.Index(string(out), `"out":"`)
			if i < 0 {
				t.Fatalf("nix build --json: %s", out)
			}
			rest := string(out)[i+len(`"out":"`):]
			return rest[:strings.IndexByte(rest, '"')]
		}
		old, new := build("old"), build("new")
		p, err := nixrun.NewPlan(nixrun.SwitchOptions{Dir: f.Dir, ExtraArgs: f.ExtraArgs, Env: f.Env})
		if err != nil {
			t.Fatal(err)
		}
		got, err := nixrun.DiffClosures(context.Background(), p, old, new)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]nixrun.ClosureChange{}
		for _, c := range got {
			byName[c.Name] = c
		}
		if c := byName["git"]; !reflect.DeepEqual(c.Old, []string{"2.40"}) || !reflect.DeepEqual(c.New, []string{"2.41"}) {
			t.Errorf("git: %+v", c)
		}
		if c := byName["ripgrep"]; !c.Added() || c.SizeDelta < 290<<10 || c.SizeDelta > 310<<10 {
			t.Errorf("ripgrep: %+v, want added with about +300 KiB", c)
		}
		if c := byName["tmux"]; !c.Removed() || c.SizeDelta > -90<<10 {
			t.Errorf("tmux: %+v, want removed with about -100 KiB", c)
		}
		if _, ok := byName["same"]; ok || len(got) != 3 {
			t.Errorf("changes = %+v, want git, ripgrep and tmux only", got)
		}
		sizes, err := nixrun.ClosureSizes(context.Background(), p, old, new)
		if err != nil {
			t.Fatal(err)
		}
		if d := sizes[new] - sizes[old]; sizes[old] < 100<<10 || d < 190<<10 || d > 210<<10 {
			t.Errorf("closure sizes %v: old %d, new - old %d, want new about 200 KiB larger", sizes, sizes[old], d)
		}
		f.CheckMode(t)
	})
}

// drain runs a plan to its end and folds its output.
func drain(t *testing.T, p nixrun.Plan) (*nixlog.State, error) {
	t.Helper()
	r, err := nixrun.Start(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	s := nixlog.NewState(nixlog.Options{})
	for {
		batch, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		s.FeedLines(batch)
	}
	return s, r.Wait()
}

// TestPreviewBeforeTheSwitch: the generation is built without being
// activated, the dry-run activation lists the files in the way (moved aside,
// or refused when an older backup is in the way) and changes nothing, and
// the switch then activates exactly the previewed generation.
func TestPreviewBeforeTheSwitch(t *testing.T) {
	t.Parallel()
	nixtest.EachMode(t, func(t *testing.T, mode nixtest.Mode) {
		f := switchtest.New(t, switchtest.Config{Mode: mode})
		p, err := nixrun.NewPlan(nixrun.SwitchOptions{Dir: f.Dir, ExtraArgs: f.ExtraArgs, Env: f.Env})
		if err != nil {
			t.Fatal(err)
		}
		if err := nixrun.Prepare(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		if cur, err := p.CurrentGeneration(); err != nil || cur != "" {
			t.Fatalf("first run: current generation %q, %v", cur, err)
		}
		link := filepath.Join(t.TempDir(), "result")
		b, err := p.BuildPlan(link)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := drain(t, b); err != nil {
			t.Fatalf("build: %v", err)
		}
		gen, err := filepath.EvalSymlinks(link)
		if err != nil || !strings.HasPrefix(gen, "/nix/store/") {
			t.Fatalf("built generation %q, %v", gen, err)
		}
		bashrc := filepath.Join(f.Home, ".bashrc")
		if err := os.WriteFile(bashrc, []byte("# mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := drain(t, p.DryRunPlan(gen))
		if err != nil {
			t.Fatalf("dry run: %v", err)
		}
		a := s.Activation()
		if len(a.MovedAside) != 1 || a.MovedAside[0].From != bashrc || a.MovedAside[0].To != bashrc+"."+nixrun.DefaultBackupExt {
			t.Errorf("moved aside = %+v, want %s to its backup", a.MovedAside, bashrc)
		}
		if data, _ := os.ReadFile(bashrc); string(data) != "# mine\n" {
			t.Errorf("the dry run changed ~/.bashrc: %q", data)
		}
		if cur, _ := p.CurrentGeneration(); cur != "" {
			t.Errorf("the dry run made a profile generation: %s", cur)
		}
		// An older backup in the way: the switch would be refused.
		if err := os.WriteFile(bashrc+"."+nixrun.DefaultBackupExt, []byte("# older\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err = drain(t, p.DryRunPlan(gen))
		if err == nil {
			t.Error("a dry run with a backup in the way succeeded")
		}
		if c := s.Activation().Clobbered; len(c) != 1 || c[0].Path != bashrc+"."+nixrun.DefaultBackupExt || c[0].BackupOf != bashrc {
			t.Errorf("clobbered = %+v", c)
		}
		if err := os.Remove(bashrc + "." + nixrun.DefaultBackupExt); err != nil {
			t.Fatal(err)
		}
		if _, err := drain(t, p); err != nil {
			t.Fatalf("switch: %v", err)
		}
		if cur, err := p.CurrentGeneration(); err != nil || cur != gen {
			t.Errorf("the switch activated %q (%v), not the previewed %s", cur, err, gen)
		}
		if changes, err := nixrun.DiffClosures(context.Background(), p, gen, gen); err != nil || len(changes) != 0 {
			t.Errorf("a generation against itself: %+v, %v", changes, err)
		}
		f.CheckMode(t)
	})
}

// TestPreviewStopLines: a preview whose dry run found files home-manager
// refuses to move aside says that the switch cannot go on, names them and
// gives the fix a failed switch's diagnosis gives; one with none says
// nothing.
func TestPreviewStopLines(t *testing.T) {
	home := t.TempDir()
	link := filepath.Join(home, ".zshrc")
	if err := os.Symlink("/etc/zshrc", link); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		clobbered []nixlog.Clobber
		want      []string
	}{
		{"nothing in the way", nil, nil},
		{"an older backup", []nixlog.Clobber{{Path: "/home/a/.profile.nixboard-backup", BackupOf: "/home/a/.profile"}}, []string{
			"The switch cannot go on until this is dealt with: /home/a/.profile would be clobbered.",
			"hint: 1 file could not be backed up: an older backup is in the way",
			"  fix: mv -n -- /home/a/.profile.nixboard-backup /home/a/.profile.nixboard-backup.old",
		}},
		{"a symlink another tool made", []nixlog.Clobber{{Path: link}}, []string{
			"The switch cannot go on until this is dealt with: " + link + " would be clobbered.",
			"hint: 1 file is a symlink home-manager cannot back up",
			"  fix: rm -- " + link,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := nixrun.Preview{Clobbered: c.clobbered}
			got := v.StopLines()
			if c.want == nil {
				if got != nil || !v.Stop().OK {
					t.Errorf("StopLines = %q, Stop = %+v; want none", got, v.Stop())
				}
				return
			}
			if v.Stop().OK {
				t.Error("Stop is OK with files refused")
			}
			text := strings.Join(got, "\n")
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("StopLines lack %q:\n%s", w, text)
				}
			}
		})
	}
}
