package nixlog

import (
	"fmt"
	"strings"

	"github.com/nixboard/nixboard/internal/textwrap"
)

// BuilderRow is what one machine built: Machine is "" for this machine,
// else the remote builder nix names in the build's activity
// ("ssh-ng://mac-mini", as in the builders setting).
type BuilderRow struct {
	Machine string
	// Builds counts the builds started on it, running ones included;
	// Running those running now.
	Builds, Running int
}

// maxBuilders bounds the machines a State tells apart; builds on more
// are counted in the last row.
const maxBuilders = 16

// noteBuilder counts a build starting on machine (a build activity's
// second field) and returns the machine's name as kept, so builds on the
// same machine share one string.
func (s *State) noteBuilder(machine []byte) string {
	i := len(s.builders) - 1
	for j := range s.builders {
		if s.builders[j].Machine == string(machine) {
			i = j
			break
		}
	}
	if i < 0 || s.builders[i].Machine != string(machine) && len(s.builders) < maxBuilders {
		s.builders = append(s.builders, BuilderRow{Machine: string(clip(machine, 256))})
		i = len(s.builders) - 1
	}
	s.builders[i].Builds++
	return s.builders[i].Machine
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// Builders returns the machines builds ran on, in the order they were
// first used, with the running builds of each. A run that
// built only on this machine has one row, Machine "".
func (s *State) Builders() []BuilderRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]BuilderRow, len(s.builders))
	copy(out, s.builders)
	row := func(machine string) *BuilderRow {
		for i := range out {
			if out[i].Machine == machine {
				return &out[i]
			}
		}
		return &out[len(out)-1]
	}
	for _, b := range s.builds {
		if len(out) > 0 && b.Status == BuildRunning && !b.forgotten {
			row(b.Machine).Running++
		}
	}
	return out
}

// BuilderName is a builder row's machine in words: "this machine" for "".
func BuilderName(machine string) string {
	if machine == "" {
		return "this machine"
	}
	return machine
}

// BuilderWords says what each machine built: "on this machine 3 builds,
// on ssh-ng://mac-mini 2 builds (1 running)".
func BuilderWords(rows []BuilderRow) string {
	parts := make([]string, 0, len(rows))
	for _, r := range rows {
		w := "on " + BuilderName(r.Machine) + " " + textwrap.Count(r.Builds, "build", "builds")
		if r.Running > 0 {
			w += fmt.Sprintf(" (%d running)", r.Running)
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, ", ")
}
