package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nixboard/nixboard/internal/safetext"
	"github.com/nixboard/nixboard/internal/shell"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/nixrun"
)

// runPreview is `nixboard switch --preview`: it builds the generation the
// switch would activate (plain progress lines), runs its activation with
// DRY_RUN so home-manager itself says which files are in the way, compares
// its packages with the active generation's, prints all of it and stops:
// nothing on the machine changes. It exits 1 when the build fails or the
// switch would stop on a file in the way, and then says what to do about
// the file instead of how to apply the preview.
func runPreview(ctx context.Context, st *stdio, plan nixrun.Plan) error {
	// The result link is a garbage-collector root: the generation shown
	// stays in the store until the next preview replaces the link.
	link := plan.PreviewLink()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	build, err := plan.BuildPlan(link)
	if err != nil {
		return err
	}
	fmt.Fprintf(st.out, "building: %s\n", safetext.Line(build.Command()))
	run, err := nixrun.Start(ctx, build)
	if err != nil {
		return err
	}
	d, sum := followPlain(ctx, st, run, nil, nixlog.NewState(nixlog.Options{}), run.Diagnose)
	if !d.OK {
		return finishPlain(st, d, sum, run.LogPath())
	}
	gen, err := filepath.EvalSymlinks(link)
	if err != nil {
		return fmt.Errorf("preview: the build left no generation at %s: %w", link, err)
	}
	v, err := plan.DryRun(ctx, gen)
	if err != nil {
		return err
	}
	fmt.Fprintf(st.out, "preview of switch %s (generation %s, nothing changed yet):\n", safetext.Line(plan.ConfigName), safetext.Line(gen))
	for _, l := range v.Lines() {
		fmt.Fprintln(st.out, safetext.Line(l))
	}
	if stop := v.StopLines(); len(stop) > 0 {
		// Not "to apply it": the switch would stop on these files.
		for _, l := range stop {
			fmt.Fprintln(st.out, safetext.Line(l))
		}
		return exitError{code: 1}
	}
	fmt.Fprintln(st.out, "to apply it: nixboard switch --dir "+safetext.Line(shell.Quote(plan.Dir)))
	return nil
}
