package nixrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nixboard/nixboard/nixlog"
)

// What a switch will change on this machine is found before it changes
// anything, with the tools that decide it: nix builds the generation
// (BuildPlan), home-manager's own activation in dry-run mode says which
// files are in the way and what happens to each (DryRunPlan: its
// checkLinkTargets step, folded by nixlog.State into Activation's
// MovedAside and Clobbered), and `nix store diff-closures` says which
// packages change against the generation that is active now.

// BuildPlan is the plan that builds the switch's generation without
// activating it: `nix build` of the flake's activationPackage with the
// switch's own flags. The result stays at outLink, a garbage-collector root,
// so the generation previewed is still there when the switch activates it.
func (p Plan) BuildPlan(outLink string) (Plan, error) {
	if p.Nix == "" {
		return Plan{}, errors.New("preview: nix is not on PATH: install Nix first (see nixboard doctor)")
	}
	if !filepath.IsAbs(outLink) {
		return Plan{}, fmt.Errorf("preview: the result link %q is not an absolute path", outLink)
	}
	b := p
	attr := p.Dir + "#homeConfigurations." + strconv.Quote(p.ConfigName) + ".activationPackage"
	b.Argv = append([]string{p.Nix, "build", "--out-link", outLink, "--log-format", "internal-json", "-v"}, p.ExtraArgs...)
	b.Argv = append(b.Argv, attr)
	return b, nil
}

// DryRunPlan runs a built generation's activate script with DRY_RUN set:
// home-manager's activation then reports what it would do, its
// checkLinkTargets step lists every existing file in the way of the new
// generation (moved to its backup, skipped as identical, or refused), and
// nothing is written. The -b extension is the switch's.
func (p Plan) DryRunPlan(generation string) Plan {
	d := p
	d.Argv = []string{filepath.Join(generation, "activate"), "--driver-version", "1"}
	d.Env = append(append([]string(nil), p.Env...), "DRY_RUN=1", "HOME_MANAGER_BACKUP_EXT="+p.BackupExt)
	return d
}

// CurrentGeneration is the store path of the generation home-manager's
// profile points at, or "" on a first run (no profile yet).
func (p Plan) CurrentGeneration() (string, error) {
	link := filepath.Join(p.ProfileDir, "home-manager")
	gen, err := filepath.EvalSymlinks(link)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("preview: the home-manager profile %s: %w", link, err)
	}
	return gen, nil
}

// ClosureChange is one package whose versions or size differ between two
// generations, as `nix store diff-closures` reports it.
type ClosureChange struct {
	Name string
	// Old and New are the versions before and after; nil when the package
	// is not in that closure (nix's ∅), "" for a version-less path (ε).
	// Both are nil when only the size changed.
	Old, New []string
	// SizeDelta is the change of the package's size in bytes, 0 when nix
	// did not print one (it does from 8 KiB on), as rounded as nix shows it.
	SizeDelta int64
}

// Added is true when the package is new, Removed when it is gone.
func (c ClosureChange) Added() bool   { return c.Old == nil && c.New != nil }
func (c ClosureChange) Removed() bool { return c.New == nil && c.Old != nil }

// DiffClosures runs `nix store diff-closures OLD NEW` with the plan's nix
// and environment and reads its report.
func DiffClosures(ctx context.Context, p Plan, old, new string) ([]ClosureChange, error) {
	out, err := p.nixOutput(ctx, "store", "diff-closures", old, new)
	if err != nil {
		return nil, err
	}
	return ParseDiffClosures(string(out))
}

// ParseDiffClosures reads the lines `nix store diff-closures` prints,
// `NAME: OLD → NEW[, ±SIZE]` or `NAME: ±SIZE`, versions separated by ", ".
// Nix colours the size even into a pipe; the colours are dropped. A line of
// another shape is an error naming it, never skipped.
func ParseDiffClosures(text string) ([]ClosureChange, error) {
	var out []ClosureChange
	for _, line := range strings.Split(nixlog.StripANSI(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, rest, ok := strings.Cut(line, ": ")
		if !ok || name == "" {
			return nil, fmt.Errorf("preview: unexpected line from nix store diff-closures: %q", line)
		}
		c := ClosureChange{Name: name}
		last := rest
		if i := strings.LastIndex(rest, ", "); i >= 0 {
			last = rest[i+2:]
		}
		if d, ok := parseSignedSize(last); ok {
			c.SizeDelta = d
			rest = strings.TrimSuffix(rest[:len(rest)-len(last)], ", ")
		}
		if rest != "" {
			old, new, ok := strings.Cut(rest, " → ")
			if !ok {
				return nil, fmt.Errorf("preview: unexpected line from nix store diff-closures: %q", line)
			}
			c.Old, c.New = versions(old), versions(new)
		}
		out = append(out, c)
	}
	return out, nil
}

// versions reads one side of a version change: "∅" is absent, "ε" an empty
// version.
func versions(s string) []string {
	if s == "∅" {
		return nil
	}
	vs := strings.Split(s, ", ")
	for i, v := range vs {
		if v == "ε" {
			vs[i] = ""
		}
	}
	return vs
}

// parseSignedSize reads nix's "+117.6 KiB" or "-2.0 MiB".
func parseSignedSize(s string) (int64, bool) {
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	num, unit, ok := strings.Cut(s[1:], " ")
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	mul := map[string]float64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}[unit]
	if mul == 0 {
		return 0, false
	}
	v := int64(f * mul)
	if s[0] == '-' {
		v = -v
	}
	return v, true
}

