package nixlog

import (
	"errors"
	"fmt"
	"github.com/nixboard/nixboard/internal/textwrap"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nixboard/nixboard/internal/shell"
)

// FlakesFix is the command that enables flakes for the person's own nix
// runs: one line added to their nix.conf, keeping every other setting.
const FlakesFix = `mkdir -p ~/.config/nix && echo 'extra-experimental-features = nix-command flakes' >> ~/.config/nix/nix.conf`

// Hint is one next step: for a failed run, how to fix it; for a run that
// succeeded, something the activation asked the person to do.
type Hint struct {
	// Title is one line, e.g. "2 files would be clobbered".
	Title string
	// Detail explains, several lines possible (plain text, no escapes).
	Detail string
	// Fix is a shell command the person can run, or "" when there is none.
	Fix string
	// Code is the code frame of an evaluation error, part of Detail too:
	// the "at FILE:LINE:COL:" line and the numbered source lines with the
	// caret under the column. A screen that shows no Detail shows these
	// lines as they are (cut to its width, never wrapped).
	Code []string
}

// Diagnosis is the verdict on a run.
type Diagnosis struct {
	OK bool
	// Class is the kind of failure the reason is (ClassNone when OK).
	Class Class
	// Reason is one line for "switch failed: <reason>" ("" when OK).
	Reason string
	Hints  []Hint
	// NotALog says a replayed file holds nothing nix or home-manager
	// wrote: there was no switch to judge, and Reason says so.
	NotALog bool
}

// ReasonNotALog is the reason a replay gives for a file that holds no
// line of nix's or home-manager's output (a README, a binary file).
const ReasonNotALog = "this is not a nix log: no line in it is nix's or home-manager's output"

// ReasonLogEnds is the reason a replay fails with when the log stops
// before the activation finished and nothing else went wrong.
const ReasonLogEnds = "the log ends before activation finished"

// BuildLogHintLines is how many of a failed build's own last log lines its
// hint shows.
const BuildLogHintLines = 25

var reFailedDrv = regexp.MustCompile(`(?:builder for|[Cc]annot build) '(/[^']+\.drv)'`)

// failedDrv returns the derivation a build failure message names.
func failedDrv(text string) string {
	if !strings.Contains(text, ".drv") {
		return ""
	}
	if m := reFailedDrv.FindStringSubmatch(StripANSI(text)); m != nil {
		return m[1]
	}
	return ""
}

// Diagnose judges a live run from its state and the exit error of the real
// process (nil when it exited 0). The exit status decides OK; the log
// decides the reason and hints. Files reported as clobbered are inspected
// with os.Lstat to tell foreign symlinks (which cannot be backed up).
func Diagnose(s *State, exitErr error) Diagnosis {
	return DiagnoseWith(s, exitErr, Context{})
}

// Context is what a diagnosis knows besides the log.
type Context struct {
	// UnfreeAllowed are the unfree packages the rendered flake already
	// allows (flakegen.UnfreeAllowed of the answers). A hint that replaces
	// the flake's unfree predicate keeps them. Nil when unknown (a replay).
	UnfreeAllowed []string
}

// DiagnoseWith is Diagnose with what the caller knows of the configuration.
func DiagnoseWith(s *State, exitErr error, c Context) Diagnosis {
	return diagnose(s, exitErr != nil, exitErr, os.Lstat, c)
}

// DiagnoseReplay judges a recorded log, which may have no exit status: it
// uses the exit marker nixboard saves (see ExitMarker) when present, and
// otherwise calls the run OK when the activation ran to its end. Error
// messages alone do not fail it: nix logs errors it recovers from (a NAR
// missing from a cache, then a local build), and through a daemon every
// message arrives at the error level. A log that stops before the
// activation's end fails with ReasonLogEnds, or the reason its errors give.
// Clobbered files are not inspected: they are on the recording machine.
func DiagnoseReplay(s *State) Diagnosis {
	if status, ok := s.ExitStatus(); ok {
		var err error
		if status != 0 {
			err = fmt.Errorf("exit status %d", status)
		}
		return diagnose(s, status != 0, err, nil, Context{})
	}
	if !s.looksLikeNixLog() {
		return Diagnosis{Class: ClassNotALog, Reason: ReasonNotALog, NotALog: true, Hints: []Hint{{
			Title:  "replay reads a switch log",
			Detail: "The logs nixboard saves (the path the switch prints as \"full log\"), or a capture of `home-manager switch ... --log-format internal-json -v 2>&1`.",
		}}}
	}
	complete := s.Activation().Complete
	return diagnose(s, !complete, nil, nil, Context{})
}

