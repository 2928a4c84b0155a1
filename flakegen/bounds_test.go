package flakegen

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An answers file far over MaxAnswersSize is refused from its size: Load
// reads none of it, so a sparse file of 80 MB costs nothing to refuse.
func TestLoadRefusesAFileOverTheSizeBeforeReadingIt(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: 80 MB long, no data written, so a reader that reads
	// it all spends 80 MB of memory where Load must spend none.
	if err := f.Truncate(80 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(p)
	if err == nil {
		t.Fatal("Load accepted an 80 MB file")
	}
	var verr ValidationErrors
	if errors.As(err, &verr) {
		t.Fatalf("Load parsed the file: %v", err)
	}
	for _, want := range []string{p, "83886080 bytes", "at most 1 MiB"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// A file without a size (a pipe, a device) is read only up to one byte
// past the limit.
func TestLoadReadsAStreamOnlyUpToTheLimit(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	written := make(chan int64, 1)
	go func() {
		// Write until Load closes the reading end (what it wrote is then
		// at most what Load read plus one pipe buffer), or 8 MiB, so a
		// Load that reads everything ends too.
		chunk := bytes.Repeat([]byte(" "), 4096)
		var n int64
		for n < 8<<20 {
			k, err := w.Write(chunk)
			n += int64(k)
			if err != nil {
				break
			}
		}
		w.Close()
		written <- n
	}()
	_, err = Load(fmt.Sprintf("/dev/fd/%d", r.Fd()))
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("Load of an endless stream: %v", err)
	}
	// Load opened its own descriptor of the pipe; close ours so the
	// writer sees that nobody reads any more.
	r.Close()
	if n := <-written; n > MaxAnswersSize+1<<20 {
		t.Errorf("the writer got %d bytes into the pipe; Load should stop reading after %d", n, MaxAnswersSize+1)
	}
}

func TestParseRefusesBytesOverTheSize(t *testing.T) {
	data := append([]byte(`{"hostname": "x"}`), bytes.Repeat([]byte(" "), MaxAnswersSize)...)
	_, err := Parse(data)
	if err == nil || !strings.Contains(err.Error(), "at most 1 MiB") {
		t.Fatalf("Parse: %v", err)
	}
}

// Every map and list at its limit, with keys and values at theirs, still
// fits in MaxAnswersSize: the size limit never refuses answers that
// Validate accepts (written in ASCII).
func TestMaxAnswersSizeHoldsTheLimits(t *testing.T) {
	a := sample()
	a.HomeBase.ShellAliases = map[string]string{}
	a.HomeBase.EnvironmentVariables = map[string]string{}
	a.HomeBase.AdditionalPackages = nil
	for i := range maxEntries {
		key := fmt.Sprintf("a%0*d", maxKey-1, i)
		a.HomeBase.ShellAliases[key] = strings.Repeat("x", maxValue)
		a.HomeBase.EnvironmentVariables["V"+key[1:]] = strings.Repeat("x", maxValue)
	}
	for i := range maxPackages {
		a.HomeBase.AdditionalPackages = append(a.HomeBase.AdditionalPackages, fmt.Sprintf("p%0*d", 2*maxKey-1, i))
	}
	if err := a.Validate(); err != nil {
		t.Fatalf("the answers at every limit do not validate: %v", err)
	}
	data := MarshalAnswers(a)
	if len(data) > MaxAnswersSize {
		t.Fatalf("answers at every limit are %d bytes, over MaxAnswersSize %d", len(data), MaxAnswersSize)
	}
	if _, err := Parse(data); err != nil {
		t.Errorf("Parse of answers at every limit: %v", err)
	}
}

// A list or map over its limit is one error naming the field and the
// limit, however many entries it has and whatever they are: its entries
// are not checked one by one.
func TestAListOverItsLimitIsOneError(t *testing.T) {
	const n = 50000
	var pkgs, numbers, aliases, env strings.Builder
	for i := range n {
		if i > 0 {
			pkgs.WriteString(",")
			numbers.WriteString(",")
			aliases.WriteString(",")
			env.WriteString(",")
		}
		// The same name each time: every one but the first would be
		// "listed twice".
		pkgs.WriteString(`"a"`)
		numbers.WriteString("1")
		fmt.Fprintf(&aliases, `"a%d": 1`, i)
		fmt.Fprintf(&env, `"0%d": ""`, i)
	}
	for _, tc := range []struct {
		name, homeBase, field, limit string
	}{
		{"same package", `"additionalPackages": [` + pkgs.String() + `]`, "homeBase.additionalPackages", "at most 200"},
		{"numbers", `"additionalPackages": [` + numbers.String() + `]`, "homeBase.additionalPackages", "at most 200"},
		{"aliases of the wrong type", `"shellAliases": {` + aliases.String() + `}`, "homeBase.shellAliases", "at most 200"},
		{"bad variable names", `"environmentVariables": {` + env.String() + `}`, "homeBase.environmentVariables", "at most 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := `{"homeBase": {"username": "alice", "homeDirectory": "/home/alice", ` + tc.homeBase + `},
				"hostname": "laptop", "system": "x86_64-linux", "platform": "linux"}`
			_, err := Parse([]byte(data))
			var verr ValidationErrors
			if !errors.As(err, &verr) {
				t.Fatalf("Parse: %v", err)
			}
			if len(verr) != 1 {
				t.Fatalf("%d errors, want 1; the first: %v", len(verr), verr[:min(3, len(verr))])
			}
			e := verr[0]
			if e.Field != tc.field || !strings.Contains(e.Problem, tc.limit) || !strings.Contains(e.Problem, fmt.Sprintf("has %d entries", n)) {
				t.Errorf("error = %v", e)
			}
		})
	}
}

// Validate, for answers built in memory (the wizard's), stops at the limit
// the same way.
func TestValidateStopsAtTheLimit(t *testing.T) {
	a := sample()
	for range 10000 {
		a.HomeBase.AdditionalPackages = append(a.HomeBase.AdditionalPackages, "ripgrep")
	}
	for i := range 10000 {
		a.HomeBase.EnvironmentVariables[fmt.Sprintf("%d", i)] = "$("
	}
	var verr ValidationErrors
	if !errors.As(a.Validate(), &verr) || len(verr) != 2 {
		t.Fatalf("Validate = %d errors, want 2 (one per list): %v", len(verr), verr[:min(4, len(verr))])
	}
	for _, f := range []string{"homeBase.additionalPackages", "homeBase.environmentVariables"} {
		if len(verr.Field(f)) != 1 {
			t.Errorf("no single error for %s: %v", f, verr)
		}
	}
}

// Unknown keys are named up to maxUnknownKeys per object, then counted in
// one error.
func TestManyUnknownKeysAreCounted(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"homeBase": {`)
	for i := range 5000 {
		fmt.Fprintf(&b, `"zz%d": 0,`, i)
	}
	b.WriteString(`"username": "alice"}}`)
	_, err := Parse([]byte(b.String()))
	var verr ValidationErrors
	if !errors.As(err, &verr) {
		t.Fatalf("Parse: %v", err)
	}
	unknown := 0
	for _, e := range verr {
		if strings.Contains(e.Problem, "is not a key nixboard knows") {
			unknown++
		}
	}
	if unknown != maxUnknownKeys {
		t.Errorf("%d unknown keys named, want %d", unknown, maxUnknownKeys)
	}
	rest := verr.Field("homeBase")
	if len(rest) != 1 || !strings.Contains(rest[0].Problem, fmt.Sprintf("has %d more keys", 5000-maxUnknownKeys)) {
		t.Errorf("errors for homeBase = %v", rest)
	}
	if len(verr) > maxUnknownKeys+5 {
		t.Errorf("%d errors for 5000 unknown keys", len(verr))
	}
}

// An unknown key and a wrong-typed value are shown escaped in the error:
// JSON text escapes C0 controls but not C1 ones or bidi characters, and a
// key is shown as it was given.
func TestFieldErrorsEscapeOutsideText(t *testing.T) {
	_, err := Parse([]byte(`{"x\u001b]0;t\u0007\u202e": 1, "hostname": ["\u009d0;t\u009c"], "homeBase": {"username": "\u200balice"}}`))
	var verr ValidationErrors
	if !errors.As(err, &verr) {
		t.Fatalf("Parse: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{`x\x1b]0;t\x07\u202e: 1 is not a key`, `hostname: ["\u009d0;t\u009c"] must be a string`, `homeBase.username: "\u200balice"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%q", want, msg)
		}
	}
	for _, raw := range []string{"\x1b", "\x07", "\u009d", "\u202e", "\u200b"} {
		if strings.Contains(msg, raw) {
			t.Errorf("error holds a raw %q:\n%q", raw, msg)
		}
	}
}