// ClosureSizes is the closure size in bytes of each store path, from
// `nix path-info --closure-size --json`: an array of objects with "path"
// on Nix before 2.19, an object keyed by path from 2.19 on.
func ClosureSizes(ctx context.Context, p Plan, paths ...string) (map[string]int64, error) {
	out, err := p.nixOutput(ctx, append([]string{"path-info", "--closure-size", "--json"}, paths...)...)
	if err != nil {
		return nil, err
	}
	return parsePathInfoSizes(out)
}

func parsePathInfoSizes(data []byte) (map[string]int64, error) {
	type info struct {
		Path        string `json:"path"`
		ClosureSize int64  `json:"closureSize"`
	}
	sizes := map[string]int64{}
	data = bytes.TrimSpace(data)
	if bytes.HasPrefix(data, []byte("[")) {
		var list []info
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("preview: nix path-info: %w", err)
		}
		for _, i := range list {
			sizes[i.Path] = i.ClosureSize
		}
		return sizes, nil
	}
	var byPath map[string]*info
	if err := json.Unmarshal(data, &byPath); err != nil {
		return nil, fmt.Errorf("preview: nix path-info: %w", err)
	}
	for path, i := range byPath {
		if i != nil { // null: a path that is not valid
			sizes[path] = i.ClosureSize
		}
	}
	return sizes, nil
}

// nixOutput runs a short nix command with the plan's environment and returns
// its standard output; a failure is its exit status and what it printed on
// stderr.
func (p Plan) nixOutput(ctx context.Context, args ...string) ([]byte, error) {
	if p.Nix == "" {
		return nil, errors.New("preview: nix is not on PATH: install Nix first (see nixboard doctor)")
	}
	cmd := exec.CommandContext(ctx, p.Nix, args...)
	cmd.Env = p.Env
	cmd.Dir = p.Dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(nixlog.StripANSI(stderr.String()))
		return nil, fmt.Errorf("preview: nix %s: %w: %s", strings.Join(args[:2], " "), err, msg)
	}
	return out, nil
}

// Preview is what a switch would change on this machine, found before it
// changes anything.
type Preview struct {
	// Generation is the built generation, not yet active; Current is the
	// active one, "" on a first run.
	Generation, Current string
	// MovedAside and Clobbered are checkLinkTargets' verdicts in the dry
	// run: files that will be moved to their backup name, and files in the
	// way that stop the switch.
	MovedAside []nixlog.Moved
	Clobbered  []nixlog.Clobber
	// Changes are the packages that change against Current (none on a
	// first run, where everything is new).
	Changes []ClosureChange
	// SizeBefore (0 on a first run) and SizeAfter are the closure sizes in
	// bytes of Current and Generation.
	SizeBefore, SizeAfter int64
}

// Inspect completes a preview once the generation is built and its dry-run
// activation folded into dry: the generation active now, the package
// changes against it and both closure sizes.
func (p Plan) Inspect(ctx context.Context, generation string, dry nixlog.Activation) (Preview, error) {
	v := Preview{Generation: generation, MovedAside: dry.MovedAside, Clobbered: dry.Clobbered}
	cur, err := p.CurrentGeneration()
	if err != nil {
		return v, err
	}
	v.Current = cur
	paths := []string{generation}
	if cur != "" {
		if v.Changes, err = DiffClosures(ctx, p, cur, generation); err != nil {
			return v, err
		}
		paths = append(paths, cur)
	}
	sizes, err := ClosureSizes(ctx, p, paths...)
	if err != nil {
		return v, err
	}
	v.SizeAfter, v.SizeBefore = sizes[generation], sizes[cur]
	return v, nil
}