// finding is a recognised cause; its class ranks it (lower comes first).
type finding struct {
	class  Class
	reason string
	hint   Hint
}

func diagnose(s *State, failed bool, exitErr error, lstat func(string) (fs.FileInfo, error), c Context) Diagnosis {
	if !failed {
		return Diagnosis{OK: true, Hints: successHints(s)}
	}
	s.mu.Lock()
	var errs, warns []Message
	if r := s.msgs[LvlError]; r != nil {
		errs = allMessages(r)
	}
	if r := s.msgs[LvlWarn]; r != nil {
		warns = allMessages(r)
	}
	act := s.activation()
	textErrors := append([]string(nil), s.textErrors...)
	logs := map[string][]string{}
	for _, m := range errs {
		if drv := failedDrv(m.Text); drv != "" {
			if b := s.buildByDrv[drv]; b != nil {
				logs[drv] = newestLines(&b.lines, BuildLogHintLines)
			}
		}
	}
	s.mu.Unlock()

	// Every error text the run printed, ANSI stripped, in order: nix's
	// messages, plain error lines before the activation, activation errors.
	var texts []string
	for _, m := range errs {
		texts = append(texts, StripANSI(m.Text))
	}
	texts = append(texts, textErrors...)
	texts = append(texts, act.Errors...)

	var found []finding
	add := func(class Class, reason string, h Hint) {
		for _, f := range found {
			if f.hint.Title == h.Title {
				return
			}
		}
		found = append(found, finding{class, reason, h})
	}

	for _, t := range texts {
		switch {
		case strings.Contains(t, "experimental Nix feature 'flakes' is disabled"),
			strings.Contains(t, "experimental Nix feature 'nix-command' is disabled"):
			add(ClassFlakesDisabled, "flakes are not enabled", Hint{
				Title:  "Nix flakes are not enabled",
				Detail: "The configuration is a flake, and this Nix has the experimental features \"nix-command\" and \"flakes\" turned off.\nnixboard enables them for its own runs (extra-experimental-features in NIX_CONFIG, which keeps any other feature you enabled); to use home-manager by hand, enable them in your nix.conf too.",
				Fix:    FlakesFix,
			})
		case strings.Contains(t, "cannot connect to socket at"):
			add(ClassDaemonUnreachable, "the Nix daemon is not reachable", Hint{
				Title:  "Nix cannot reach its daemon",
				Detail: firstLine(t) + "\nThe nix-daemon is not running. On WSL this happens without systemd: add \"[boot]\\nsystemd=true\" to /etc/wsl.conf and run `wsl.exe --shutdown` from Windows, or use a single-user Nix install.",
				Fix:    "sudo systemctl start nix-daemon",
			})
		case strings.Contains(t, "Could not find suitable profile directory"):
			add(ClassNoProfileDirectory, "no Nix profile directory", Hint{
				Title:  "There is no Nix profile directory for home-manager",
				Detail: firstLine(t) + "\nhome-manager keeps its generations in a Nix profile directory; create the per-user one.",
				Fix:    profileDirFix(t),
			})
		case reIdentity.MatchString(t):
			m := reIdentity.FindStringSubmatch(t)
			field := map[string]string{"HOME": "homeDirectory", "USER": "username", "UID": "uid"}[m[1]]
			add(ClassIdentityMismatch, fmt.Sprintf("%s is %q but the configuration expects %q", m[1], m[2], m[3]), Hint{
				Title:  fmt.Sprintf("%s does not match the configuration", m[1]),
				Detail: fmt.Sprintf("The activation runs as %s=%q, but the configuration's %s is %q (on macOS homes are under /Users).\nRender the configuration again so it takes %s from this machine, or run the switch as that user.", m[1], m[2], field, m[3], field),
			})
		case strings.Contains(t, "is not tracked by Git"), reGitStatus.MatchString(t), reMissingSource.MatchString(t):
			file, repo := untrackedFile(t)
			fix := "git add --intent-to-add -- " + shell.Quote(file)
			if repo != "" {
				fix = "git -C " + shell.Quote(repo) + " add --intent-to-add -- " + shell.Quote(file)
			}
			add(ClassUntracked, file+" is not tracked by git", Hint{
				Title:  file + " is not tracked by git",
				Detail: "A flake in a git repository only sees the files git tracks, so Nix cannot read " + file + ".\nAdd it (intent-to-add is enough; nothing is committed). If there is no such file, create it or remove what imports it.",
				Fix:    fix,
			})
		case strings.Contains(t, "home.stateVersion") && strings.Contains(t, "is not of type"):
			val := stateVersionValue(t)
			add(ClassStateVersion, "home.stateVersion "+val+" is not known to this home-manager", Hint{
				Title:  "home.stateVersion " + val + " is not known to this home-manager",
				Detail: "home.stateVersion is an enum: a home-manager release accepts values up to its own release only.\nUse the release you pinned (e.g. \"26.05\" with release-26.05), or pin a newer home-manager.",
			})
		}
	}

	for _, f := range evalFindings(errs) {
		add(f.class, f.reason, f.hint)
	}
	for _, t := range texts {
		if f, ok := unfreeHint(t, c.UnfreeAllowed); ok {
			add(f.class, f.reason, f.hint)
		}
	}

	if len(act.Clobbered) > 0 {
		r, h := clobberHints(act.Clobbered, lstat)
		for _, hh := range h {
			add(ClassClobbered, r, hh)
		}
	}

	for _, m := range errs {
		drv := failedDrv(m.Text)
		if drv == "" {
			continue
		}
		name := storeName(drv)
		if name == "" {
			name = drv
		}
		detail := firstLine(StripANSI(m.Text))
		if lines := logs[drv]; len(lines) > 0 {
			detail += "\nThe last " + textwrap.Count(len(lines), "line", "lines") + " of its log:\n"
			for _, l := range lines {
				detail += "  " + StripANSI(l) + "\n"
			}
			detail = strings.TrimSuffix(detail, "\n")
		}
		add(ClassBuild, "building "+name+" failed", Hint{
			Title:  "The build of " + name + " failed",
			Detail: detail,
			Fix:    "nix log " + shell.Quote(drv),
		})
	}

	// Nix's structured messages first; then the plain lines of the nix
	// commands that run without --log-format (`nix run DIR#home-manager`
	// fetching the flake's inputs before home-manager starts).
	downloads := make([]string, 0, len(errs)+len(warns)+len(texts))
	for _, m := range append(errs, warns...) {
		downloads = append(downloads, StripANSI(m.Text))
	}
	for _, t := range append(downloads, texts...) {
		if h, reason, ok := downloadHint(t); ok {
			add(ClassDownload, reason, h)
			break
		}
	}

	d := Diagnosis{}
	for _, f := range found {
		d.Hints = append(d.Hints, f.hint)
	}
	best := -1
	for i, f := range found {
		if best < 0 || f.class < found[best].class {
			best = i
		}
	}
	if best >= 0 {
		d.Class, d.Reason = found[best].class, found[best].reason
		// The hint of the reason comes first.
		h := d.Hints[best]
		copy(d.Hints[1:best+1], d.Hints[:best])
		d.Hints[0] = h
		return d
	}
	d.Class = ClassUnrecognised
	for _, t := range texts {
		if d.Reason = firstLine(stripErrorPrefix(t)); d.Reason != "" {
			return d
		}
	}
	switch {
	case exitErr != nil:
		d.Reason = exitReason(exitErr)
	case !act.Complete:
		d.Class, d.Reason = ClassLogEnds, ReasonLogEnds
	default:
		d.Reason = "the log reports an error"
	}
	return d
}

