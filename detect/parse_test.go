package detect

import (
	"slices"
	"testing"
)

func TestParseNixVersion(t *testing.T) {
	for _, tc := range []struct{ out, version, determinate string }{
		{"nix (Nix) 2.8.0\n", "2.8.0", ""},
		{"nix (Nix) 2.24.10", "2.24.10", ""},
		{"nix (Determinate Nix 3.11.2) 2.31.1\n", "2.31.1", "3.11.2"},
		{"nix (Lix, like Nix) 2.91.1", "2.91.1", ""},
		{"nix 2.3.16", "2.3.16", ""},
		{"", "", ""},
	} {
		v, d := parseNixVersion(tc.out)
		if v != tc.version || d != tc.determinate {
			t.Errorf("parseNixVersion(%q) = %q, %q; want %q, %q", tc.out, v, d, tc.version, tc.determinate)
		}
	}
}

func TestVersionLess(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		less bool
	}{
		{"2.8.0", "2.18", true},
		{"2.18", "2.18", false},
		{"2.18.8", "2.18", false},
		{"2.3.16", "2.18", true},
		{"2.31.1", "2.18", false},
		{"2.24pre20240101", "2.18", false},
	} {
		if got := versionLess(tc.a, tc.b); got != tc.less {
			t.Errorf("versionLess(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestParseDF(t *testing.T) {
	for _, tc := range []struct {
		out  string
		free int64
		ok   bool
	}{
		{"Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda         264212084 11894904  83606360      13% /\n", 83606360 * 1024, true},
		// macOS names automounts with spaces.
		{"Filesystem 1024-blocks Used Available Capacity Mounted on\nmap auto_home 0 0 0 100% /System/Volumes/Data/home\n", 0, true},
		{"Filesystem 1024-blocks Used Available Capacity Mounted on\n", 0, false},
		{"garbage", 0, false},
	} {
		free, ok := parseDF(tc.out)
		if free != tc.free || ok != tc.ok {
			t.Errorf("parseDF(%q) = %d, %v; want %d, %v", tc.out, free, ok, tc.free, tc.ok)
		}
	}
}

func TestWSLConf(t *testing.T) {
	for _, tc := range []struct {
		conf             string
		systemd, hasBoot bool
	}{
		{"[boot]\nsystemd=true\n", true, true},
		{"[boot]\nsystemd = true # for nix\n", true, true},
		{"[Boot]\nSystemd=\"true\"\n", true, true},
		{"[boot]\nsystemd=false\n", false, true},
		{"[network]\nsystemd=true\n", false, false},
		{"# [boot]\n; systemd=true\n", false, false},
		{"", false, false},
	} {
		if got := iniBool(tc.conf, "boot", "systemd"); got != tc.systemd {
			t.Errorf("iniBool(%q) = %v", tc.conf, got)
		}
		if got := iniHasSection(tc.conf, "boot"); got != tc.hasBoot {
			t.Errorf("iniHasSection(%q) = %v", tc.conf, got)
		}
	}
}

func TestContainer(t *testing.T) {
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	for _, tc := range []struct {
		name string
		pf   platformFacts
		env  string
		want string
	}{
		{"dockerenv", platformFacts{dockerenv: true}, "", "docker"},
		{"podman containerenv", platformFacts{containerenv: true}, "podman", "podman"},
		{"cgroup v1 docker", platformFacts{cgroup: "12:pids:/docker/3f4e5d6c7b8a\n"}, "", "docker"},
		{"cgroup lxc", platformFacts{cgroup: "0::/lxc/web1\n"}, "", "lxc"},
		{"lxc env", platformFacts{cgroup: "0::/\n"}, "lxc", "lxc"},
		{"nspawn", platformFacts{}, "systemd-nspawn", "other"},
		{"kubernetes", platformFacts{cgroup: "0::/kubepods/besteffort/pod1\n"}, "", "other"},
		{"bare metal", platformFacts{cgroup: "0::/init.scope\n"}, "", "<nil>"},
	} {
		if got := str(container(&tc.pf, tc.env)); got != tc.want {
			t.Errorf("%s: container = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestNixConf(t *testing.T) {
	m := newMemory("linux", "amd64")
	m.env = map[string]string{"HOME": "/home/a"}
	m.file("/etc/nix/nix.conf", "build-users-group = nixbld\nexperimental-features = nix-command # old\n!include nix.custom.conf\ninclude /etc/nix/missing.conf\n")
	m.file("/etc/nix/nix.custom.conf", "extra-experimental-features = ca-derivations\n")
	m.file("/etc/xdg/nix/nix.conf", "extra-experimental-features = fetch-closure\n")
	m.file("/home/a/.config/nix/nix.conf", "extra-experimental-features = flakes\n")
	p := &prober{m: m}

	c := readNixConf(p)
	want := []string{"nix-command", "ca-derivations", "fetch-closure", "flakes"}
	if !slices.Equal(c.features, want) {
		t.Errorf("features = %v, want %v", c.features, want)
	}
	if want := []string{"/etc/nix/nix.conf", "/etc/nix/nix.custom.conf", "/etc/xdg/nix/nix.conf", "/home/a/.config/nix/nix.conf"}; !slices.Equal(c.sources, want) {
		t.Errorf("sources = %v, want %v", c.sources, want)
	}

	// NIX_CONFIG comes last; a plain setting replaces what came before.
	m.env["NIX_CONFIG"] = "experimental-features = flakes\nsandbox = false"
	if c := readNixConf(p); !slices.Equal(c.features, []string{"flakes"}) {
		t.Errorf("with NIX_CONFIG: features = %v", c.features)
	}
	delete(m.env, "NIX_CONFIG")

	// XDG_CONFIG_HOME moves the user file; NIX_USER_CONF_FILES replaces
	// the user files altogether.
	m.env["XDG_CONFIG_HOME"] = "/xdg"
	m.file("/xdg/nix/nix.conf", "extra-experimental-features = pipe-operators\n")
	if c := readNixConf(p); !slices.Contains(c.features, "pipe-operators") || slices.Contains(c.features, "flakes") {
		t.Errorf("with XDG_CONFIG_HOME: features = %v", c.features)
	}
	m.env["NIX_USER_CONF_FILES"] = "/home/a/.config/nix/nix.conf"
	if c := readNixConf(p); !slices.Contains(c.features, "flakes") || slices.Contains(c.features, "fetch-closure") {
		t.Errorf("with NIX_USER_CONF_FILES: features = %v", c.features)
	}
}

func TestShowConfigFeatures(t *testing.T) {
	out := "allowed-users = *\nexperimental-features = flakes nix-command\nextra-platforms = \n"
	if got := showConfigFeatures(out); !slices.Equal(got, []string{"flakes", "nix-command"}) {
		t.Errorf("showConfigFeatures = %v", got)
	}
}

func TestEditorCommand(t *testing.T) {
	for in, want := range map[string]string{"/usr/bin/nvim": "nvim", "code --wait": "code --wait", "  ": "", "vim": "vim",
		"emacsclient  -c": "emacsclient -c"} {
		if got, why := editorCommand(&in); got != want || why != "" {
			t.Errorf("editorCommand(%q) = %q, %q; want %q", in, got, why, want)
		}
	}
	if got, why := editorCommand(nil); got != "" || why != "" {
		t.Error("editorCommand(nil) is not empty")
	}
	// Values homeBase.defaultEditor cannot hold are not proposed: the
	// default stays, and why is said.
	for _, in := range []string{`"/Applications/Sublime Text.app/Contents/SharedSupport/bin/subl" -w`, `nvim"; touch /tmp/x; echo "`, "$(touch /tmp/x)vim", "vim\u202e"} {
		if got, why := editorCommand(&in); got != "" || why == "" {
			t.Errorf("editorCommand(%q) = %q, %q; want it refused with a reason", in, got, why)
		}
	}
}
