package wizardlogic

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/gitrepo"
)

// CommitRun commits an applied plan as one run (flakegen's Plan.Commit),
// with CommitMessage of the last run's answers and the plan's; the
// repository's first commit is the first configuration, even over the
// answers of an earlier run that was never committed. It returns the line
// that says what happened: the commit, or why there is none ("" when
// nothing changed). The answers' git identity is used when git has none.
func CommitRun(ctx context.Context, plan *flakegen.Plan, previous *flakegen.Answers) (string, error) {
	msg := func(first bool) string {
		if first {
			return CommitMessage(nil, plan.Answers)
		}
		return CommitMessage(previous, plan.Answers)
	}
	res, err := plan.Commit(ctx, msg, gitrepo.Identity{Name: plan.Answers.Git.Name, Email: plan.Answers.Git.Email})
	if err != nil {
		return "", fmt.Errorf("the files are written, but: %w", err)
	}
	if res.Hash != "" {
		subject, _, _ := strings.Cut(res.Message, "\n")
		return "committed " + res.Hash[:7] + ": " + subject, nil
	}
	return res.Skipped, nil
}

// CommitMessage is the git commit message of one applied run: a subject
// that says what changed, from the same comparison the review shows
// (changedAnswers), and a body listing every changed answer. previous nil
// is the first run.
//
//	nixboard: enable tmux, disable containers
//	nixboard: first configuration (alice@laptop, aarch64-darwin, release 26.05)
func CommitMessage(previous *flakegen.Answers, a flakegen.Answers) string {
	if previous == nil {
		return "nixboard: first configuration (" + a.ConfigName() + ", " + a.System + ", release " + a.Release + ")\n"
	}
	changes := changedAnswers(*previous, a)
	if len(changes) == 0 {
		return "nixboard: render again with the same answers\n"
	}
	titles := map[string]string{}
	for _, f := range flakegen.Flags() {
		titles["homeBase."+f.Key] = lowerTitle(f.Title)
	}
	var words, body []string
	for _, c := range changes {
		body = append(body, "- "+c.String())
		t, isFlag := titles[c.Field]
		switch {
		case isFlag && c.New == "true":
			words = append(words, "enable "+t)
		case isFlag && (c.New == "false" || c.New == unset):
			words = append(words, "disable "+t)
		default:
			words = append(words, "change "+c.Field)
		}
	}
	return "nixboard: " + strings.Join(words, ", ") + "\n\n" + strings.Join(body, "\n") + "\n"
}

// lowerTitle lowers a title's first letter unless the first word is an
// acronym ("ESP-IDF", "WSL"): "Containers" becomes "containers".
func lowerTitle(s string) string {
	first, _, _ := strings.Cut(s, " ")
	upper := 0
	for _, r := range first {
		if unicode.IsUpper(r) {
			upper++
		}
	}
	if upper > 1 {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