func exitReason(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "home-manager exited with status " + strconv.Itoa(ee.ExitCode())
	}
	return err.Error()
}

var (
	reStoreSource = regexp.MustCompile(`(?:/[^\s'"/:]+)*/nix/store/[0-9a-z]{32}-source/`)
	reAtPosition  = regexp.MustCompile(`at (?:«[^»]*»:)?(\S+?):(\d+):(\d+)`)
	reGitStatus   = regexp.MustCompile(`getting status of '(?:[^']*/)?nix/store/[0-9a-z]{32}-source/([^']+)'`)
	// Nix 2.20 and newer: a file git does not track is absent from the
	// flake's store copy.
	reMissingSource = regexp.MustCompile(`path '(?:[^']*/)?nix/store/[0-9a-z]{32}-source/([^']+)' does not exist`)
	// The module system names definitions by file: "- In `FILE'" in an
	// error's own text, "while evaluating definitions from `FILE'" in a
	// trace.
	reDefinedIn = regexp.MustCompile("(?:In|definitions from) `([^']+)'")
	reFilePos   = regexp.MustCompile(`^(.*?)(?::(\d+))?(?::(\d+))?$`)
	// nixpkgs' check-meta.nix: "Refusing to evaluate package 'N-V' in POS
	// because it has an unfree license (‘unfree’)"; before 2025 "Package
	// ‘N-V’ in POS has an unfree license (‘unfree’), refusing to evaluate."
	reUnfree      = regexp.MustCompile(`Refusing to evaluate package '([^']+)' in \S+ because it has an unfree license|Package ‘([^’]+)’ in \S+ has an unfree license`)
	reUnfreeName  = regexp.MustCompile(`builtins\.elem \(lib\.getName pkg\) \[\s*"([^"]+)"`)
	reCurlCode    = regexp.MustCompile(`^(.*?\(\d+\))`)
	reNotTracked  = regexp.MustCompile(`Path '([^']+)' in the repository "([^"]+)" is not tracked by Git`)
	reNotTracked2 = regexp.MustCompile(`'([^']+)' is not tracked by Git`)
	reStateValue  = regexp.MustCompile(`home\.stateVersion[\s\S]*?Definition values:[\s\S]*?:\s*"([^"]*)"`)
	reDownload    = regexp.MustCompile(`unable to download '([^']+)': (.*)`)
	reProfileDirs = regexp.MustCompile(`tried (\S+) and (\S+)`)
)

