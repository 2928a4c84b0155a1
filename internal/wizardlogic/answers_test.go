package wizardlogic

import (
	"strings"
	"testing"

	"github.com/nixboard/nixboard/flakegen"
)

func TestChangedAnswers(t *testing.T) {
	old := flakegen.DefaultFor("wsl", "x86_64-linux")
	old.HomeBase.EnableTmux = false
	cur := old
	cur.HomeBase.EnableTmux = true
	cur.HomeBase.ShellAliases = map[string]string{"gs": "git status"}
	cur.HomeBase.AdditionalPackages = []string{"ripgrep"}
	got := changedAnswers(old, cur)
	var lines []string
	for _, c := range got {
		lines = append(lines, c.String())
	}
	want := []string{
		`homeBase.additionalPackages: (unset) → ["ripgrep"]`,
		"homeBase.enableTmux: false → true",
		`homeBase.shellAliases.gs: (unset) → "git status"`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if c := changedAnswers(old, old); len(c) != 0 {
		t.Errorf("same answers gave changes %v", c)
	}
}

func TestModuleChoicesPerPlatform(t *testing.T) {
	tests := []struct {
		platform, system string
		offered          []string
		notOffered       []string
	}{
		{"wsl", "x86_64-linux", []string{"enableOneDriveUtils", "terminalVerification.enable", "enableEspIdf"}, nil},
		{"darwin", "aarch64-darwin", []string{"enableGit", "enableTmux"}, []string{"enableOneDriveUtils", "enableEspIdf", "terminalVerification.enable"}},
		{"linux", "x86_64-linux", []string{"enableEspIdf"}, []string{"enableOneDriveUtils"}},
		{"nixos-wsl", "x86_64-linux", []string{"enableOneDriveUtils"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			choices := ModuleChoices(flakegen.DefaultFor(tt.platform, tt.system))
			byKey := map[string]ModuleChoice{}
			for _, c := range choices {
				byKey[c.Flag.Key] = c
			}
			for _, k := range tt.offered {
				if !byKey[k].Offered {
					t.Errorf("%s not offered on %s", k, tt.platform)
				}
			}
			for _, k := range tt.notOffered {
				c := byKey[k]
				if c.Offered || c.Reason == "" || c.On {
					t.Errorf("%s on %s: offered=%v on=%v reason=%q", k, tt.platform, c.Offered, c.On, c.Reason)
				}
			}
			notes := ExcludedNotes(choices)
			if len(tt.notOffered) > 0 && len(notes) == 0 {
				t.Error("no notes for the flags not offered")
			}
		})
	}
}

func TestSetModules(t *testing.T) {
	a := flakegen.DefaultFor("darwin", "aarch64-darwin")
	SetModules(&a, []string{"enableTmux", "enableOneDriveUtils"})
	if !a.HomeBase.EnableTmux || a.HomeBase.EnableGit || a.HomeBase.EnableOneDriveUtils {
		t.Errorf("SetModules: %+v", a.HomeBase)
	}
}

func TestReleaseChoices(t *testing.T) {
	for _, c := range ReleaseChoices("x86_64-darwin") {
		if c.Release.Name == "unstable" && (c.Offered || c.Reason == "") {
			t.Errorf("unstable offered on Intel Mac: %+v", c)
		}
		if c.Release.Name == "26.05" && !c.Offered {
			t.Error("26.05 not offered on Intel Mac")
		}
	}
	for _, c := range ReleaseChoices("x86_64-linux") {
		if !c.Offered {
			t.Errorf("%s not offered on x86_64-linux", c.Release.Name)
		}
	}
}

func TestParseAssignments(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		{"", map[string]string{}, ""},
		{"gs=git status\n\n# comment\nll = ls -l", map[string]string{"gs": "git status", "ll": "ls -l"}, ""},
		{"a=b=c", map[string]string{"a": "b=c"}, ""},
		{"gs git status", nil, "line 1"},
		{"=x", nil, "empty"},
	}
	for _, tt := range tests {
		got, err := ParseAssignments(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseAssignments(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || FormatAssignments(got) != FormatAssignments(tt.want) {
			t.Errorf("ParseAssignments(%q) = %v, %v", tt.in, got, err)
		}
	}
	if got := ParsePackages("ripgrep, fd\npython3Packages.requests"); strings.Join(got, "|") != "ripgrep|fd|python3Packages.requests" {
		t.Errorf("ParsePackages = %v", got)
	}
}

func TestExpandDir(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"~/.config/home-manager", "/home/a/.config/home-manager", ""},
		{"/tmp/x/", "/tmp/x", ""},
		{"~", "/home/a", ""},
		{"relative/dir", "", "not an absolute path"},
		{"  ", "", "empty"},
	}
	for _, tt := range tests {
		got, err := ExpandDir(tt.in, "/home/a")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ExpandDir(%q) err = %v", tt.in, err)
			}
			continue
		}
		if got != tt.want || err != nil {
			t.Errorf("ExpandDir(%q) = %q, %v", tt.in, got, err)
		}
	}
}

