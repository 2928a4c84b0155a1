package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/nixboard/nixboard/internal/eta"
	"github.com/nixboard/nixboard/internal/safetext"
)

// outputMode is how a switch or replay shows its run.
type outputMode int

const (
	// outputScreen is the live screen (tui/switchview).
	outputScreen outputMode = iota
	// outputPlain is plain progress lines on stdout.
	outputPlain
	// outputJSON is one JSON object a line on stdout (nixlog.StreamEvent).
	outputJSON
)

// outputFlags are the flags that choose an outputMode.
type outputFlags struct {
	plain, tui, json bool
}

// agentVars are variables coding agents set in the terminals they drive,
// where nobody watches a live screen or presses a key. Only variables an
// agent sets for its own commands are here: AI_AGENT is the cross-tool
// convention (@vercel/detect-agent), CLAUDECODE Claude Code's, CURSOR_AGENT
// Cursor's agent CLI, GEMINI_CLI Gemini CLI's, CODEX_SANDBOX and
// CODEX_THREAD_ID OpenAI Codex CLI's. Variables a person's own editor
// terminal has too (CURSOR_TRACE_ID, TERM_PROGRAM=vscode, REPL_ID) are not:
// they would take the screen away from a person.
var agentVars = []string{"AI_AGENT", "CLAUDECODE", "CURSOR_AGENT", "GEMINI_CLI", "CODEX_SANDBOX", "CODEX_THREAD_ID"}

// setVar says whether an environment value turns a switch on: set, and
// not one of the ways of saying no.
func setVar(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// chooseOutput decides how a run is shown: --json and --plain say so, and
// --tui asks for the screen; without them, the screen only when stdin and
// stdout are terminals, CI is not set, TERM is not dumb and no coding agent
// drives the terminal (agentVars), so nobody is left waiting for a key
// nobody will press. Contradicting flags are a usage error; so is --tui
// without a terminal, which could not draw.
func chooseOutput(f outputFlags, interactive bool, getenv func(string) string) (outputMode, error) {
	n := 0
	for _, b := range []bool{f.plain, f.tui, f.json} {
		if b {
			n++
		}
	}
	if n > 1 {
		return 0, usagef("--plain, --tui and --json choose the output: give one of them")
	}
	switch {
	case f.json:
		return outputJSON, nil
	case f.plain:
		return outputPlain, nil
	case f.tui:
		if !interactive {
			return 0, usagef("--tui needs a terminal on stdin and stdout; without one, use --plain or --json")
		}
		return outputScreen, nil
	case !interactive:
		return outputPlain, nil
	case setVar(getenv("CI")):
		return outputPlain, nil
	case getenv("TERM") == "dumb":
		return outputPlain, nil
	}
	for _, k := range agentVars {
		if setVar(getenv(k)) {
			return outputPlain, nil
		}
	}
	return outputScreen, nil
}

// addOutputFlags defines --plain, --tui and --json on a command's flags.
func addOutputFlags(fs *pflag.FlagSet, f *outputFlags) {
	fs.BoolVar(&f.plain, "plain", false, "print plain progress lines instead of the live screen (the default without a terminal, with CI set or when a coding agent drives the terminal)")
	fs.BoolVar(&f.tui, "tui", false, "show the live screen even with CI set or under a coding agent")
	fs.BoolVar(&f.json, "json", false, "write the run as JSON lines on stdout, one event an object (schema in the README)")
}

// streamViewFor is the view of a plain or JSON mode on stdout.
func streamViewFor(st *stdio, mode outputMode) streamView {
	if mode == outputJSON {
		return jsonView(st.out)
	}
	return plainView(st.out)
}

// openBuildHistory opens this machine's build durations (internal/eta),
// for the estimate of the time left. Without one (no HOME, a file that
// cannot be read) the estimate has nothing to go on and says "unknown";
// what went wrong is said on stderr, which never holds the stream. A
// replay (forSwitch false) needs no HOME and says nothing without one.
func openBuildHistory(st *stdio, forSwitch bool) *eta.History {
	path, err := eta.HistoryPath(st.getenv)
	if err != nil {
		if forSwitch {
			fmt.Fprintf(st.err, "nixboard: %s\n", safetext.Line(err.Error()))
		}
		return nil
	}
	h, err := eta.OpenHistory(path, nil)
	if err != nil {
		fmt.Fprintf(st.err, "nixboard: %s\n", safetext.Line(err.Error()))
		return nil
	}
	if w := h.Warning(); w != "" {
		fmt.Fprintf(st.err, "nixboard: %s\n", safetext.Line(w))
	}
	return h
}

// saveBuildHistory saves the durations a switch recorded into h (nil:
// nothing to save); a failure is said on stderr and fails nothing.
func saveBuildHistory(st *stdio, h *eta.History) {
	if h == nil {
		return
	}
	if err := h.Save(); err != nil {
		fmt.Fprintf(st.err, "nixboard: %s\n", safetext.Line(err.Error()))
	}
}