// Lines says the preview as a person reads it: the files in the way and
// what happens to each, then the packages, then the sizes.
func (v Preview) Lines() []string {
	var out []string
	if len(v.MovedAside)+len(v.Clobbered) == 0 {
		out = append(out, "Files in the way: none")
	} else {
		out = append(out, "Files in the way:")
		for _, m := range v.MovedAside {
			out = append(out, "  "+m.From+" will be moved to "+m.To)
		}
		for _, c := range v.Clobbered {
			if c.BackupOf != "" {
				out = append(out, "  "+c.Path+" is an older backup in the way of backing up "+c.BackupOf+": the switch would stop; move it away first")
			} else {
				out = append(out, "  "+c.Path+" would be overwritten: the switch would stop; move it away first")
			}
		}
	}
	switch {
	case v.Current == "":
		out = append(out, "Packages: a first switch, everything is new")
	case len(v.Changes) == 0:
		out = append(out, "Packages: no change against the active generation")
	default:
		out = append(out, "Packages against the active generation:")
		for _, c := range v.Changes {
			out = append(out, "  "+c.String())
		}
	}
	if v.Current == "" {
		out = append(out, "Size: "+nixlog.Size(v.SizeAfter))
	} else {
		out = append(out, "Size: "+nixlog.Size(v.SizeBefore)+" → "+nixlog.Size(v.SizeAfter))
	}
	return out
}

// Stop is why the switch of the previewed generation would stop: files in
// the way that home-manager refuses to move aside (an older backup in the
// way of the backup, a symlink another tool made), with what to do about
// each, as the diagnosis of the failed switch would say it. OK when
// nothing in the preview stops the switch.
func (v Preview) Stop() nixlog.Diagnosis {
	return nixlog.ClobberDiagnosis(v.Clobbered, os.Lstat)
}

// StopLines say Stop as a person reads it: that the switch cannot go on,
// why, and each hint with its fix; none when nothing stops the switch.
func (v Preview) StopLines() []string {
	d := v.Stop()
	if d.OK {
		return nil
	}
	out := []string{"The switch cannot go on until this is dealt with: " + d.Reason + "."}
	return append(out, nixlog.HintLines(d)...)
}

// String is the change in one line: "+ ripgrep 14.0 (+117 KiB)",
// "- tmux 3.3", "~ git 2.40 → 2.41".
func (c ClosureChange) String() string {
	show := func(vs []string) string {
		for i, v := range vs {
			if v == "" {
				vs[i] = "(no version)"
			}
		}
		return strings.Join(vs, ", ")
	}
	old, new := show(append([]string(nil), c.Old...)), show(append([]string(nil), c.New...))
	var s string
	switch {
	case c.Added():
		s = "+ " + c.Name + " " + new
	case c.Removed():
		s = "- " + c.Name + " " + old
	case c.Old == nil && c.New == nil:
		s = "~ " + c.Name
	default:
		s = "~ " + c.Name + " " + old + " → " + new
	}
	switch {
	case c.SizeDelta > 0:
		s += " (+" + nixlog.Size(c.SizeDelta) + ")"
	case c.SizeDelta < 0:
		s += " (-" + nixlog.Size(-c.SizeDelta) + ")"
	}
	return s
}

// PreviewLink is where a preview keeps the generation it built: a
// garbage-collector root beside the logs, so the generation previewed is
// still in the store when the switch activates it, until the next preview
// replaces the link.
func (p Plan) PreviewLink() string {
	return filepath.Join(filepath.Dir(p.LogDir), "preview", "result")
}

// DryRun completes a preview of a built generation: it runs the
// generation's activation with DRY_RUN (DryRunPlan), folds what
// checkLinkTargets says into the files in the way, and compares the
// packages with the active generation (Inspect). A file in the way that
// would stop the switch makes the dry run exit 1: that is the answer
// (Preview.Clobbered), not a failure; a dry run that never started the
// activation is one.
func (p Plan) DryRun(ctx context.Context, generation string) (Preview, error) {
	dry, err := Start(ctx, p.DryRunPlan(generation))
	if err != nil {
		return Preview{}, err
	}
	s := nixlog.NewState(nixlog.Options{})
	if err := nixlog.Drain(dry, s); err != nil {
		return Preview{}, fmt.Errorf("preview: the dry run: %w", err)
	}
	waitErr := dry.Wait()
	act := s.Activation()
	if !act.Started {
		return Preview{}, fmt.Errorf("preview: the dry-run activation of %s failed (%v); full log: %s", generation, waitErr, dry.LogPath())
	}
	return p.Inspect(ctx, generation, act)
}
