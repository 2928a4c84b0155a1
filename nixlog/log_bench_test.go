package nixlog

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"testing"
)

// syntheticLog writes a realistic log of about n lines: mostly build log
// lines and progress results, some activity starts and stops, messages and
// plain activation text, the way a large `home-manager switch` prints it.
func syntheticLog(w io.Writer, n int) (builds int) {
	const base = uint64(34853659607040)
	id := base
	line := 0
	emit := func(format string, a ...any) {
		fmt.Fprintf(w, format, a...)
		line++
	}
	emit("@nix {\"action\":\"start\",\"id\":%d,\"level\":0,\"text\":\"\",\"type\":102}\n", base)
	emit("@nix {\"action\":\"start\",\"id\":%d,\"level\":0,\"text\":\"\",\"type\":104}\n", base+1)
	emit("@nix {\"action\":\"start\",\"id\":%d,\"level\":0,\"text\":\"\",\"type\":103}\n", base+2)
	id = base + 3
	expected := n / 1427
	done := 0
	for line < n-20 {
		b := id
		id++
		drv := fmt.Sprintf("/nix/store/%032d-pkg-%d.drv", b, done)
		emit("@nix {\"action\":\"start\",\"fields\":[\"%s\",\"\",1,1],\"id\":%d,\"level\":3,\"text\":\"building '%s'\",\"type\":105}\n", drv, b, drv)
		emit("@nix {\"action\":\"result\",\"fields\":[\"buildPhase\"],\"id\":%d,\"type\":104}\n", b)
		for k := 0; k < 1400 && line < n-20; k++ {
			switch {
			case k%10 == 9:
				emit("@nix {\"action\":\"result\",\"fields\":[%d,%d,1,0],\"id\":%d,\"type\":105}\n", done, expected, base+1)
			case k%10 == 8:
				emit("@nix {\"action\":\"result\",\"fields\":[101,%d],\"id\":%d,\"type\":106}\n", 1<<20, base)
			case k%50 == 7:
				emit("@nix {\"action\":\"msg\",\"level\":1,\"msg\":\"\\u001b[35;1mwarning:\\u001b[0m something %d happened\"}\n", k)
			case k%100 == 3:
				emit("@nix {\"action\":\"result\",\"fields\":[\"gcc -O2 -c \\\"src/file%d.c\\\" -o obj/file%d.o\\t\\u001b[32mOK\\u001b[0m\"],\"id\":%d,\"type\":101}\n", k, k, b)
			default:
				emit("@nix {\"action\":\"result\",\"fields\":[\"  CC       src/module/file%d.o   -Wall -Wextra -O2 -fPIC -DNDEBUG\"],\"id\":%d,\"type\":101}\n", k, b)
			}
		}
		// A copy with byte progress now and then.
		c := id
		id++
		emit("@nix {\"action\":\"start\",\"fields\":[\"/nix/store/%032d-dep\",\"https://cache.nixos.org\",\"local\"],\"id\":%d,\"level\":3,\"text\":\"copying path\",\"type\":100}\n", c, c)
		t := id
		id++
		emit("@nix {\"action\":\"start\",\"fields\":[\"https://cache.nixos.org/nar/x.nar.xz\"],\"id\":%d,\"level\":4,\"text\":\"downloading\",\"type\":101}\n", t)
		for k := 1; k <= 20; k++ {
			emit("@nix {\"action\":\"result\",\"fields\":[%d,20000,0,0],\"id\":%d,\"type\":105}\n", k*1000, t)
		}
		emit("@nix {\"action\":\"stop\",\"id\":%d}\n", t)
		emit("@nix {\"action\":\"stop\",\"id\":%d}\n", c)
		emit("@nix {\"action\":\"stop\",\"id\":%d}\n", b)
		emit("these 3 paths will be fetched (%d.5 MiB download, %d MiB unpacked):\n", done, done)
		done++
	}
	emit("@nix {\"action\":\"stop\",\"id\":%d}\n", base+2)
	emit("@nix {\"action\":\"stop\",\"id\":%d}\n", base+1)
	emit("@nix {\"action\":\"stop\",\"id\":%d}\n", base)
	emit("Starting Home Manager activation\n")
	emit("Activating linkGeneration\n")
	emit("Activating onFilesChange\n")
	return done
}

var (
	benchOnce sync.Once
	benchLog  []byte
	benchN    int
)

// benchmarkLog returns the synthetic log of two million lines, built once.
func benchmarkLog() ([]byte, int) {
	benchOnce.Do(func() {
		var buf bytes.Buffer
		syntheticLog(&buf, 2_000_000)
		benchLog = buf.Bytes()
		benchN = bytes.Count(benchLog, []byte{'\n'})
	})
	return benchLog, benchN
}