// UserPath names a file as the person knows it: the store copy of a flake
// (/nix/store/<hash>-source/home.nix) becomes the path inside the flake
// (home.nix).
func UserPath(p string) string {
	return reStoreSource.ReplaceAllString(p, "")
}

// evalFindings recognises evaluation errors and names where they are, as
// the person knows it (see evalLocation), with the error's whole message.
func evalFindings(errs []Message) []finding {
	var out []finding
	for _, m := range errs {
		text := StripANSI(m.Text)
		if failedDrv(text) != "" || strings.Contains(text, "dependencies of derivation") {
			continue
		}
		tail := errorTail(text)
		where := evalLocation(m, text, tail)
		msg := StripANSI(m.Raw)
		if msg == "" {
			msg = tail
		}
		if where == "" {
			// No position (Nix 2.8 prints none without --show-trace):
			// still the whole message, after every recognised cause.
			if strings.HasPrefix(text, "error:") {
				out = append(out, finding{ClassEvaluationUnplaced, summaryLine(UserPath(msg)), Hint{
					Title:  "Nix could not evaluate the configuration",
					Detail: UserPath(tail) + "\nRun the switch with --show-trace (nixboard switch -- --show-trace) to see where.",
				}})
			}
			continue
		}
		prep := "in"
		if strings.Contains(where, ":") {
			prep = "at"
		}
		out = append(out, finding{ClassEvaluation, "evaluation error " + prep + " " + where + ": " + summaryLine(UserPath(msg)), Hint{
			Title:  "Nix could not evaluate the configuration (" + where + ")",
			Detail: UserPath(tail),
			Code:   codeFrame(UserPath(tail)),
		}})
	}
	return out
}

var (
	reFrameAt   = regexp.MustCompile(`^\s*at .+:\d+:\d+:$`)
	reFrameLine = regexp.MustCompile(`^\s*\d*\|`)
)

