package nixlog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// refBuild and refForget are the bookkeeping of kept builds as it was
// written first, scanning every build on every stop: the reference the
// State's bookkeeping must agree with.
type refBuild struct {
	id     uint64
	status BuildStatus
}

func refForget(builds []refBuild, limit int) []refBuild {
	finished := 0
	for _, b := range builds {
		if b.status != BuildRunning {
			finished++
		}
	}
	for finished > limit {
		victim := -1
		for i, b := range builds {
			if b.status == BuildSucceeded {
				victim = i
				break
			}
		}
		if victim < 0 {
			for i, b := range builds {
				if b.status != BuildRunning {
					victim = i
					break
				}
			}
		}
		builds = slices.Delete(builds, victim, victim+1)
		finished--
	}
	return builds
}

func buildDrv(id uint64) string { return fmt.Sprintf("/nix/store/%032d-p-%d.drv", id, id) }

// TestKeptBuildsMatchReference drives a State with builds that start,
// print, fail and stop in random orders, many running at once, and checks
// after every event that it keeps the builds (and their logs) the
// reference bookkeeping keeps.
func TestKeptBuildsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 20 {
		limit := 1 + rng.IntN(10)
		s, _ := newTestState(Limits{FinishedBuilds: limit, Activities: 100000})
		var ref []refBuild
		var running []uint64
		next := uint64(1)
		width := 1 + rng.IntN(300)
		for step := 0; step < 3000; step++ {
			switch r := rng.IntN(10); {
			case r < 3 && len(running) < width || len(running) == 0:
				id := next
				next++
				s.Feed(fmt.Appendf(nil, `@nix {"action":"start","fields":["%s","",1,1],"id":%d,"level":3,"text":"building","type":105}`, buildDrv(id), id))
				ref = append(ref, refBuild{id: id})
				running = append(running, id)
			case r < 5:
				id := running[rng.IntN(len(running))]
				s.Feed(fmt.Appendf(nil, `@nix {"action":"result","fields":["line of %d"],"id":%d,"type":101}`, id, id))
			case r < 6:
				// A failure names a build, running or finished.
				id := next - 1 - uint64(rng.IntN(int(next-1)))
				s.Feed(fmt.Appendf(nil, `@nix {"action":"msg","level":0,"msg":"builder for '%s' failed with exit code 1"}`, buildDrv(id)))
				if i := slices.IndexFunc(ref, func(b refBuild) bool { return b.id == id }); i >= 0 {
					ref[i].status = BuildFailed
				}
			default:
				k := rng.IntN(len(running))
				id := running[k]
				running = slices.Delete(running, k, k+1)
				s.Feed(fmt.Appendf(nil, `@nix {"action":"stop","id":%d}`, id))
				// A build that failed while running may be forgotten
				// before it stops.
				i := slices.IndexFunc(ref, func(b refBuild) bool { return b.id == id })
				if i >= 0 && ref[i].status == BuildRunning {
					ref[i].status = BuildSucceeded
				}
				ref = refForget(ref, limit)
			}
			var got []refBuild
			for _, b := range s.Builds() {
				got = append(got, refBuild{id: b.ID, status: b.Status})
			}
			if !slices.Equal(got, ref) {
				t.Fatalf("round %d step %d (limit %d): kept %v, want %v", round, step, limit, got, ref)
			}
		}
		for _, b := range ref {
			if s.BuildLog(b.id, 0) == nil && b.id <= maxBuildsWithLogs {
				t.Errorf("round %d: build %d lost its log", round, b.id)
			}
		}
		if s.BuildLog(next+1, 0) != nil {
			t.Errorf("an unknown build has a log")
		}
	}
}

// BenchmarkStopManyRunning stops 5,000 builds that run at once, the
// oldest last: each stop used to walk every build.
func BenchmarkStopManyRunning(b *testing.B) {
	var buf bytes.Buffer
	const n = 5000
	for k := uint64(1); k <= n; k++ {
		fmt.Fprintf(&buf, `@nix {"action":"start","fields":["%s","",1,1],"id":%d,"level":3,"text":"building","type":105}`+"\n", buildDrv(k), k)
		fmt.Fprintf(&buf, `@nix {"action":"result","fields":["line"],"id":%d,"type":101}`+"\n", k)
	}
	for k := uint64(n); k >= 1; k-- {
		fmt.Fprintf(&buf, `@nix {"action":"stop","id":%d}`+"\n", k)
	}
	data := buf.Bytes()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := NewState(Options{})
		if err := ReadLog(bytes.NewReader(data), s); err != nil {
			b.Fatal(err)
		}
		if sum := s.Summary(); sum.Built != n {
			b.Fatalf("built %d", sum.Built)
		}
	}
}

// BenchmarkChattyMessages folds -v messages (level 4 and above), which
// only the tail keeps.
func BenchmarkChattyMessages(b *testing.B) {
	line := []byte(`@nix {"action":"msg","level":5,"msg":"evaluating file '/nix/store/0p28gynjbaqygm6kb4dvfhkd0l1xs1fp-source/lib/default.nix'"}`)
	s := NewState(Options{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Feed(line)
	}
	if got := s.Messages(5); got != nil {
		b.Fatalf("kept %d level-5 messages", len(got))
	}
}