// BenchmarkReadLog reads and folds the two-million-line log from memory;
// it reports lines/s, ns/line and the heap the folded state holds.
func BenchmarkReadLog(b *testing.B) {
	data, n := benchmarkLog()
	if path := os.Getenv("NIXRUN_BENCH_WRITE"); path != "" {
		// The log for scripts/bench-cat.sh style comparisons with cat.
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	var s *State
	for i := 0; i < b.N; i++ {
		s = NewState(Options{})
		if err := ReadLog(bytes.NewReader(data), s); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	perLine := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(n)
	b.ReportMetric(perLine, "ns/line")
	b.ReportMetric(1e9/perLine, "lines/s")
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// The heap the folded state holds: in use after, minus in use before
	// (which includes the log itself, kept in memory for the benchmark).
	b.ReportMetric(float64(int64(ms.HeapInuse)-int64(before.HeapInuse))/(1<<20), "MiB-state")
	runtime.KeepAlive(s)
}

// BenchmarkFeed measures the fold alone over in-memory lines.
func BenchmarkFeed(b *testing.B) {
	data, _ := benchmarkLog()
	lines := bytes.Split(data[:len(data)-1], []byte{'\n'})[:200_000]
	s := NewState(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Feed(lines[i%len(lines)])
	}
}

// TestReadLogMemory streams two million lines through a pipe, so the log
// itself is never in memory, and checks the heap in use afterwards. Under
// -race it streams 200,000 lines to keep CI fast; the bound is the same,
// since the state keeps a bounded amount whatever the length.
func TestReadLogMemory(t *testing.T) {
	lines := 2_000_000
	if testing.Short() || raceEnabled {
		lines = 200_000
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	pr, pw := io.Pipe()
	builds := make(chan int, 1)
	go func() {
		bw := bufio.NewWriterSize(pw, 64<<10)
		builds <- syntheticLog(bw, lines)
		bw.Flush()
		pw.Close()
	}()
	s := NewState(Options{})
	if err := ReadLog(pr, s); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	mib := func(n uint64) float64 { return float64(n) / (1 << 20) }
	t.Logf("heap in use: %.1f MiB before, %.1f MiB after %d lines", mib(before.HeapInuse), mib(after.HeapInuse), s.Stats().Lines)
	if after.HeapInuse > 64<<20 {
		t.Errorf("heap in use %.1f MiB after %d lines, want < 64", mib(after.HeapInuse), s.Stats().Lines)
	}
	checkSyntheticSummary(t, s, int(s.Stats().Lines), <-builds)
	runtime.KeepAlive(s)
}

// checkSyntheticSummary checks the fold of syntheticLog against what it
// wrote: one build and one download per 1,427 lines.
func checkSyntheticSummary(t *testing.T, s *State, lines, builds int) {
	t.Helper()
	if st := s.Stats(); st.Malformed != 0 || st.Slow != 0 || int(st.Lines) != lines {
		t.Errorf("stats %+v", st)
	}
	sum := s.Summary()
	if sum.Built != builds || sum.Downloaded != builds || sum.Bytes != int64(builds)*20000 || builds < 100 {
		t.Errorf("summary %+v for %d builds", sum, builds)
	}
	if len(s.Builds()) != DefaultLimits.FinishedBuilds || len(s.LogTail(0)) != DefaultLimits.TailLines {
		t.Errorf("kept %d builds and %d tail lines", len(s.Builds()), len(s.LogTail(0)))
	}
	if d := DiagnoseReplay(s); !d.OK {
		t.Errorf("diagnosis %+v", d)
	}
}

// BenchmarkReadLogFile reads and folds the log file NIXRUN_BENCH_FILE
// (write one with NIXRUN_BENCH_WRITE=FILE go test -run X -bench
// 'ReadLog$' -benchtime 1x), to compare with `cat FILE | wc -l`; see
// testdata/logs/bench-vs-cat.sh.
func BenchmarkReadLogFile(b *testing.B) {
	path := os.Getenv("NIXRUN_BENCH_FILE")
	if path == "" {
		b.Skip("set NIXRUN_BENCH_FILE to a log file")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var lines int64
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		s := NewState(Options{})
		if err := ReadLog(f, s); err != nil {
			b.Fatal(err)
		}
		f.Close()
		lines = s.Stats().Lines
	}
	perLine := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(lines)
	b.ReportMetric(perLine, "ns/line")
	b.ReportMetric(1e9/perLine, "lines/s")
}

// BenchmarkReplayLog is `nixboard replay --speed max` without the output:
// the Replay hands the two-million-line log over in batches and the State
// folds them, as followPlain does.
func BenchmarkReplayLog(b *testing.B) {
	data, n := benchmarkLog()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep := NewReplay(bytes.NewReader(data), ReplayOptions{})
		s := NewState(Options{})
		for {
			batch, err := rep.Next()
			s.FeedLines(batch)
			if err != nil {
				break
			}
		}
		if got := s.Stats().Lines; got != int64(n) {
			b.Fatalf("folded %d lines, want %d", got, n)
		}
	}
	b.StopTimer()
	perLine := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(n)
	b.ReportMetric(perLine, "ns/line")
	b.ReportMetric(1e9/perLine, "lines/s")
}
