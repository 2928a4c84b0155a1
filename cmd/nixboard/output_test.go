package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChooseOutput(t *testing.T) {
	for _, c := range []struct {
		name        string
		flags       outputFlags
		interactive bool
		env         map[string]string
		want        outputMode
		usage       bool
	}{
		{"a terminal", outputFlags{}, true, nil, outputScreen, false},
		{"no terminal", outputFlags{}, false, nil, outputPlain, false},
		{"CI", outputFlags{}, true, map[string]string{"CI": "true"}, outputPlain, false},
		{"CI=1", outputFlags{}, true, map[string]string{"CI": "1"}, outputPlain, false},
		{"CI=false", outputFlags{}, true, map[string]string{"CI": "false"}, outputScreen, false},
		{"CI=0", outputFlags{}, true, map[string]string{"CI": "0"}, outputScreen, false},
		{"TERM=dumb", outputFlags{}, true, map[string]string{"TERM": "dumb"}, outputPlain, false},
		{"Claude Code", outputFlags{}, true, map[string]string{"CLAUDECODE": "1"}, outputPlain, false},
		{"AI_AGENT", outputFlags{}, true, map[string]string{"AI_AGENT": "my-agent@2"}, outputPlain, false},
		{"Cursor agent", outputFlags{}, true, map[string]string{"CURSOR_AGENT": "1"}, outputPlain, false},
		{"Gemini CLI", outputFlags{}, true, map[string]string{"GEMINI_CLI": "1"}, outputPlain, false},
		{"Codex", outputFlags{}, true, map[string]string{"CODEX_SANDBOX": "seatbelt"}, outputPlain, false},
		{"Codex thread", outputFlags{}, true, map[string]string{"CODEX_THREAD_ID": "abc"}, outputPlain, false},
		{"an agent variable switched off", outputFlags{}, true, map[string]string{"CLAUDECODE": "0"}, outputScreen, false},
		{"a person's Cursor terminal", outputFlags{}, true, map[string]string{"CURSOR_TRACE_ID": "x", "TERM_PROGRAM": "vscode"}, outputScreen, false},
		{"--tui under an agent", outputFlags{tui: true}, true, map[string]string{"CLAUDECODE": "1", "CI": "1"}, outputScreen, false},
		{"--tui without a terminal", outputFlags{tui: true}, false, nil, 0, true},
		{"--plain on a terminal", outputFlags{plain: true}, true, nil, outputPlain, false},
		{"--json on a terminal", outputFlags{json: true}, true, nil, outputJSON, false},
		{"--json without one", outputFlags{json: true}, false, map[string]string{"CI": "1"}, outputJSON, false},
		{"--plain --json", outputFlags{plain: true, json: true}, false, nil, 0, true},
		{"--plain --tui", outputFlags{plain: true, tui: true}, true, nil, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := chooseOutput(c.flags, c.interactive, func(k string) string { return c.env[k] })
			var u usageError
			if c.usage {
				if !errors.As(err, &u) {
					t.Fatalf("got %v, %v; want a usage error", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

// TestReplayUnderAnAgentIsPlain runs `nixboard replay` in-process on what
// looks like a terminal, stdin and stdout, as a coding agent's pseudo
// terminal does: with CLAUDECODE or CI set it prints plain lines and reads
// no key (stdin holds none, and the run still ends); --json writes JSON
// lines; --tui without a terminal is a usage error.
func TestReplayUnderAnAgentIsPlain(t *testing.T) {
	t.Parallel()
	log := filepath.Join("..", "..", "nixlog", "testdata", "logs", "nix-2.26", "switch-ok.log")
	run1 := func(env map[string]string, tty bool, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		st := &stdio{in: strings.NewReader(""), out: &out, err: &errOut, inTTY: tty, outTTY: tty, errTTY: tty,
			getenv: func(k string) string { return env[k] }, environ: os.Environ()}
		return run(context.Background(), st, args), out.String(), errOut.String()
	}
	for _, env := range []map[string]string{{"CLAUDECODE": "1"}, {"CI": "true"}, {"AI_AGENT": "x"}} {
		code, out, errOut := run1(env, true, "replay", "--speed", "max", log)
		if code != 0 || !strings.HasPrefix(out, "phase: evaluating\n") || !okLine.MatchString(out) || errOut != "" {
			t.Errorf("%v: exit %d, stdout:\n%s\nstderr:\n%s", env, code, out, errOut)
		}
		noEscapes(t, out)
	}
	code, out, _ := run1(map[string]string{"CLAUDECODE": "1"}, true, "replay", "--speed", "max", "--json", log)
	if code != 0 || !strings.HasPrefix(out, `{"schema":1,"event":"start"`) {
		t.Errorf("--json: exit %d:\n%s", code, out)
	}
	for _, args := range [][]string{{"replay", "--tui", log}, {"replay", "--plain", "--json", log}, {"switch", "--json", "--tui", "--dir", t.TempDir()}} {
		if code, out, errOut := run1(nil, false, args...); code != 2 || !strings.Contains(errOut, "--") {
			t.Errorf("%v: exit %d, want 2:\n%s%s", args, code, out, errOut)
		}
	}
}
