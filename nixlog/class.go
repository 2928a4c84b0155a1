package nixlog

// Class is a kind of failure the diagnosis tells apart. The classes are
// declared in the order the diagnosis ranks them: when a failed run shows
// several causes, the reason is that of the first class, and its hint comes
// first. The README's Troubleshooting section has an entry for each class
// (nixlog's TestREADMETroubleshootingCoversEveryClass).
type Class int

const (
	// ClassNone is a run that succeeded.
	ClassNone Class = iota
	// ClassFlakesDisabled: the nix-command or flakes feature is off.
	ClassFlakesDisabled
	// ClassDaemonUnreachable: nix cannot connect to the daemon's socket.
	ClassDaemonUnreachable
	// ClassNoProfileDirectory: home-manager found no profile directory.
	ClassNoProfileDirectory
	// ClassIdentityMismatch: HOME, USER or the uid is not what the
	// configuration says.
	ClassIdentityMismatch
	// ClassUnfree: nixpkgs refused an unfree package.
	ClassUnfree
	// ClassClobbered: files home-manager would not overwrite or move aside.
	ClassClobbered
	// ClassUntracked: a file of the flake that git does not track.
	ClassUntracked
	// ClassStateVersion: a home.stateVersion the home-manager does not know.
	ClassStateVersion
	// ClassEvaluation: an evaluation error, with the file and line it is at.
	ClassEvaluation
	// ClassBuild: a derivation failed to build.
	ClassBuild
	// ClassDownload: a download failed (a binary cache, the flake's inputs).
	ClassDownload
	// ClassEvaluationUnplaced: an evaluation error without a position
	// (Nix 2.8 prints none without --show-trace).
	ClassEvaluationUnplaced
	// ClassUnrecognised: none of the above; the reason is the first error
	// line, or the exit status.
	ClassUnrecognised
	// ClassLogEnds: a replayed log stops before the activation finished.
	ClassLogEnds
	// ClassNotALog: a replayed file holds no line of nix's or
	// home-manager's output, so there was no switch to judge.
	ClassNotALog
	classEnd
)

var classNames = [...]string{
	ClassNone:               "none",
	ClassFlakesDisabled:     "flakes-disabled",
	ClassDaemonUnreachable:  "daemon-unreachable",
	ClassNoProfileDirectory: "no-profile-directory",
	ClassIdentityMismatch:   "identity-mismatch",
	ClassUnfree:             "unfree-package",
	ClassClobbered:          "clobbered-files",
	ClassUntracked:          "untracked-file",
	ClassStateVersion:       "unknown-state-version",
	ClassEvaluation:         "evaluation-error",
	ClassBuild:              "build-failed",
	ClassDownload:           "download-failed",
	ClassEvaluationUnplaced: "evaluation-error-unplaced",
	ClassUnrecognised:       "unrecognised",
	ClassLogEnds:            "log-ends",
	ClassNotALog:            "not-a-log",
}

// The names cover every class: a class added without one fails to compile.
var _ = [1]struct{}{}[len(classNames)-int(classEnd)]

// String is the class's stable name, e.g. "flakes-disabled".
func (c Class) String() string {
	if c < 0 || c >= classEnd {
		return "unknown"
	}
	return classNames[c]
}

// FailureClasses lists every class a run that did not succeed can get, in
// rank order.
func FailureClasses() []Class {
	out := make([]Class, 0, classEnd-1)
	for c := ClassNone + 1; c < classEnd; c++ {
		out = append(out, c)
	}
	return out
}
