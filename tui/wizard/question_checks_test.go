package wizard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseQuestionHasNoHiddenFilter: typing on the release question
// (a list of two or three releases) does not start huh's filter, which
// the wizard never offers in its key help: "/" and the letters after it
// change nothing, and enter takes the release shown.
func TestReleaseQuestionHasNoHiddenFilter(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	runDriven(t, opts, 80, 24, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPages(t, d, 1, 1)
		d.press("enter") // the directory, as offered
		before := d.view()
		d.press("/", "x", "y")
		if v := d.view(); v != before {
			t.Fatalf("typing on the release question changed the screen:\n%s", v)
		}
		d.press("enter", "enter") // the release, and the built-in base layer
		wantView(t, d, "Question page 3")
		if d.m.answers.Release == "" || strings.Contains(d.view(), "/xy") {
			t.Errorf("release %q after typing", d.m.answers.Release)
		}
	})
}

// TestFileAsDirectoryRefusedAtTheQuestion: a file given as the
// configuration directory is refused on the question page, naming the
// file, before the review; before, only the review's write plan refused it.
func TestFileAsDirectoryRefusedAtTheQuestion(t *testing.T) {
	t.Parallel()
	opts := testOptions(t, fakeReport("/home/alice"))
	file := filepath.Join(t.TempDir(), "notes")
	if err := os.WriteFile(file, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	runDriven(t, opts, 100, 24, func(t *testing.T, d *driver) {
		d.press("enter")
		acceptPages(t, d, 1, 1)
		d.press("ctrl+u")
		for _, r := range file {
			d.press(string(r))
		}
		d.press("enter", "enter")
		wantView(t, d, "is a file, not a directory")
		if v := d.view(); !strings.Contains(v, "Question page 2") {
			t.Fatalf("left the page with a file as the directory:\n%s", v)
		}
	})
}