func validAnswers() flakegen.Answers {
	a := flakegen.DefaultFor("wsl", "x86_64-linux")
	a.HomeBase.Username = "alice"
	a.HomeBase.HomeDirectory = "/home/alice"
	a.Hostname = "wsl-box"
	a.Git = flakegen.GitAnswer{Name: "Alice Example", Email: "alice@example.com"}
	return a
}

func TestFieldProblem(t *testing.T) {
	a := validAnswers()
	if err := a.Validate(); err != nil {
		t.Fatalf("base answers invalid: %v", err)
	}
	tests := []struct {
		path string
		set  func(a *flakegen.Answers)
		bad  bool
	}{
		{"homeBase.username", func(a *flakegen.Answers) {}, false},
		{"homeBase.username", func(a *flakegen.Answers) { a.HomeBase.Username = "Bad Name!" }, true},
		{"git.email", func(a *flakegen.Answers) { a.Git.Email = "not-an-email" }, true},
		{"homeBase.shellAliases", func(a *flakegen.Answers) { a.HomeBase.ShellAliases = map[string]string{"g s": "x"} }, true},
		{"homeBase.additionalPackages", func(a *flakegen.Answers) { a.HomeBase.AdditionalPackages = []string{"rip grep"} }, true},
		// A problem in another field is not this field's problem.
		{"homeBase.username", func(a *flakegen.Answers) { a.Git.Email = "nope" }, false},
	}
	for _, tt := range tests {
		b := a
		tt.set(&b)
		err := FieldProblem(b, tt.path)
		if (err != nil) != tt.bad {
			t.Errorf("FieldProblem(%s) = %v, want bad=%v", tt.path, err, tt.bad)
		}
	}
}

func TestReviewSummary(t *testing.T) {
	a := validAnswers()
	first := strings.Join(ReviewSummary(a, "/home/alice/.config/home-manager", "/home/bob", nil, 80), "\n")
	for _, want := range []string{"alice@wsl-box", "Alice Example <alice@example.com>", "/home/alice/.config/home-manager", "First run"} {
		if !strings.Contains(first, want) {
			t.Errorf("summary lacks %q:\n%s", want, first)
		}
	}
	prev := a
	prev.HomeBase.EnableTmux = false
	again := strings.Join(ReviewSummary(a, "/d", "/home/alice", &prev, 80), "\n")
	if !strings.Contains(again, "homeBase.enableTmux: false → true") {
		t.Errorf("re-run summary lacks the change:\n%s", again)
	}
	same := strings.Join(ReviewSummary(a, "/d", "/home/alice", &a, 80), "\n")
	if !strings.Contains(same, "Same answers") {
		t.Errorf("unchanged summary:\n%s", same)
	}
}

func TestEditors(t *testing.T) {
	list := Editors("nvim")
	for _, e := range list {
		a := validAnswers()
		a.HomeBase.DefaultEditor = e
		if err := FieldProblem(a, "homeBase.defaultEditor"); err != nil {
			t.Errorf("the offered editor %q is refused: %v", e, err)
		}
		// A GUI editor as EDITOR must wait for the file to be closed.
		if strings.HasPrefix(e, "code") && e != "code --wait" {
			t.Errorf("VS Code is offered as %q, which returns at once", e)
		}
	}
	if got := Editors("micro"); got[0] != "micro" || len(got) != len(list)+1 {
		t.Errorf("the current editor is not offered first: %q", got)
	}
	if got := Editors("vim"); len(got) != len(list) {
		t.Errorf("a listed current editor is offered twice: %q", got)
	}
}
