package nixlog

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/nixboard/nixboard/internal/proc"
)

// referenceLines splits a log the way a live run's reader does
// (proc.ReadLine over a bufio.Reader), dropping time markers as a replay does.
func referenceLines(data []byte) ([]string, error) {
	br := bufio.NewReaderSize(bytes.NewReader(data), 16)
	var out []string
	for {
		line, _, err := proc.ReadLine(br, MaxLineBytes)
		if line != nil {
			if _, ok := parseTimeMarker(line); !ok {
				out = append(out, string(line))
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
	}
}

// replayLines reads a whole replay, copying each batch before the next
// call (the batch is only valid until then), and checks the batches.
func replayLines(t *testing.T, rep *Replay) []string {
	t.Helper()
	var out []string
	for {
		batch, err := rep.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 || len(batch) > MaxBatch {
			t.Fatalf("batch of %d lines", len(batch))
		}
		for _, l := range batch {
			out = append(out, string(l.Text))
		}
	}
}

func equalLines(t *testing.T, name string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d lines, want %d", name, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: line %d is %.60q (%d bytes), want %.60q (%d bytes)", name, i, got[i], len(got[i]), want[i], len(want[i]))
		}
	}
}

// TestReplayLinesMatchReader: however the file is cut into reads, a
// replay hands out the same lines as the live reader: CRLF, empty lines,
// lines longer than the replay's buffer and than MaxLineBytes, time
// markers and a last line without a newline.
func TestReplayLinesMatchReader(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var logs [][]byte
	// Lines whose ends fall on and around the buffer's size.
	for _, n := range []int{replayBuffer - 2, replayBuffer - 1, replayBuffer, replayBuffer + 1, MaxLineBytes - 1, MaxLineBytes, MaxLineBytes + 1, 3 * MaxLineBytes} {
		var b bytes.Buffer
		b.WriteString("first\n")
		b.Write(bytes.Repeat([]byte{'x'}, n))
		b.WriteString("\r\nafter\n\n")
		b.Write(TimeMarker(1500 * time.Millisecond))
		b.Write(bytes.Repeat([]byte{'y'}, n))
		b.WriteString("\nlast without newline\r")
		logs = append(logs, b.Bytes())
	}
	// Many short lines of random lengths, some long ones.
	var b bytes.Buffer
	for i := range 30000 {
		n := rng.IntN(300)
		if i%5000 == 4999 {
			n = replayBuffer + rng.IntN(3*replayBuffer)
		}
		for range n {
			const alphabet = "abc \t\r\"\\{}"
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		if i%97 == 0 {
			b.Write(TimeMarker(time.Duration(i) * time.Millisecond))
		}
		b.WriteString([]string{"\n", "\r\n"}[rng.IntN(2)])
	}
	logs = append(logs, b.Bytes(), []byte{}, []byte("\n"), []byte("one"), []byte(strings.Repeat("\n", 5000)))
	for _, data := range logs {
		want, err := referenceLines(data)
		if err != nil {
			t.Fatal(err)
		}
		equalLines(t, "whole", replayLines(t, NewReplay(bytes.NewReader(data), ReplayOptions{})), want)
		if len(data) < 1<<20 {
			equalLines(t, "one byte a read", replayLines(t, NewReplay(iotest.OneByteReader(bytes.NewReader(data)), ReplayOptions{})), want)
		}
		equalLines(t, "half reads", replayLines(t, NewReplay(iotest.HalfReader(bytes.NewReader(data)), ReplayOptions{})), want)
		equalLines(t, "data with EOF", replayLines(t, NewReplay(iotest.DataErrReader(bytes.NewReader(data)), ReplayOptions{})), want)
	}
}

// TestReplayReadError: lines before a read error are handed out, then the
// error, then no more lines.
func TestReplayReadError(t *testing.T) {
	boom := errors.New("boom")
	rep := NewReplay(io.MultiReader(strings.NewReader("a\nb\npartial"), iotest.ErrReader(boom)), ReplayOptions{})
	var got []string
	var err error
	for {
		var batch []RawLine
		batch, err = rep.Next()
		if err != nil {
			break
		}
		for _, l := range batch {
			got = append(got, string(l.Text))
		}
	}
	if !errors.Is(err, boom) || strings.Join(got, ",") != "a,b,partial" {
		t.Errorf("lines %q, error %v", got, err)
	}
	if _, err := rep.Next(); !errors.Is(err, boom) {
		t.Errorf("after the error: %v", err)
	}
}

// TestReplayPendingLine: at a pace, a line that is not yet due starts the
// next batch, and its text survives the buffer's refill.
func TestReplayPendingLine(t *testing.T) {
	var b bytes.Buffer
	var want []string
	for i := range 5000 {
		b.Write(TimeMarker(time.Duration(i/100) * time.Second))
		line := strings.Repeat(string(rune('a'+i%26)), 100+i%50)
		b.WriteString(line + "\n")
		want = append(want, line)
	}
	clock := &sleepClock{now: time.Unix(0, 0)}
	rep := NewReplay(iotest.HalfReader(&b), ReplayOptions{Speed: 1, Now: clock.Now, Sleep: clock.Sleep})
	batches := 0
	var got []string
	for {
		batch, err := rep.Next()
		if err != nil {
			break
		}
		batches++
		for _, l := range batch {
			if due := l.At; clock.now.Sub(time.Unix(0, 0)) < due {
				t.Fatalf("line at %v handed out at %v", due, clock.now.Sub(time.Unix(0, 0)))
			}
			got = append(got, string(l.Text))
		}
	}
	equalLines(t, "paced", got, want)
	if batches < 50 || clock.slept != 49*time.Second {
		t.Errorf("%d batches, slept %v, want 49s", batches, clock.slept)
	}
}

type sleepClock struct {
	now   time.Time
	slept time.Duration
}

func (c *sleepClock) Now() time.Time { return c.now }
func (c *sleepClock) Sleep(d time.Duration) {
	c.now = c.now.Add(d)
	c.slept += d
}

func TestReplayPace(t *testing.T) {
	capture := strings.Repeat("plain line\n", 1000)
	for _, tt := range []struct {
		speed float64
		want  time.Duration
	}{{1, 1000 * PlainPace}, {10, 100 * PlainPace}, {0, 0}} {
		clock := &sleepClock{now: time.Unix(0, 0)}
		rep := NewReplay(strings.NewReader(capture), ReplayOptions{Speed: tt.speed, Now: clock.Now, Sleep: clock.Sleep})
		n, batches := 0, 0
		for {
			b, err := rep.Next()
			if err != nil {
				break
			}
			n += len(b)
			batches++
		}
		if n != 1000 || clock.slept != tt.want {
			t.Errorf("speed %v: %d lines, slept %v, want %v", tt.speed, n, clock.slept, tt.want)
		}
		if tt.speed == 0 && batches != 1 {
			t.Errorf("speed max took %d batches for 1000 lines", batches)
		}
		if rep.Elapsed() != 1000*PlainPace {
			t.Errorf("Elapsed = %v", rep.Elapsed())
		}
	}
	for _, s := range []string{"0", "-1", "x", ""} {
		if _, err := ParseSpeed(s); err == nil {
			t.Errorf("ParseSpeed(%q) accepted", s)
		}
	}
	if v, err := ParseSpeed("max"); err != nil || v != 0 {
		t.Errorf("ParseSpeed(max) = %v %v", v, err)
	}
}

// BenchmarkReplayMax measures `replay --speed max` reading and folding the
// demo recording repeated to 200,000 lines.
func BenchmarkReplayMax(b *testing.B) {
	var buf bytes.Buffer
	lines := 0
	for buf.Len() < 40<<20 && lines < 200000 {
		buf.Write(demoRecording)
		lines += bytes.Count(demoRecording, []byte("\n"))
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep := NewReplay(bytes.NewReader(data), ReplayOptions{})
		s := NewState(Options{})
		for {
			batch, err := rep.Next()
			if err != nil {
				break
			}
			s.FeedLines(batch)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}