// codeFrame is the last code frame of an error's text: its "at FILE:L:C:"
// line and the source lines under it ("  3|   y = x;", "   |   ^"), or nil
// when the text has none (Nix 2.8 prints a frame only with --show-trace).
func codeFrame(text string) []string {
	lines := strings.Split(text, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if !reFrameAt.MatchString(lines[i]) {
			continue
		}
		j := i + 1
		for j < len(lines) && reFrameLine.MatchString(lines[j]) {
			j++
		}
		if j == i+1 {
			return nil
		}
		return append([]string(nil), lines[i:j]...)
	}
	return nil
}

// errorTail is an evaluation error's own text without the trace Nix 2.20
// and newer print before it ("error:\n … while evaluating ...\n\n error:
// the error"), dedented; older Nix prints the error alone.
func errorTail(text string) string {
	t := strings.TrimSpace(text)
	if i := strings.LastIndex(t, "\n"+"       error: "); i >= 0 && strings.HasPrefix(t, "error:") {
		t = t[i+1:]
	}
	t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "error:"))
	lines := strings.Split(t, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "       ")
	}
	return strings.Join(lines, "\n")
}

// evalLocation says where an evaluation error is, preferring what the person
// knows: first a definition in one of their own files that the error
// itself names (the module system's "In `…/home.nix'"), then the error's
// own position when it is in their files, then a definition the trace
// names, then the innermost trace frame in their files, and last the
// error's position wherever it is. Files of nixpkgs and home-manager (a
// store source's lib/, modules/, pkgs/, nixos/) are not the person's.
func evalLocation(m Message, text, tail string) string {
	own := func(p string) bool { return p != "" && !foreignFile(UserPath(p)) }
	for _, d := range reDefinedIn.FindAllStringSubmatch(tail, -1) {
		if own(d[1]) {
			return UserPath(d[1])
		}
	}
	pos := ""
	if m.File != "" {
		f := reFilePos.FindStringSubmatch(m.File)
		file, line := f[1], m.Line
		if line == 0 && f[2] != "" {
			line, _ = strconv.Atoi(f[2])
		}
		pos = UserPath(file)
		if line > 0 {
			pos += ":" + strconv.Itoa(line)
		}
	} else if p := lastPosition(tail); p != "" {
		pos = p
	}
	if pos != "" && !foreignFile(pos) {
		return pos
	}
	defs := reDefinedIn.FindAllStringSubmatch(text, -1)
	for i := len(defs) - 1; i >= 0; i-- {
		if own(defs[i][1]) {
			return UserPath(defs[i][1])
		}
	}
	frames := reAtPosition.FindAllStringSubmatch(text, -1)
	for i := len(frames) - 1; i >= 0; i-- {
		f := frames[i]
		if strings.HasSuffix(f[1], ".nix") && own(f[1]) {
			return UserPath(f[1]) + ":" + f[2]
		}
	}
	return pos
}

// lastPosition is the last "at FILE.nix:LINE:COL" in t, as FILE.nix:LINE.
func lastPosition(t string) string {
	all := reAtPosition.FindAllStringSubmatch(t, -1)
	for i := len(all) - 1; i >= 0; i-- {
		if strings.HasSuffix(all[i][1], ".nix") {
			return UserPath(all[i][1]) + ":" + all[i][2]
		}
	}
	return ""
}

// foreignFile reports whether a path (after UserPath) is in nixpkgs' or
// home-manager's own tree, or in another store path, rather than in the
// person's configuration.
func foreignFile(p string) bool {
	if strings.HasPrefix(p, "/nix/store/") || strings.HasPrefix(p, "«") {
		return true
	}
	for _, dir := range []string{"lib/", "modules/", "pkgs/", "nixos/"} {
		if strings.HasPrefix(p, dir) {
			return true
		}
	}
	return false
}

// summaryLine is an error's first line for a one-line reason, without the
// module system's trailing "Definition values:".
func summaryLine(msg string) string {
	l := firstLine(msg)
	return strings.TrimSpace(strings.TrimSuffix(l, "Definition values:"))
}

