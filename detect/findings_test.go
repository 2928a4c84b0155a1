//go:build unix

package detect_test

import (
	"strings"
	"testing"

	"github.com/nixboard/nixboard/detect"
)

// steps are the commands of a multi-line fix, without its comment lines.
func steps(fix string) []string {
	var out []string
	for _, l := range strings.Split(fix, "\n") {
		if !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// comments are the comment lines of a fix: what each step removes.
func comments(fix string) string {
	var out []string
	for _, l := range strings.Split(fix, "\n") {
		if strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

const detNoInitCmd = "curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix | sh -s -- install linux --init none --no-confirm"
const detCmd = "curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix | sh -s -- install --no-confirm"
const upSingleCmd = "curl --proto '=https' --tlsv1.2 -sSf -L https://nixos.org/nix/install | sh -s -- --no-daemon"

const buildUsers = "for u in nixbld1 nixbld2 nixbld3 nixbld4 nixbld5 nixbld6 nixbld7 nixbld8 nixbld9 nixbld10; do "

// TestDebianNixBinReplacement: replacing Debian's too-old nix-bin with a
// multi-user installer starts from what removing the package leaves (a
// root-owned /nix, /etc/nix/nix.conf, the nixbld group and its users, which
// the installers refuse), and every step says what it removes.
func TestDebianNixBinReplacement(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		fixture string
		want    []string
	}{
		{"debian-nix-bin-systemd", []string{
			"sudo apt-get purge -y nix-bin nix-setup-systemd",
			"sudo rm -rf /nix /etc/nix",
			buildUsers + `sudo userdel "$u"; done`,
			"sudo groupdel nixbld",
			"sudo groupdel nix-users",
			detCmd,
		}},
		// Root in a container: no sudo, Determinate's root-only plan.
		{"debian-nix-bin", []string{
			"apt-get purge -y nix-bin nix-setup-systemd",
			"rm -rf /nix /etc/nix",
			buildUsers + `userdel "$u"; done`,
			"groupdel nixbld",
			"groupdel nix-users",
			detNoInitCmd,
		}},
	} {
		a := alter(t, tt.fixture)
		// /nix as Debian leaves it: root's.
		a.owners["/nix"] = 0
		fix := find(a.run(t), "nix.version").Fix
		eq(t, tt.fixture+" steps", steps(fix), tt.want)
		for _, says := range []string{"nix-bin", "nix-daemon units", "/etc/nix/nix.conf", "Nix store and database", "everything built or installed with it", "nixbld1", "nix-users"} {
			if !strings.Contains(comments(fix), says) {
				t.Errorf("%s: the fix does not say it removes %q:\n%s", tt.fixture, says, fix)
			}
		}
	}
}

// TestDebianNixBinSingleUser: where the single-user installer is the one
// to use (no systemd, not root), /nix is handed to the person instead of
// removed, since that installer refuses a /nix it cannot write; a /nix
// already theirs needs nothing, and the name pasted is quoted.
func TestDebianNixBinSingleUser(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		owner int
		want  []string
	}{
		{"root-owned /nix", 0, []string{
			"sudo apt-get purge -y nix-bin nix-setup-systemd",
			`sudo chown -R 'd'\''ana' /nix`,
			upSingleCmd,
		}},
		{"/nix already theirs", 1000, []string{
			"sudo apt-get purge -y nix-bin nix-setup-systemd",
			upSingleCmd,
		}},
	} {
		a := alter(t, "debian-nix-bin")
		a.env["USER"], a.env["HOME"] = "d'ana", "/root"
		a.answers["id -u"] = "1000\n"
		a.owners["/nix"] = tt.owner
		r := a.run(t)
		if r.User.IsRoot() {
			t.Fatalf("%s: uid 1000 counted as root", tt.name)
		}
		fix := find(r, "nix.version").Fix
		eq(t, tt.name, steps(fix), tt.want)
		if strings.Contains(fix, "rm -rf") || strings.Contains(fix, "userdel") {
			t.Errorf("%s: the single-user route removes things it need not:\n%s", tt.name, fix)
		}
	}
}

// TestDebianNixBinKeepsAnotherNix: /nix is removed only when what is in it
// is Debian's; a /nix that also holds an installer's Nix, or that a person
// owns (their single-user Nix), is left alone, and so are the build users.
func TestDebianNixBinKeepsAnotherNix(t *testing.T) {
	t.Parallel()
	for name, change := range map[string]func(a *altered){
		"a person's single-user Nix":     func(a *altered) { a.owners["/nix"] = 1001 },
		"an installer's default profile": func(a *altered) { a.extra = append(a.extra, "/nix/var/nix/profiles/default") },
	} {
		a := alter(t, "debian-nix-bin-systemd")
		change(a)
		fix := find(a.run(t), "nix.version").Fix
		eq(t, name, steps(fix), []string{"sudo apt-get purge -y nix-bin nix-setup-systemd"})
		if !strings.Contains(fix, "nixboard does not remove it") {
			t.Errorf("%s: the fix does not say why /nix stays:\n%s", name, fix)
		}
	}
}

// TestNixOlderThanMinverFails: nixpkgs' lib/minver.nix is 2.18 and its
// default.nix aborts below it, so a Nix older than 2.18 is a blocker, not a
// warning; 2.18 itself is fine.
func TestNixOlderThanMinverFails(t *testing.T) {
	t.Parallel()
	for version, want := range map[string]detect.Status{"2.17.1": fail, "2.14.1": fail, "2.18.0": ok, "2.18.8": ok} {
		a := alter(t, "ubuntu-x86_64")
		a.answers["nix --version"] = "nix (Nix) " + version + "\n"
		r := a.run(t)
		c := find(r, "nix.version")
		if c.Status != want {
			t.Errorf("Nix %s: nix.version %s (%s), want %s", version, c.Status, c.Message, want)
		}
		var blocked bool
		for _, b := range r.Blockers() {
			if b.ID == "nix.version" {
				blocked = true
				if !strings.Contains(b.Reason, "2.18") || !strings.Contains(b.Reason, "minver") || b.Fix == "" {
					t.Errorf("Nix %s: blocker %+v does not give nixpkgs' reason and a fix", version, b)
				}
			}
		}
		if blocked != (want == fail) {
			t.Errorf("Nix %s: among the blockers = %v, want %v", version, blocked, want == fail)
		}
	}
}

// TestRootByEffectiveUID: `sudo -E` keeps USER and HOME while running as
// root, and a container can run as uid 1000 with USER=root left over; the
// effective uid (id -u) decides.
func TestRootByEffectiveUID(t *testing.T) {
	t.Parallel()
	// frank, through sudo -E: root after all.
	a := alter(t, "debian-nix-bin-systemd")
	a.answers["id -u"] = "0\n"
	r := a.run(t)
	if !r.User.IsRoot() || r.User.UID == nil || *r.User.UID != 0 {
		t.Errorf("sudo -E: user %+v, want root", r.User)
	}
	if c := find(r, "user.name"); c.Status != warn || !strings.Contains(c.Message, "running as root") {
		t.Errorf("sudo -E: user.name = %+v, want the running-as-root warning", c)
	}
	if c := find(r, "nix.daemon"); c.Status != warn || strings.Contains(c.Fix, "sudo") {
		t.Errorf("sudo -E: nix.daemon = %+v, want root's warning and a fix without sudo", c)
	}

	// USER=root in a container running as uid 1000: not root.
	a = alter(t, "docker-ubuntu")
	a.answers["id -u"] = "1000\n"
	r = a.run(t)
	if r.User.IsRoot() {
		t.Errorf("uid 1000 named root: counted as root")
	}
	if fix := find(r, "nix.installed").Fix; !strings.Contains(fix, "--no-daemon") || strings.Contains(fix, "--init none") {
		t.Errorf("uid 1000 named root: nix.installed fix %q, want the single-user install, not the root-only plan", fix)
	}
}

// TestHomeAsHomeManagerChecksIt: home-manager's activation compares HOME
// with home.homeDirectory (`[[ $HOME -ef ... ]]`), never with /etc/passwd.
// A HOME that differs from the user database is fine; last run's answers
// that set another home directory are not, and the defaults follow HOME.
// The same directory through a symbolic link is the same for -ef.
func TestHomeAsHomeManagerChecksIt(t *testing.T) {
	t.Parallel()
	const answers = "/home/dave/.config/home-manager/nixboard.json"

	a := alter(t, "wsl2-ubuntu-systemd")
	a.files["/etc/passwd"] = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/srv/alice:/bin/bash\n"
	if c := find(a.run(t), "user.home"); c.Status != ok || c.Fix != "" {
		t.Errorf("HOME differs from /etc/passwd: user.home = %+v, want ok (home-manager does not check the user database)", c)
	}

	for _, tt := range []struct {
		name, homeDirectory string
		links               map[string]string
		status              detect.Status
		want                string // the defaults' homeDirectory
	}{
		{"the last run's home differs", "/home/dave.old", nil, warn, "/home/dave"},
		{"the same directory through a link", "/home/dave.link", map[string]string{"/home/dave.link": "/home/dave"}, ok, "/home/dave.link"},
		{"the same", "/home/dave", nil, ok, "/home/dave"},
	} {
		a := alter(t, "ubuntu-x86_64")
		b, err := a.Machine.ReadFile(answers)
		if err != nil {
			t.Fatal(err)
		}
		a.files[answers] = strings.Replace(string(b), `"homeDirectory": "/home/dave"`, `"homeDirectory": "`+tt.homeDirectory+`"`, 1)
		for k, v := range tt.links {
			a.links[k] = v
		}
		r := a.run(t)
		c := find(r, "user.home")
		if c.Status != tt.status {
			t.Errorf("%s: user.home = %+v, want %s", tt.name, c, tt.status)
		}
		if got := r.Defaults.HomeBase.HomeDirectory; got != tt.want {
			t.Errorf("%s: defaults' homeDirectory = %q, want %q", tt.name, got, tt.want)
		}
		if tt.status == warn && (!strings.Contains(c.Message, tt.homeDirectory) || !strings.Contains(c.Fix, "HOME="+tt.homeDirectory)) {
			t.Errorf("%s: user.home does not name the old home and how to keep it: %+v", tt.name, c)
		}
	}
}

// TestHomeFixQuotesThePath: a home directory that does not exist is made
// with its path quoted for the shell.
func TestHomeFixQuotesThePath(t *testing.T) {
	t.Parallel()
	a := alter(t, "wsl2-ubuntu-systemd")
	a.env["HOME"] = "/home/alice smith"
	c := find(a.run(t), "user.home")
	if c.Status != fail || c.Fix != `sudo mkdir -p '/home/alice smith' && sudo chown "$(id -un)" '/home/alice smith'` {
		t.Errorf("user.home = %+v", c)
	}
}

// TestEditorNotProposedWhenUnfit: an EDITOR homeBase.defaultEditor cannot
// hold (macOS's quoted Sublime Text path, shell code) is not copied into
// the defaults, where home-manager would write it into a shell script: the
// default stays, a warning says why, and a quoted path gets a link to name
// instead, its path shell-quoted.
func TestEditorNotProposedWhenUnfit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ editor, fix string }{
		{`"/Applications/Sublime Text.app/Contents/SharedSupport/bin/subl" -w`,
			`mkdir -p ~/.local/bin && ln -s '/Applications/Sublime Text.app/Contents/SharedSupport/bin/subl' ~/.local/bin/subl` + "\nthen choose \"subl -w\""},
		{`nvim"; touch /tmp/x; echo "`, "choose the editor in the wizard"},
		{"$(touch /tmp/x)vim", "choose the editor in the wizard"},
	} {
		a := alter(t, "darwin-intel")
		a.env["EDITOR"] = tt.editor
		r := a.run(t)
		if got := r.Defaults.HomeBase.DefaultEditor; got != "nvim" {
			t.Errorf("EDITOR=%q: defaultEditor = %q, want the default nvim", tt.editor, got)
		}
		if err := r.Defaults.Validate(); err != nil {
			t.Errorf("EDITOR=%q: defaults do not validate: %v", tt.editor, err)
		}
		c := find(r, "user.editor")
		if c.Status != warn || !strings.Contains(c.Message, "nixboard proposes nvim instead") || !strings.Contains(c.Fix, tt.fix) {
			t.Errorf("EDITOR=%q: user.editor = %+v, want a warning with fix %q", tt.editor, c, tt.fix)
		}
	}
}
