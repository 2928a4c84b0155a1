package eta

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestKey(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-fixture-base-1.0.drv", "fixture-base"},
		{"/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-hello-2.12.1.drv", "hello"},
		{"/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-python3.12-requests-2.31.0.drv", "python3.12-requests"},
		{"/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-home-manager-generation.drv", "home-manager-generation"},
		{"/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-hm_fontconfigconf.d10hmfonts.conf.drv", "hm_fontconfigconf.d10hmfonts.conf"},
		{"/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-nix-2.26.3.drv", "nix"},
		{"/nix/store/vvhy67wmf6lcp60r5azc8d0kvjm8f610-source.drv", "source"},
		{"hello-2.12", "hello"},
		{"git-minimal-2.47.0", "git-minimal"},
		// A name starting with a dash and a digit keeps it: parseDrvName
		// would make it empty, which is no key.
		{"-1.0", "-1.0"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Key(c.in); got != c.want {
			t.Errorf("Key(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHistoryPath(t *testing.T) {
	cases := []struct {
		env     map[string]string
		want    string
		wantErr bool
	}{
		{map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/h"}, "/s/nixboard/builds.json", false},
		{map[string]string{"HOME": "/h"}, "/h/.local/state/nixboard/builds.json", false},
		// A relative XDG_STATE_HOME is ignored, as the XDG spec says.
		{map[string]string{"XDG_STATE_HOME": "rel", "HOME": "/h"}, "/h/.local/state/nixboard/builds.json", false},
		{map[string]string{"HOME": "rel"}, "", true},
		{map[string]string{}, "", true},
	}
	for _, c := range cases {
		got, err := HistoryPath(func(k string) string { return c.env[k] })
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("HistoryPath(%v) = %q, %v; want %q (error %v)", c.env, got, err, c.want, c.wantErr)
		}
	}
}

// stepClock is a clock that moves a second each time it is read.
func stepClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func TestTypicalIsTheMedianOfTheNewest(t *testing.T) {
	cases := []struct {
		name string
		secs []int
		want time.Duration
	}{
		{"one", []int{7}, 7 * time.Second},
		{"two: the mean of both", []int{2, 4}, 3 * time.Second},
		{"an outlier does not move it", []int{10, 11, 300, 9, 10}, 10 * time.Second},
		// Only the newest Samples count: the three old 100s are gone.
		{"old ones forgotten", []int{100, 100, 100, 5, 6, 5, 7, 6}, 6 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := OpenHistory(filepath.Join(t.TempDir(), "builds.json"), stepClock())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range c.secs {
				h.Record("hello", time.Duration(s)*time.Second)
			}
			got, ok := h.Typical("hello")
			if !ok || got != c.want {
				t.Errorf("Typical = %v, %v; want %v", got, ok, c.want)
			}
			if _, ok := h.Typical("other"); ok {
				t.Error("a derivation never recorded has a typical duration")
			}
		})
	}
}

func TestHistorySavesAndReadsBack(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "nixboard", "builds.json")
	h, err := OpenHistory(path, stepClock())
	if err != nil {
		t.Fatal(err)
	}
	if w := h.Warning(); w != "" {
		t.Errorf("a missing file warns: %s", w)
	}
	h.Record("hello", 1500*time.Millisecond)
	h.Record("git", 20*time.Second)
	if err := h.Save(); err != nil {
		t.Fatal(err)
	}
	h2, err := OpenHistory(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]time.Duration{"hello": 1500 * time.Millisecond, "git": 20 * time.Second} {
		if got, ok := h2.Typical(key); !ok || got != want {
			t.Errorf("read back %s = %v, %v; want %v", key, got, ok, want)
		}
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "builds.json builds.json.lock" {
		t.Errorf("the directory holds %v, want builds.json and its lock (no temporary file left)", names)
	}
}

func TestCorruptHistoryStartsAfresh(t *testing.T) {
	for _, content := range []string{"{not json", `{"version":0,"builds":{}}`, "", `[1,2]`} {
		t.Run(fmt.Sprintf("%q", content), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "builds.json")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			h, err := OpenHistory(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			w := h.Warning()
			if !strings.Contains(w, "not readable") || !strings.Contains(w, path) {
				t.Errorf("warning %q does not say the file is unreadable", w)
			}
			if again := h.Warning(); again != "" {
				t.Errorf("the warning came twice: %q", again)
			}
			h.Record("hello", time.Second)
			if err := h.Save(); err != nil {
				t.Fatal(err)
			}
			kept, err := os.ReadFile(path + ".corrupt")
			if err != nil || string(kept) != content {
				t.Errorf("the unreadable file was not kept: %q, %v", kept, err)
			}
			h2, err := OpenHistory(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if w := h2.Warning(); w != "" {
				t.Errorf("the saved file is unreadable: %s", w)
			}
			if d, ok := h2.Typical("hello"); !ok || d != time.Second {
				t.Errorf("after starting afresh: %v, %v", d, ok)
			}
		})
	}
}

func TestDamagedEntriesAreDropped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builds.json")
	content := `{"version":1,"builds":{"good":{"ms":[1000],"last":"2026-01-01T00:00:00Z"},"neg":{"ms":[-5],"last":"2026-01-01T00:00:00Z"},"empty":{"ms":[],"last":"2026-01-01T00:00:00Z"},"null":null}}`
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := OpenHistory(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := h.Typical("good"); !ok {
		t.Error("the good entry was dropped")
	}
	for _, k := range []string{"neg", "empty", "null"} {
		if d, ok := h.Typical(k); ok {
			t.Errorf("damaged entry %s gives %v", k, d)
		}
	}
}

func TestNewerHistoryIsNotReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builds.json")
	content := `{"version":2,"builds":{"hello":{"ms":[3000],"last":"2026-01-01T00:00:00Z"}},"more":true}`
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := OpenHistory(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := h.Warning(); !strings.Contains(w, "newer nixboard") {
		t.Errorf("warning %q", w)
	}
	if d, ok := h.Typical("hello"); !ok || d != 3*time.Second {
		t.Errorf("newer file not read: %v %v", d, ok)
	}
	h.Record("git", time.Second)
	if err := h.Save(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != content {
		t.Errorf("a newer nixboard's file was replaced: %s", got)
	}
}

func TestHistoryForgetsTheLeastRecentlySeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builds.json")
	h, err := OpenHistory(path, stepClock())
	if err != nil {
		t.Fatal(err)
	}
	for i := range MaxEntries + 10 {
		h.Record(fmt.Sprintf("pkg%d", i), time.Second)
	}
	// pkg0 is seen again: now it is the newest, and the ten seen longest
	// ago, pkg1..pkg10, go.
	h.Record("pkg0", time.Second)
	if err := h.Save(); err != nil {
		t.Fatal(err)
	}
	h2, err := OpenHistory(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f historyFile
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Builds) != MaxEntries {
		t.Errorf("the file keeps %d entries, want %d", len(f.Builds), MaxEntries)
	}
	for key, want := range map[string]bool{"pkg0": true, "pkg1": false, "pkg10": false, "pkg11": true, fmt.Sprintf("pkg%d", MaxEntries+9): true} {
		if _, ok := h2.Typical(key); ok != want {
			t.Errorf("%s kept = %v, want %v", key, ok, want)
		}
	}
}

// TestConcurrentRunsMergeAndNeverTear: two histories opened from the same
// file each record their own builds and save; both survive, since a save
// merges into the file as it is. Many saves racing with a reader never
// leave a file it cannot parse, and, taking turns on the lock, lose no
// writer's builds.
func TestConcurrentRunsMergeAndNeverTear(t *testing.T) {
	path := filepath.Join(t.TempDir(), "builds.json")
	a, err := OpenHistory(path, stepClock())
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenHistory(path, stepClock())
	if err != nil {
		t.Fatal(err)
	}
	a.Record("from-a", time.Second)
	b.Record("from-b", 2*time.Second)
	if err := a.Save(); err != nil {
		t.Fatal(err)
	}
	if err := b.Save(); err != nil {
		t.Fatal(err)
	}
	c, err := OpenHistory(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"from-a", "from-b"} {
		if _, ok := c.Typical(k); !ok {
			t.Errorf("%s was lost by the other run's save", k)
		}
	}

	const writers, saves = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*saves+64)
	done := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := OpenHistory(path, stepClock())
			if err != nil {
				errs <- err
				return
			}
			for i := range saves {
				h.Record(fmt.Sprintf("w%d-%d", w, i), time.Duration(i)*time.Millisecond)
				if err := h.Save(); err != nil {
					errs <- err
				}
			}
		}()
	}
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			data, err := os.ReadFile(path)
			if err != nil {
				errs <- err
				return
			}
			var f historyFile
			if err := json.Unmarshal(data, &f); err != nil {
				errs <- fmt.Errorf("torn file (%d bytes): %w", len(data), err)
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	final, err := OpenHistory(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := final.Warning(); w != "" {
		t.Errorf("after concurrent saves: %s", w)
	}
	for w := range writers {
		for i := range saves {
			if _, ok := final.Typical(fmt.Sprintf("w%d-%d", w, i)); !ok {
				t.Errorf("writer %d's build %d is missing", w, i)
			}
		}
	}
}