// unfreeHint explains a package nixpkgs refused as unfree, with the
// predicate for home.nix that allows it and keeps what the flake allowed.
func unfreeHint(t string, allowed []string) (finding, bool) {
	m := reUnfree.FindStringSubmatch(t)
	if m == nil {
		return finding{}, false
	}
	name := drvName(m[1] + m[2])
	if n := reUnfreeName.FindStringSubmatch(t); n != nil {
		name = n[1]
	}
	names := append([]string(nil), allowed...)
	if !slices.Contains(names, name) {
		names = append(names, name)
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	detail := "nixpkgs refuses unfree packages unless the configuration allows them by name. To allow " + name + ", add this to home.nix:\n\n" +
		"  nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ " + strings.Join(quoted, " ") + " ];\n\n" +
		"It replaces the flake's own list, so it names every unfree package the configuration uses"
	if slices.Contains(allowed, name) {
		// The flake allows it: something replaced the flake's config.
		return finding{ClassUnfree, name + " is allowed by your answers, but a nixpkgs.config in home.nix replaced the flake's", Hint{
			Title: name + " was refused although your answers allow it",
			Detail: "home-manager builds its packages with home.nix's nixpkgs.config when there is one, and then ignores the flake's config, including the list of unfree packages your answers allow (" + strings.Join(allowed, ", ") + ")." +
				"\nKeep them in home.nix's own list:\n\n  nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) [ " + strings.Join(quoted, " ") + " ];",
		}}, true
	}
	switch {
	case allowed == nil:
		detail += " (add any other unfree package your answers install, such as those marked unfree in the questions)."
	case len(allowed) == 0:
		detail += "."
	default:
		detail += " (your answers already allow " + strings.Join(allowed, ", ") + ")."
	}
	return finding{ClassUnfree, name + " is unfree and not allowed", Hint{
		Title:  name + " has an unfree license, and the configuration does not allow it",
		Detail: detail,
	}}, true
}

// drvName is the name part of NAME-VERSION (builtins.parseDrvName's rule:
// the version starts at the first dash followed by a digit).
func drvName(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '-' && s[i+1] >= '0' && s[i+1] <= '9' {
			return s[:i]
		}
	}
	return s
}

// ClobberDiagnosis is the verdict on a switch that stops on files
// home-manager refuses to overwrite (Activation.Clobbered): the reason and
// the hints a failed switch's diagnosis gives for them, so that a preview
// that finds them in a dry run says the same before the switch. lstat
// (os.Lstat on this machine) tells a symlink another tool made from a
// file; nil when the files are on another machine. OK when files is empty.
func ClobberDiagnosis(files []Clobber, lstat func(string) (fs.FileInfo, error)) Diagnosis {
	if len(files) == 0 {
		return Diagnosis{OK: true}
	}
	r, h := clobberHints(files, lstat)
	return Diagnosis{Reason: r, Hints: h}
}

// clobberHints explains files home-manager would not overwrite.
func clobberHints(files []Clobber, lstat func(string) (fs.FileInfo, error)) (string, []Hint) {
	var names []string
	var backups, links, plain []string
	var backupFixes, linkFixes []string
	for _, c := range files {
		switch {
		case c.BackupOf != "":
			names = append(names, c.BackupOf)
			backups = append(backups, fmt.Sprintf("%s is in the way, and its backup %s already exists from an earlier switch", c.BackupOf, c.Path))
			backupFixes = append(backupFixes, "mv -n -- "+shell.Quote(c.Path)+" "+shell.Quote(c.Path+".old"))
		default:
			names = append(names, c.Path)
			if lstat != nil {
				if fi, err := lstat(c.Path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
					target, _ := os.Readlink(c.Path)
					links = append(links, fmt.Sprintf("%s is a symlink to %s that another tool made", c.Path, target))
					linkFixes = append(linkFixes, "rm -- "+shell.Quote(c.Path))
					continue
				}
			}
			plain = append(plain, c.Path)
		}
	}
	shown := names
	if len(shown) > 3 {
		shown = append(append([]string(nil), shown[:3]...), fmt.Sprintf("and %d more", len(names)-3))
	}
	reason := textwrap.Count(len(names), "file", "files") + " would be clobbered: " + strings.Join(shown, ", ")
	if len(names) == 1 {
		reason = names[0] + " would be clobbered"
	}
	var hints []Hint
	if len(backups) > 0 {
		hints = append(hints, Hint{
			Title: textwrap.Count(len(backups), "file could not be backed up: an older backup is in the way", "files could not be backed up: an older backup is in the way"),
			Detail: strings.Join(backups, "\n") + "\nhome-manager moves an existing file aside to FILE.<backup extension>, and never overwrites an older backup." +
				"\nMove the older backups away (nothing is deleted), then switch again.",
			Fix: strings.Join(backupFixes, " && "),
		})
	}
	if len(links) > 0 {
		hints = append(hints, Hint{
			Title:  textwrap.Count(len(links), "file is a symlink home-manager cannot back up", "files are symlinks home-manager cannot back up"),
			Detail: strings.Join(links, "\n") + "\nhome-manager only moves regular files aside. Removing the link does not touch the file it points to.",
			Fix:    strings.Join(linkFixes, " && "),
		})
	}
	if len(plain) > 0 {
		hints = append(hints, Hint{
			Title: textwrap.Count(len(plain), "existing file would be clobbered", "existing files would be clobbered"),
			Detail: strings.Join(plain, "\n") + "\nhome-manager does not overwrite files it did not create. With a backup extension (-b EXT) it moves them aside," +
				" unless the file is a symlink (symlinks are never moved): check with ls -l, and remove links made by another tool.",
			Fix: "ls -l -- " + strings.Join(shell.QuoteAll(plain), " "),
		})
	}
	return reason, hints
}

