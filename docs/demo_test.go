// Package docs holds the README's pictures, made by scripts/record-demo.sh,
// and the test that they still show what nixboard shows.
package docs

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// TestRecordingsCurrent runs scripts/record-demo.sh again (its casts only,
// without the reader's pauses) and compares what the new casts show with
// the committed ones: for the demo the ordered screens (see screenSequence),
// for the two stills their whole last screen. The stills' SVGs must hold
// that screen line by line, and demo.svg a frame for each of the demo's
// screens, so an SVG left from an older cast fails too. Timing and volatile text (the demo's directory,
// elapsed times, commit hashes) are left out of the comparison. When a
// screen changes, run scripts/record-demo.sh and commit docs/.
func TestRecordingsCurrent(t *testing.T) {
	nixtest.RequireTmux(t)
	nixtest.RequireAsciinema(t)
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join("..", "scripts", "record-demo.sh"), "--cast-only", out)
	cmd.Env = append(os.Environ(), "PACE=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/record-demo.sh --cast-only: %v\n%s", err, b)
	}

	t.Run("demo", func(t *testing.T) {
		committed, err := screenSequence("demo.cast")
		if err != nil {
			t.Fatal(err)
		}
		now, err := screenSequence(filepath.Join(out, "demo.cast"))
		if err != nil {
			t.Fatal(err)
		}
		if len(committed) < 8 {
			t.Fatalf("docs/demo.cast shows %d screens, fewer than the demo's pages:\n%s", len(committed), strings.Join(committed, "\n"))
		}
		if strings.Join(committed, "\n") != strings.Join(now, "\n") {
			t.Errorf("the demo's screens changed since docs/demo.cast was recorded (run scripts/record-demo.sh):\n%s", sequenceDiff(committed, now))
		}
		// docs/demo.svg is made from docs/demo.cast: it shows each of
		// those screens, header and title in one frame.
		frames, err := svgFrames("demo.svg")
		if err != nil {
			t.Fatal(err)
		}
		for _, screen := range committed {
			header, title, _ := strings.Cut(strings.TrimPrefix(screen, "end: "), " | ")
			if !slices.ContainsFunc(frames, func(rows []string) bool { return showsScreen(rows, header, title) }) {
				t.Errorf("docs/demo.svg has no frame showing %q (run scripts/record-demo.sh)", screen)
			}
		}
	})
	for _, still := range []string{"doctor", "switch"} {
		t.Run(still, func(t *testing.T) {
			committed, err := stillScreen(still + ".cast")
			if err != nil {
				t.Fatal(err)
			}
			now, err := stillScreen(filepath.Join(out, still+".cast"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(committed, "\n") != strings.Join(now, "\n") {
				t.Errorf("docs/%s.cast is not what nixboard shows now (run scripts/record-demo.sh):\n%s", still, sequenceDiff(committed, now))
			}
			frames, err := svgFrames(still + ".svg")
			if err != nil {
				t.Fatal(err)
			}
			if len(frames) != 1 {
				t.Fatalf("docs/%s.svg has %d frames, want the one of a still", still, len(frames))
			}
			svg := map[string]bool{}
			for _, r := range frames[0] {
				svg[normalize(r)] = true
			}
			for _, line := range now {
				if line != "" && !svg[line] {
					t.Errorf("docs/%s.svg lacks the line %q (run scripts/record-demo.sh)", still, line)
				}
			}
		})
	}
}

// TestREADMEShowsTheRecordings: the README shows each picture at the top
// of the section it belongs to, and says how to remake them.
func TestREADMEShowsTheRecordings(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, c := range []struct{ before, image string }{
		{"failure into a next step.\n\n", "![nixboard --demo"},
		{"## Check the machine: `nixboard doctor`\n\n", "![nixboard doctor"},
		{"## Switch: `nixboard switch`\n\n", "![the switch screen"},
	} {
		_, after, ok := strings.Cut(readme, c.before)
		if !ok || !strings.HasPrefix(after, c.image) {
			t.Errorf("README.md does not show %s... right after %q", c.image, c.before)
		}
	}
	for _, file := range []string{"docs/demo.svg", "docs/doctor.svg", "docs/switch.svg", "scripts/record-demo.sh"} {
		if !strings.Contains(readme, file) {
			t.Errorf("README.md does not name %s", file)
		}
		if _, err := os.Stat(filepath.Join("..", file)); err != nil {
			t.Error(err)
		}
	}
}

// TestScreenSequenceSeesAChangedTitle: a screen whose title changed makes
// another sequence, so the comparison above can fail.
func TestScreenSequenceSeesAChangedTitle(t *testing.T) {
	cast := func(title string) string {
		p := filepath.Join(t.TempDir(), "x.cast")
		events := []any{
			[]any{0.1, "o", "\x1b[?1049h\x1b[H\x1b[2Jnixboard  [Welcome] › Done\r\n────\r\n" + title + "\r\n"},
			[]any{0.2, "i", "\r"},
			[]any{0.3, "o", "\x1b[H\x1b[2Jnixboard  Welcome › [Done]\r\n────\r\n✓ set up (4.2s).\r\n"},
			[]any{0.4, "i", "q"},
			[]any{0.5, "o", "\x1b[?1049lbye\r\n"},
		}
		var b strings.Builder
		b.WriteString(`{"version": 2, "width": 40, "height": 6}` + "\n")
		for _, e := range events {
			j, _ := json.Marshal(e)
			b.Write(j)
			b.WriteString("\n")
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, err := screenSequence(cast("Press enter to answer a few questions"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"nixboard [Welcome] › Done | Press enter to answer a few questions",
		"nixboard Welcome › [Done] | ✓ set up (Ds).",
		"end: bye",
	}
	if strings.Join(a, "\n") != strings.Join(want, "\n") {
		t.Errorf("sequence:\n%s\nwant:\n%s", strings.Join(a, "\n"), strings.Join(want, "\n"))
	}
	b, err := screenSequence(cast("Press enter to answer some questions"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a, "\n") == strings.Join(b, "\n") {
		t.Errorf("a changed title left the sequence the same:\n%s", strings.Join(b, "\n"))
	}
}

// showsScreen says whether a frame's rows hold a screen's header row and a
// row starting with its title (see screenKey; an empty title matches).
func showsScreen(rows []string, header, title string) bool {
	hasHeader, hasTitle := false, title == ""
	for _, r := range rows {
		r = normalize(r)
		hasHeader = hasHeader || r == header
		hasTitle = hasTitle || strings.HasPrefix(r, title)
	}
	return hasHeader && hasTitle
}

// castEvent is one line of an asciinema v2 cast after its header.
type castEvent struct {
	at   float64
	kind string // "o" output, "i" a key press
	data string
}

// readCast reads an asciinema v2 cast: its size and its events.
func readCast(path string) (width, height int, events []castEvent, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	if !sc.Scan() {
		return 0, 0, nil, fmt.Errorf("%s: no header", path)
	}
	var header struct {
		Version, Width, Height int
	}
	if err := json.Unmarshal(sc.Bytes(), &header); err != nil || header.Version != 2 {
		return 0, 0, nil, fmt.Errorf("%s: not an asciinema v2 cast: %v", path, err)
	}
	for n := 2; sc.Scan(); n++ {
		var raw []any
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil || len(raw) != 3 {
			return 0, 0, nil, fmt.Errorf("%s:%d: not an event: %v", path, n, err)
		}
		at, ok1 := raw[0].(float64)
		kind, ok2 := raw[1].(string)
		data, ok3 := raw[2].(string)
		if !ok1 || !ok2 || !ok3 {
			return 0, 0, nil, fmt.Errorf("%s:%d: not an event", path, n)
		}
		events = append(events, castEvent{at, kind, data})
	}
	return header.Width, header.Height, events, sc.Err()
}

// terminal feeds a cast's output through a terminal emulator.
type terminal struct {
	emu     *vt.Emulator
	drained chan struct{}
}

func newTerminal(w, h int) *terminal {
	t := &terminal{vt.NewEmulator(w, h), make(chan struct{})}
	// The emulator answers the program's queries (cursor position, modes)
	// on its input side; nothing reads them here, and an unread answer
	// would block the next write.
	go func() {
		io.Copy(io.Discard, t.emu)
		close(t.drained)
	}()
	return t
}

func (t *terminal) write(s string) { t.emu.WriteString(s) }

// close ends the drain by closing the input side's writer, which ends its
// reader with EOF; Emulator.Close would race with the drain's Read on the
// emulator's closed flag.
func (t *terminal) close() {
	t.emu.InputPipe().(io.Closer).Close()
	<-t.drained
}

// lines is the screen, one string per row, trailing spaces cut.
func (t *terminal) lines() []string {
	rows := strings.Split(t.emu.String(), "\n")
	for i, r := range rows {
		rows[i] = strings.TrimRight(r, " ")
	}
	return rows
}

// screenSequence reduces a cast of the wizard to the screens a reader
// sees, in order, each as "HEADER | TITLE": the screen's first line (the
// wizard's steps, the current one in brackets) and its next line that is
// not a rule, up to two spaces (what follows is state: a status, a
// timer). A screen counts when a key is pressed on it (the recording
// waited for it), and when a step the recording pressed no key in lasted
// three seconds or more (the switch, which goes to Done by itself; a step
// as short as the writing of the files may not have been drawn at all);
// the same screen twice in a row counts once. The sequence ends with the
// terminal's last screen after the program left: "end: " and its first
// line.
func screenSequence(path string) ([]string, error) {
	w, h, events, err := readCast(path)
	if err != nil {
		return nil, err
	}
	term := newTerminal(w, h)
	defer term.close()
	var seq []string
	add := func(s string) {
		if len(seq) == 0 || seq[len(seq)-1] != s {
			seq = append(seq, s)
		}
	}
	header, since, keyed, last := "", 0.0, false, ""
	for _, e := range events {
		switch e.kind {
		case "i":
			add(screenKey(term.lines()))
			keyed = true
		case "o":
			term.write(e.data)
			key := screenKey(term.lines())
			if h, _, _ := strings.Cut(key, " | "); h != header {
				if !keyed && header != "" && e.at-since >= 3 {
					add(last)
				}
				header, since, keyed = h, e.at, false
			}
			last = key
		}
	}
	end := "end:"
	for _, l := range term.lines() {
		if l != "" {
			end += " " + normalize(l)
			break
		}
	}
	add(end)
	return seq, nil
}

// screenKey is a screen's "HEADER | TITLE" (see screenSequence).
func screenKey(lines []string) string {
	var parts []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.Trim(l, "─") == "" {
			continue
		}
		if len(parts) == 1 {
			l, _, _ = strings.Cut(l, "  ")
		}
		parts = append(parts, normalize(l))
		if len(parts) == 2 {
			break
		}
	}
	return strings.Join(parts, " | ")
}

// stillScreen is a still's picture: the screen before the cast's first
// key press (or at its end), rows normalized, trailing blank rows cut.
func stillScreen(path string) ([]string, error) {
	w, h, events, err := readCast(path)
	if err != nil {
		return nil, err
	}
	term := newTerminal(w, h)
	defer term.close()
	for _, e := range events {
		if e.kind == "i" {
			break
		}
		if e.kind == "o" {
			term.write(e.data)
		}
	}
	rows := term.lines()
	for len(rows) > 0 && rows[len(rows)-1] == "" {
		rows = rows[:len(rows)-1]
	}
	for i, r := range rows {
		rows[i] = normalize(r)
	}
	return rows, nil
}

var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	// The demo's directory: under TMPDIR, with the user's id, and another
	// name when a second demo runs at the same time.
	{regexp.MustCompile(`/\S*nixboard-demo-[^\s/]*`), "DEMO"},
	// Commit hashes.
	{regexp.MustCompile(`\b[0-9a-f]{7,40}\b`), "HASH"},
	// Elapsed times and durations: 0:04, 6s, 4.7s, 120ms.
	{regexp.MustCompile(`\b\d+:\d\d\b`), "M:SS"},
	{regexp.MustCompile(`\b\d+(\.\d+)?(ms|s)\b`), "Ds"},
}

// normalize replaces a line's volatile text and collapses its runs of
// spaces, which move when a volatile text's length does.
func normalize(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return strings.Join(strings.Fields(s), " ")
}

// svgFrames reads an SVG that svg-term made: its frames (one for a still,
// one per screen of an animation), each the terminal's rows. A frame is an
// <svg> element holding <text> elements; a row is the texts of one y, each
// word placed at its column (x / the cell width, 0.6 of the font size).
// svgo, which svg-term runs, moves rows that occur more than once into a
// <symbol> drawn by <use y=...>; those count in each frame that uses them.
func svgFrames(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	type word struct {
		x, y float64
		text string
	}
	var frames [][]word
	var open []int // the frames of the <svg> elements being read, innermost last
	symbols := map[string][]word{}
	symbol := "" // the id of the <symbol> being read
	cell := 0.0
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if ee, ok := tok.(xml.EndElement); ok {
			switch ee.Name.Local {
			case "symbol":
				symbol = ""
			case "svg":
				open = open[:len(open)-1]
			}
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := func(name string) string {
			for _, a := range se.Attr {
				if a.Name.Local == name {
					return a.Value
				}
			}
			return ""
		}
		num := func(name string) float64 {
			v, _ := strconv.ParseFloat(attr(name), 64)
			return v
		}
		put := func(w word) {
			if symbol != "" {
				symbols[symbol] = append(symbols[symbol], w)
			} else if len(open) > 0 {
				frames[open[len(open)-1]] = append(frames[open[len(open)-1]], w)
			}
		}
		switch se.Name.Local {
		case "svg":
			frames = append(frames, nil)
			open = append(open, len(frames)-1)
		case "g":
			if size, err := strconv.ParseFloat(attr("font-size"), 64); err == nil {
				cell = 0.6 * size
			}
		case "symbol":
			symbol = attr("id")
		case "use":
			for _, w := range symbols[strings.TrimPrefix(attr("href"), "#")] {
				put(word{w.x + num("x"), w.y + num("y"), w.text})
			}
		case "text":
			var text string
			if err := dec.DecodeElement(&text, &se); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			put(word{num("x"), num("y"), text})
		}
	}
	if cell == 0 {
		return nil, fmt.Errorf("%s: no font size", path)
	}
	var out [][]string
	for _, words := range frames {
		if len(words) == 0 {
			continue
		}
		// Rows by y, top to bottom; words by x within a row.
		key := func(y float64) int64 { return int64(math.Round(y * 1000)) }
		sort.SliceStable(words, func(i, j int) bool {
			if key(words[i].y) != key(words[j].y) {
				return key(words[i].y) < key(words[j].y)
			}
			return words[i].x < words[j].x
		})
		var rows []string
		var b strings.Builder
		for i, w := range words {
			if i > 0 && key(w.y) != key(words[i-1].y) {
				rows = append(rows, b.String())
				b.Reset()
			}
			if pad := int(math.Round(w.x/cell)) - ansi.StringWidth(b.String()); pad > 0 {
				b.WriteString(strings.Repeat(" ", pad))
			}
			b.WriteString(w.text)
		}
		out = append(out, append(rows, b.String()))
	}
	return out, nil
}

// sequenceDiff shows two sequences side by side from where they differ.
func sequenceDiff(want, got []string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at %d\n--- committed:\n", i)
	for _, s := range want[i:] {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	b.WriteString("--- now:\n")
	for _, s := range got[i:] {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	return b.String()
}
