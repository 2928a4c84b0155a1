package wizardlogic

import (
	"strings"
	"testing"

	"github.com/nixboard/nixboard/flakegen"
)

func TestCommitMessage(t *testing.T) {
	old := flakegen.DefaultFor("linux", "x86_64-linux")
	old.HomeBase.Username, old.Hostname = "alice", "box"
	old.HomeBase.EnableTmux = false
	cur := old
	cur.HomeBase.EnableTmux = true
	cur.HomeBase.EnableContainerSupport = false
	cur.Shell = "zsh"

	got := CommitMessage(&old, cur)
	subject, body, _ := strings.Cut(got, "\n\n")
	if want := "nixboard: disable containers, enable tmux, change shell"; subject != want {
		t.Errorf("subject = %q, want %q", subject, want)
	}
	for _, line := range []string{"- homeBase.enableTmux: false → true", "- homeBase.enableContainerSupport: true → false", `- shell: "bash" → "zsh"`} {
		if !strings.Contains(body, line+"\n") {
			t.Errorf("body lacks %q:\n%s", line, body)
		}
	}
	if got := CommitMessage(nil, cur); got != "nixboard: first configuration (alice@box, x86_64-linux, release "+cur.Release+")\n" {
		t.Errorf("first run: %q", got)
	}
	if got := CommitMessage(&cur, cur); !strings.HasPrefix(got, "nixboard: render again") {
		t.Errorf("same answers: %q", got)
	}
	if got := lowerTitle("ESP-IDF"); got != "ESP-IDF" {
		t.Errorf("lowerTitle(ESP-IDF) = %q", got)
	}
}