func downloadHint(t string) (Hint, string, bool) {
	markers := []string{"unable to download", "Could not resolve host", "Couldn't connect", "Could not connect to server", "Couldn't resolve host", "Connection refused", "Timeout was reached"}
	hit := false
	for _, m := range markers {
		if strings.Contains(t, m) {
			hit = true
			break
		}
	}
	if !hit {
		return Hint{}, "", false
	}
	host, why, fix := "", firstLine(stripErrorPrefix(t)), ""
	if m := reDownload.FindStringSubmatch(t); m != nil {
		why = strings.TrimSuffix(firstLine(m[2]), ";")
		if i := strings.Index(why, "; retrying"); i >= 0 {
			why = why[:i]
		}
		// Newer Nix follows curl's code with curl's own sentence: "Could
		// not resolve hostname (6) Could not resolve host: cache.nixos.org".
		if c := reCurlCode.FindStringSubmatch(why); c != nil {
			why = c[1]
		}
		if u, err := url.Parse(m[1]); err == nil && u.Host != "" {
			host = u.Scheme + "://" + u.Host
			fix = "curl -sSI " + shell.Quote(host+"/nix-cache-info")
		}
	}
	reason := "a download failed"
	if host != "" {
		reason += ": cannot reach " + host
	}
	if why != "" {
		reason += " (" + why + ")"
	}
	if input := flakeInputHost(host); input != "" {
		// Fetching the flake's inputs (nixpkgs, home-manager) from GitHub,
		// not a binary cache: nix.conf's substituters have nothing to do
		// with it.
		return Hint{
			Title:  "The flake's inputs could not be fetched from " + input,
			Detail: firstLine(stripErrorPrefix(t)) + "\nThe first switch fetches nixpkgs and home-manager from " + input + ": check the network (offline, proxy, DNS), then retry. Later switches reuse the locked copies.",
			Fix:    "curl -sSI " + shell.Quote(host),
		}, reason, true
	}
	return Hint{
		Title:  "A download failed",
		Detail: firstLine(stripErrorPrefix(t)) + "\nNix could not fetch from its binary cache: check the network (offline, proxy, DNS) or the substituters in nix.conf.",
		Fix:    fix,
	}, reason, true
}

// flakeInputHost names the forge a URL belongs to when Nix was fetching a
// flake input from it (github:, gitlab: and sourcehut: inputs go through
// these hosts' APIs and archives), or "".
func flakeInputHost(hostURL string) string {
	for _, h := range []struct{ host, name string }{
		{"github.com", "GitHub"}, {"githubusercontent.com", "GitHub"},
		{"gitlab.com", "GitLab"}, {"sr.ht", "sourcehut"},
	} {
		if hostURL == "https://"+h.host || strings.HasSuffix(hostURL, "."+h.host) {
			return h.name
		}
	}
	return ""
}

func untrackedFile(t string) (file, repo string) {
	if m := reNotTracked.FindStringSubmatch(t); m != nil {
		return m[1], m[2]
	}
	if m := reNotTracked2.FindStringSubmatch(t); m != nil {
		return m[1], ""
	}
	if m := reGitStatus.FindStringSubmatch(t); m != nil {
		return m[1], ""
	}
	if m := reMissingSource.FindStringSubmatch(t); m != nil {
		return m[1], ""
	}
	return "the file", ""
}

