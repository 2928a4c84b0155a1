package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

func TestVersionLine(t *testing.T) {
	for _, c := range []struct{ version, commit, date, want string }{
		{"dev", "", "", "nixboard dev"},
		{"1.2.3", "abc1234", "", "nixboard 1.2.3 (commit abc1234)"},
		{"1.2.3", "abc1234", "2026-12-04T10:00:00Z", "nixboard 1.2.3 (commit abc1234, built 2026-12-04T10:00:00Z)"},
	} {
		if got := versionLine(c.version, c.commit, c.date); got != c.want {
			t.Errorf("versionLine(%q, %q, %q) = %q, want %q", c.version, c.commit, c.date, got, c.want)
		}
	}
}

// TestStampedBuildPrintsVersion builds the binary the way the release does
// (-ldflags -X into main.version, main.commit and main.date) and runs it:
// the variables the linker sets are the ones `nixboard version` prints.
func TestStampedBuildPrintsVersion(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "nixboard")
	ldflags := "-X main.version=1.2.3 -X main.commit=abc1234 -X main.date=2026-12-04T10:00:00Z"
	if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	want := "nixboard 1.2.3 (commit abc1234, built 2026-12-04T10:00:00Z)\n"
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if string(out) != want {
			t.Errorf("%v printed %q, want %q", args, out, want)
		}
	}
}
