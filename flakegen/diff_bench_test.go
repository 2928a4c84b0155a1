package flakegen

import (
	"fmt"
	"strings"
	"testing"
)

// largeEdit returns a generated file of n lines, Nix-like so that many
// lines repeat (closing braces, blank lines), and a copy of it changed in
// a few places far apart: one line changed, two lines inserted, one line
// deleted and the last line changed.
func largeEdit(n int) (old, new []byte) {
	lines := make([]string, n)
	for i := range lines {
		switch i % 5 {
		case 0:
			lines[i] = fmt.Sprintf("  programs.p%d = {\n", i)
		case 1:
			lines[i] = "    enable = true;\n"
		case 2:
			lines[i] = fmt.Sprintf("    settings.value = %d;\n", i)
		case 3:
			lines[i] = "  };\n"
		default:
			lines[i] = "\n"
		}
	}
	old = []byte(strings.Join(lines, ""))
	changed := append([]string(nil), lines...)
	changed[n/10] = "    enable = false;\n"
	changed = append(changed[:n/2], append([]string{"  # added\n", "  home.x = 1;\n"}, changed[n/2:]...)...)
	changed = append(changed[:3*n/4], changed[3*n/4+1:]...)
	changed[len(changed)-1] = "# end\n"
	return old, []byte(strings.Join(changed, ""))
}

// BenchmarkUnifiedDiff diffs a 10,000-line file changed in a few places,
// the size at which a quadratic line table costs hundreds of megabytes, and
// a file of the size nixboard renders, so that neither case regresses.
func BenchmarkUnifiedDiff(b *testing.B) {
	for _, n := range []int{10000, 200} {
		old, new := largeEdit(n)
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if UnifiedDiff("a/x", "b/x", old, new) == "" {
					b.Fatal("no diff")
				}
			}
		})
	}
}
