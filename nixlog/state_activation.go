package nixlog

import (
	"regexp"
	"strings"
)

// The activation's own error lines, as home-manager prints them
// (modules/files/check-link-targets.sh, modules/lib-bash/activation-init.sh,
// modules/home-environment.nix).
var (
	// "Existing file 'B' would be clobbered by backing up 'T'": an older
	// backup is in the way of backing up T.
	reClobberBackup = regexp.MustCompile(`Existing file '(.+)' would be clobbered by backing up '(.+)'`)
	// "Existing file 'T' would be clobbered": no backup extension, or T is
	// a symlink (home-manager never moves symlinks aside).
	reClobber = regexp.MustCompile(`Existing file '(.+)' would be clobbered`)
	// Home Manager before 2023 failed with "Existing file 'T' is in the
	// way of 'S'"; today that wording only appears in warnings that end
	// with "will be moved to …", "will be skipped …" or "Backup will be
	// clobbered …".
	reInTheWay = regexp.MustCompile(`Existing file '(.+)' is in the way of '(.+)'`)
	// With -b EXT: "Existing file 'T' is in the way of 'S', will be moved
	// to 'T.EXT'" (check-link-targets.sh); the switch goes on.
	reMovedAside = regexp.MustCompile(`^Existing file '(.+)' is in the way of '.+', will be moved to '(.+)'$`)
	// "Creating home file links in /home/alice" (files.nix) names the home.
	reHomeLinks = regexp.MustCompile(`^Creating home file links in (/.*)$`)
	// checkStringEq / checkPathEq: `HOME is "/home/foo", expected "/home/bar"`.
	reIdentity = regexp.MustCompile(`^(HOME|USER|UID) is "(.*)", expected "(.*)"`)
	// modules/targets/generic-linux/gpu: after "This non-NixOS system is
	// not yet set up to use the GPU" (or "GPU drivers require an update,
	// run") it prints the setup command on a line of its own.
	reGPUSetup = regexp.MustCompile(`^sudo (/nix/store/\S+/bin/non-nixos-gpu-setup)$`)
)

// activationErrorMarkers are substrings of plain lines that report a
// failure, inside or outside the activation.
var activationErrorMarkers = []string{
	"Please do one of the following",
	"Could not find suitable profile directory",
	"Oops, Nix failed to install your new Home Manager profile",
	"cannot connect to socket",
	"A link target changed while resolving symlinks",
}

const maxKept = 100

// Nix commands that run without --log-format internal-json (nix-env and
// nix-build inside the activation, for instance) announce their builds and
// downloads in plain text.
var (
	rePlainBuild = regexp.MustCompile(`^building '(/[^']+\.drv)'(?: on '[^']*')?\.\.\.$`)
	rePlainCopy  = regexp.MustCompile(`^copying path '(/[^']+)' from '[^']+'\.\.\.$`)
)

// maxPlainBuilds bounds the derivations remembered from plain build lines;
// beyond it they are still counted.
const maxPlainBuilds = 10000

// textLine folds a plain line (ANSI stripped, trimmed) that is not an
// activation step.
func (s *State) textLine(line string) {
	if strings.HasPrefix(line, "building '") {
		if m := rePlainBuild.FindStringSubmatch(line); m != nil {
			if s.buildByDrv[m[1]] == nil {
				if _, seen := s.plainBuilds[m[1]]; !seen {
					s.plainBuilt++
					if len(s.plainBuilds) < maxPlainBuilds {
						s.plainBuilds[m[1]] = struct{}{}
					}
				}
			}
			return
		}
	}
	if strings.HasPrefix(line, "copying path '") && rePlainCopy.MatchString(line) {
		s.plainCopies++
		return
	}
	if strings.HasPrefix(line, "sudo /nix/store/") {
		if m := reGPUSetup.FindStringSubmatch(line); m != nil {
			s.act.GPUSetup = "sudo " + m[1]
			return
		}
	}
	if w, ok := strings.CutPrefix(line, ActivationWarningPrefix); ok {
		// The base layer's own checks during activation (the Windows
		// Terminal check on WSL): the switch goes on, the result says it.
		if len(s.act.Warnings) < maxKept {
			s.act.Warnings = append(s.act.Warnings, strings.TrimSpace(w))
		}
		return
	}
	if strings.HasPrefix(line, "error:") {
		s.markFailedBuild(line)
	}
	if m := reClobberBackup.FindStringSubmatch(line); m != nil {
		s.addClobber(Clobber{Path: m[1], BackupOf: m[2]}, line)
		return
	}
	if m := reClobber.FindStringSubmatch(line); m != nil {
		s.addClobber(Clobber{Path: m[1]}, line)
		return
	}
	if m := movedAside(line); m != nil {
		if len(s.act.MovedAside) < maxKept {
			s.act.MovedAside = append(s.act.MovedAside, Moved{From: m[1], To: m[2]})
		}
		return
	}
	if m := reInTheWay.FindStringSubmatch(line); m != nil {
		if !strings.Contains(line, " will be ") {
			s.addClobber(Clobber{Path: m[1]}, line)
		}
		return
	}
	if strings.HasPrefix(line, "Creating home file links in /") {
		s.act.Home = reHomeLinks.FindStringSubmatch(line)[1]
		return
	}
	isErr := reIdentity.MatchString(line) || strings.HasPrefix(line, "error:") ||
		strings.HasPrefix(line, "error ") || strings.HasPrefix(line, "ERROR")
	for _, m := range activationErrorMarkers {
		if isErr {
			break
		}
		isErr = strings.Contains(line, m)
	}
	if !isErr {
		return
	}
	if s.act.Started {
		s.activationFailed = true
		s.act.Errors = appendBounded(s.act.Errors, line, maxKept)
		return
	}
	s.textErrors = appendBounded(s.textErrors, line, maxKept)
}

func (s *State) addClobber(c Clobber, line string) {
	s.activationFailed = true
	for _, old := range s.act.Clobbered {
		if old == c {
			return
		}
	}
	if len(s.act.Clobbered) < 1000 {
		s.act.Clobbered = append(s.act.Clobbered, c)
	}
	s.act.Errors = appendBounded(s.act.Errors, line, maxKept)
}

// movedAside matches "Existing file 'T' is in the way of 'S', will be moved
// to 'B'", or returns nil.
func movedAside(line string) []string {
	if !strings.HasPrefix(line, "Existing file '") || !strings.HasSuffix(line, "'") {
		return nil
	}
	return reMovedAside.FindStringSubmatch(line)
}