// profileDirFix creates the per-user profile directory the message tried
// first, or, when it names none, the default one, left for the shell to
// expand.
func profileDirFix(t string) string {
	if m := reProfileDirs.FindStringSubmatch(t); m != nil {
		return "mkdir -p " + shell.Quote(m[1])
	}
	return `mkdir -p "${XDG_STATE_HOME:-$HOME/.local/state}/nix/profiles"`
}

func stateVersionValue(t string) string {
	if m := reStateValue.FindStringSubmatch(t); m != nil {
		return strconv.Quote(m[1])
	}
	return "value"
}

func stripErrorPrefix(t string) string {
	t = strings.TrimSpace(t)
	for _, p := range []string{"error:", "warning:"} {
		t = strings.TrimSpace(strings.TrimPrefix(t, p))
	}
	return t
}

func firstLine(t string) string {
	t = strings.TrimSpace(t)
	if i := strings.IndexByte(t, '\n'); i >= 0 {
		return strings.TrimSpace(t[:i])
	}
	return t
}

// successHints are what a successful switch tells the person: the files
// it moved aside, and the next steps the activation asked for.
func successHints(s *State) []Hint {
	s.mu.Lock()
	gpu := s.act.GPUSetup
	moved := append([]Moved(nil), s.act.MovedAside...)
	home := s.act.Home
	checks := append([]string(nil), s.act.Warnings...)
	var warns []Message
	if r := s.msgs[LvlWarn]; r != nil {
		warns = allMessages(r)
	}
	s.mu.Unlock()
	var hints []Hint
	if w := evalWarnings(warns); len(w) > 0 {
		title := "home-manager warned: " + firstLine(w[0])
		if len(w) > 1 {
			title = textwrap.Count(len(w), "warning from the evaluation", "warnings from the evaluation")
		}
		hints = append(hints, Hint{
			Title:  title,
			Detail: strings.Join(w, "\n") + "\nThe switch succeeded; the configuration may not do what you expect until the warning is fixed.",
		})
	}
	if len(checks) > 0 {
		title := "the activation warned: " + checks[0]
		if len(checks) > 1 {
			title = "the activation warned " + textwrap.Count(len(checks), "time", "times")
		}
		hints = append(hints, Hint{
			Title:  title,
			Detail: strings.Join(checks, "\n") + "\nnixboard's checks during the activation found this; the switch succeeded.",
		})
	}
	if len(moved) > 0 {
		lines := make([]string, len(moved))
		for i, m := range moved {
			lines[i] = tildePath(m.From, home) + " → " + tildePath(m.To, home)
		}
		hints = append(hints, Hint{
			Title:  textwrap.Count(len(moved), "existing file was moved aside", "existing files were moved aside"),
			Detail: strings.Join(lines, "\n") + "\nhome-manager manages these files now; your old versions are kept under the backup names. Copy what you still need into home.nix.",
		})
	}
	if gpu != "" {
		hints = append(hints, Hint{
			Title:  "set up GPU drivers for programs from Nix (once, as root)",
			Detail: "home-manager's generic Linux target links your graphics drivers for Nix programs; it needs one command with sudo, and again after driver updates.",
			Fix:    gpu,
		})
	}
	return hints
}

// tildePath writes a path under home as ~/..., as the person knows it.
func tildePath(p, home string) string {
	if home != "" && home != "/" {
		if p == home {
			return "~"
		}
		if rest, ok := strings.CutPrefix(p, strings.TrimSuffix(home, "/")+"/"); ok {
			return "~/" + rest
		}
	}
	return p
}

// evalWarnings are the warnings the evaluation printed (home-manager's own,
// traced as "trace: warning: ...", and lib.warn's "evaluation warning:"),
// without their prefix, each once.
func evalWarnings(warns []Message) []string {
	var out []string
	for _, m := range warns {
		body, eval, ok := cutWarning([]byte(m.Text))
		if !ok || !eval {
			continue
		}
		w := strings.TrimSpace(StripANSI(string(body)))
		if w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
