package flakegen

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// homeCheck is what NewPlan learned from a home.nix that already exists:
// nixboard keeps it and imports it, so its definitions of the options the
// base layer sets from nixboard.json must agree with the answers, or
// home-manager stops with "conflicting definition values" at switch time.
type homeCheck struct {
	// stateVersion, when set, is the home.stateVersion home.nix defines;
	// nixboard.json follows it (see adapt).
	stateVersion string
	svLine       int
	// refuse explains why home.nix cannot work with the answers; the plan
	// refuses it and writes nothing.
	refuse []string
	// notes are things the person should know that do not block.
	notes []string
}

// maxHomeScan is the largest home.nix nixboard reads for clashes.
const maxHomeScan = 1 << 20

// inspectHome reads dir/home.nix, if there is one, without evaluating it.
func inspectHome(dir string, a Answers) homeCheck {
	var hc homeCheck
	full := filepath.Join(dir, HomeFile)
	st, err := os.Stat(full)
	if err != nil || !st.Mode().IsRegular() {
		return hc
	}
	if st.Size() > maxHomeScan {
		hc.notes = append(hc.notes, "it is too large for nixboard to check for settings that clash with nixboard.json")
		return hc
	}
	src, err := os.ReadFile(full)
	if err != nil {
		hc.notes = append(hc.notes, fmt.Sprintf("nixboard cannot read it (%v), so it did not check it for settings that clash with nixboard.json", err))
		return hc
	}
	defs, err := scanHome(src)
	if err != nil {
		hc.notes = append(hc.notes, fmt.Sprintf("nixboard could not read it as Nix (%v), so it did not check it for settings that clash with nixboard.json; if it is broken, the switch stops with nix's own error", err))
		return hc
	}
	rel, _ := ReleaseByName(a.Release)
	hb := a.HomeBase
	answers := map[string][2]string{
		"home.username":      {"homeBase.username", hb.Username},
		"home.homeDirectory": {"homeBase.homeDirectory", hb.HomeDirectory},
		"home.stateVersion":  {"homeBase.stateVersion", hb.StateVersion},
	}
	for _, d := range defs {
		ans, ok := answers[d.Option]
		if !ok {
			continue
		}
		key, want := ans[0], ans[1]
		where := fmt.Sprintf("%s (line %d)", d.Option, d.Line)
		switch {
		case !d.Literal:
			hc.notes = append(hc.notes, fmt.Sprintf("it sets %s to an expression nixboard does not evaluate; it must come out as %s (nixboard.json's %s), or home-manager stops with \"conflicting definition values\"", where, strconv.Quote(want), key))
		case d.Priority == "mkDefault":
			// nixboard's plain definition wins; nothing clashes.
		case d.Option == "home.stateVersion":
			hc.checkStateVersion(d, rel, want)
		case d.Value == want:
			// Equal definitions merge.
		case d.Priority == "mkForce":
			hc.notes = append(hc.notes, fmt.Sprintf("it forces %s = %s with mkForce, so that value wins over nixboard.json's %s %s", where, strconv.Quote(d.Value), key, strconv.Quote(want)))
		default:
			hc.refuse = append(hc.refuse, fmt.Sprintf("it sets %s = %s, but the answers say %s %s, and home-manager would stop with \"conflicting definition values\"; nixboard never edits home.nix: delete that line there (nixboard.json sets it for you), or, if %s is right, render with %s %s",
				where, strconv.Quote(d.Value), key, strconv.Quote(want), strconv.Quote(d.Value), key, strconv.Quote(d.Value)))
		}
	}
	return hc
}

// checkStateVersion handles a literal home.stateVersion in home.nix. It is
// the version the person's home-manager state started with, which
// home-manager says never to change, so nixboard.json follows it rather
// than the other way round, as long as the chosen release accepts it.
func (hc *homeCheck) checkStateVersion(d homeDef, rel Release, answered string) {
	where := fmt.Sprintf("home.stateVersion (line %d)", d.Line)
	if hc.stateVersion != "" && hc.stateVersion != d.Value {
		hc.refuse = append(hc.refuse, fmt.Sprintf("it sets home.stateVersion twice, to %s (line %d) and %s (line %d); home-manager would stop with \"conflicting definition values\": keep one of them",
			strconv.Quote(hc.stateVersion), hc.svLine, strconv.Quote(d.Value), d.Line))
		return
	}
	switch {
	case !slices.Contains(stateVersions, d.Value):
		hc.refuse = append(hc.refuse, fmt.Sprintf("it sets %s = %s, which is not a home-manager release, so the switch would fail; change it in home.nix to the release you first installed home-manager with (%s at the newest for release %s)",
			where, strconv.Quote(d.Value), rel.StateVersion, rel.Name))
	case d.Value > rel.StateVersion:
		var accept []string
		for _, r := range Releases {
			if d.Value <= r.StateVersion {
				accept = append(accept, r.Name)
			}
		}
		hc.refuse = append(hc.refuse, fmt.Sprintf("it sets %s = %s, which release %s does not accept (its newest is %s), so the switch would fail; render with release %s, or, if you never switched with this home.nix, change that line to %s",
			where, strconv.Quote(d.Value), rel.Name, strconv.Quote(rel.StateVersion), strings.Join(accept, " or "), strconv.Quote(rel.StateVersion)))
	case d.Value != answered:
		hc.stateVersion, hc.svLine = d.Value, d.Line
	}
}

// keepReason is the reason shown for keeping home.nix.
func (hc homeCheck) keepReason(answered string) string {
	parts := []string{"it is yours: nixboard creates home.nix once and never changes it"}
	if hc.stateVersion != "" {
		parts = append(parts, fmt.Sprintf("it sets home.stateVersion = %s (line %d), the version your home-manager state started with, so nixboard.json's homeBase.stateVersion follows it: %s instead of %s",
			strconv.Quote(hc.stateVersion), hc.svLine, hc.stateVersion, answered))
	}
	parts = append(parts, hc.notes...)
	return strings.Join(parts, "; ")
}
