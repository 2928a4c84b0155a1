package detect_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/detect/detecttest"
)

// adviceCase is the install advice one machine must get.
type adviceCase struct {
	// ids are the options' ids in order, the recommended one first.
	ids []string
	// runnable says whether nixboard can run the first option itself.
	runnable bool
	// command holds text every option's command must contain, by id.
	command map[string]string
	// notCommand holds text no option's command may contain.
	notCommand []string
	// intro holds text the explanation must contain.
	intro string
}

const (
	optDet       = detect.OptionDeterminate
	optDetNoInit = detect.OptionDeterminateNoInit
	optUpDaemon  = detect.OptionUpstreamDaemon
	optUpSingle  = detect.OptionUpstreamSingleUser
	optWSLOn     = detect.OptionWSLEnableSystemd
	optWSLReboot = detect.OptionWSLRestart
	optWSL2      = detect.OptionWSL2
)

// The installers' documented command lines (Determinate Systems'
// nix-installer README; the Nix manual, "Installing a Binary
// Distribution"), with the confirmation nixboard already asked for.
const (
	detInstall   = "curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix | sh -s -- install --no-confirm"
	detNoInit    = "curl --proto '=https' --tlsv1.2 -sSf -L https://install.determinate.systems/nix | sh -s -- install linux --init none --no-confirm"
	upDaemon     = "https://nixos.org/nix/install | sh -s -- --daemon"
	upSingleUser = "https://nixos.org/nix/install | sh -s -- --no-daemon"
)

var adviceFixtures = map[string]adviceCase{
	"wsl2-ubuntu-systemd": {ids: []string{optDet, optUpDaemon}, runnable: true,
		command: map[string]string{optDet: detInstall, optUpDaemon: upDaemon}},
	// No [boot] section in wsl.conf: the same edit the wsl.systemd check
	// gives, then the restart; the single-user install as the way that works
	// now.
	"wsl2-ubuntu-nosystemd": {ids: []string{optWSLOn, optUpSingle},
		command: map[string]string{optWSLOn: "printf '[boot]\\nsystemd=true\\n' | sudo tee -a /etc/wsl.conf\nwsl.exe --shutdown",
			optUpSingle: upSingleUser},
		intro: "two ways forward"},
	"wsl2-ubuntu-restart-pending": {ids: []string{optWSLReboot, optUpSingle},
		command: map[string]string{optWSLReboot: "wsl.exe --shutdown", optUpSingle: upSingleUser}, notCommand: []string{"wsl.conf"},
		intro: "not restarted"},
	"wsl1-ubuntu": {ids: []string{optWSL2, optUpSingle},
		command: map[string]string{optWSL2: "wsl.exe --set-version Ubuntu-20.04 2", optUpSingle: upSingleUser}, intro: "WSL 1"},
	// Alpine runs OpenRC: wsl.conf cannot give it systemd, and its minimal
	// system lacks what the installer needs.
	"wsl2-alpine": {ids: []string{optUpSingle}, runnable: true,
		command:    map[string]string{optUpSingle: "sudo apk add bash curl xz shadow && curl --proto '=https' --tlsv1.2 -sSf -L " + upSingleUser},
		notCommand: []string{"wsl.conf"}, intro: "Alpine"},
	"nixos-wsl":    {intro: "NixOS comes with Nix"},
	"nixos":        {intro: "NixOS comes with Nix"},
	"darwin-arm64": {ids: []string{optDet, optUpDaemon}, runnable: true, command: map[string]string{optDet: detInstall}},
	// Determinate's installer no longer ships for Intel macOS.
	"darwin-intel": {ids: []string{optUpDaemon}, runnable: true, command: map[string]string{optUpDaemon: upDaemon},
		notCommand: []string{"determinate"}, intro: "Intel Mac"},
	// Under Rosetta the Mac is still Apple Silicon.
	"darwin-rosetta":     {ids: []string{optDet, optUpDaemon}, runnable: true, command: map[string]string{optDet: detInstall}},
	"ubuntu-x86_64":      {ids: []string{optDet, optUpDaemon}, runnable: true},
	"debian-aarch64":     {ids: []string{optDet, optUpDaemon}, runnable: true},
	"ubuntu-nix-missing": {ids: []string{optDet, optUpDaemon}, runnable: true, command: map[string]string{optDet: detInstall}},
	"nix-not-on-path":    {ids: []string{optDet, optUpDaemon}, runnable: true},
	"flakes-off":         {ids: []string{optDet, optUpDaemon}, runnable: true},
	"daemon-down":        {ids: []string{optDet, optUpDaemon}, runnable: true},
	"nix-hangs":          {ids: []string{optDet, optUpDaemon}, runnable: true},
	// Root in a container without systemd: Determinate's root-only plan is
	// fine for root, and root needs no sudo.
	"docker-ubuntu": {ids: []string{optDetNoInit, optUpSingle}, runnable: true,
		command: map[string]string{optDetNoInit: detNoInit, optUpSingle: upSingleUser}, notCommand: []string{"sudo"}, intro: "Docker container"},
	"debian-nix-bin":         {ids: []string{optDetNoInit, optUpSingle}, runnable: true, command: map[string]string{optDetNoInit: detNoInit}},
	"debian-nix-bin-systemd": {ids: []string{optDet, optUpDaemon}, runnable: true},
}

func TestInstallAdviceFixtures(t *testing.T) {
	for _, name := range detecttest.Names(t) {
		if _, ok := adviceFixtures[name]; !ok {
			t.Errorf("fixture %s has no install advice expectation", name)
		}
	}
	for name, want := range adviceFixtures {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := runFixture(t, name, detect.Options{})
			checkAdvice(t, detect.InstallAdvice(r), want)
			// The doctor's fix is the same advice, whenever Nix is missing.
			if !r.Nix.Installed {
				if got, adv := find(r, "nix.installed").Fix, detect.InstallAdvice(r).Fix(); got != adv {
					t.Errorf("nix.installed fix = %q, want the advice's %q", got, adv)
				}
			}
		})
	}
}

// TestInstallAdviceVariants covers machines the fixtures do not: reports
// changed in one respect.
func TestInstallAdviceVariants(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		change  func(r *detect.Report)
		want    adviceCase
	}{
		{"container user without systemd: single-user, Determinate's root-only plan explained", "docker-ubuntu",
			func(r *detect.Report) { r.User.Name, r.User.UID = "ubuntu", n(1000) },
			adviceCase{ids: []string{optUpSingle}, runnable: true, command: map[string]string{optUpSingle: upSingleUser},
				intro: "root-only"}},
		{"podman container running systemd: Determinate", "docker-ubuntu",
			func(r *detect.Report) { r.Platform.Systemd = true; r.Platform.Container = s("podman") },
			adviceCase{ids: []string{optDet, optUpDaemon}, runnable: true, command: map[string]string{optDet: detInstall}}},
		{"Alpine as root without systemd: apk without sudo", "wsl2-alpine",
			func(r *detect.Report) {
				r.Platform.WSL = nil
				r.Platform.Kind = "linux"
				r.User.Name, r.User.UID = "root", n(0)
			},
			adviceCase{ids: []string{optDetNoInit, optUpSingle}, runnable: true,
				command: map[string]string{optDetNoInit: "apk add bash curl xz shadow && " + detNoInit}, notCommand: []string{"sudo"}}},
		{"WSL without systemd, as root: still the two ways forward", "wsl2-ubuntu-nosystemd",
			func(r *detect.Report) { r.User.Name, r.User.UID = "root", n(0) },
			adviceCase{ids: []string{optWSLOn, optUpSingle}}},
		// The effective uid decides, not the name: USER=root left in a
		// container's environment while it runs as uid 1000.
		{"named root but running as uid 1000: single-user, as a person", "docker-ubuntu",
			func(r *detect.Report) { r.User.UID = n(1000) },
			adviceCase{ids: []string{optUpSingle}, runnable: true, command: map[string]string{optUpSingle: upSingleUser}, intro: "root-only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runFixture(t, tt.fixture, detect.Options{})
			tt.change(&r)
			checkAdvice(t, detect.InstallAdvice(r), tt.want)
		})
	}
}

func checkAdvice(t *testing.T, a detect.Advice, want adviceCase) {
	t.Helper()
	var ids []string
	for _, o := range a.Options {
		ids = append(ids, o.ID)
		if o.Name == "" || o.Why == "" || o.Command == "" {
			t.Errorf("option %s lacks a name, reason or command: %+v", o.ID, o)
		}
		if o.Runnable && strings.Contains(o.Command, "PowerShell") {
			t.Errorf("option %s is runnable but holds instructions for Windows: %q", o.ID, o.Command)
		}
		for _, bad := range want.notCommand {
			if strings.Contains(strings.ToLower(o.Command), bad) {
				t.Errorf("option %s command %q must not contain %q", o.ID, o.Command, bad)
			}
		}
	}
	if !slices.Equal(ids, want.ids) {
		t.Fatalf("options = %v, want %v", ids, want.ids)
	}
	if len(a.Options) > 0 && a.Options[0].Runnable != want.runnable {
		t.Errorf("first option runnable = %v, want %v", a.Options[0].Runnable, want.runnable)
	}
	for id, part := range want.command {
		i := slices.Index(ids, id)
		if !strings.Contains(a.Options[i].Command, part) {
			t.Errorf("%s command = %q, want it to contain %q", id, a.Options[i].Command, part)
		}
	}
	if a.Intro == "" || !strings.Contains(a.Intro, want.intro) {
		t.Errorf("intro = %q, want it to contain %q", a.Intro, want.intro)
	}
	// The fix is the recommended command alone, so it runs as pasted; when
	// that one cannot run here, the note names the alternative that can.
	fix, note := a.Fix(), a.FixNote()
	if len(a.Options) > 0 && fix != a.Options[0].Command {
		t.Errorf("fix %q is not the recommended command %q", fix, a.Options[0].Command)
	}
	if rec, ok := a.Recommended(); ok && !strings.Contains(fix+"\n"+note, rec.Command) {
		t.Errorf("fix %q and note %q do not name the runnable option %q", fix, note, rec.Command)
	}
}

// TestInstallAdviceDemo: the demo machine without Nix (Fedora with systemd)
// is advised Determinate's installer, the same as a real one.
func TestInstallAdviceDemo(t *testing.T) {
	m, err := detect.Demo("linux-x86_64")
	if err != nil {
		t.Fatal(err)
	}
	r := detect.Run(context.Background(), m, detect.Options{})
	checkAdvice(t, detect.InstallAdvice(r), adviceCase{ids: []string{optDet, optUpDaemon}, runnable: true,
		command: map[string]string{optDet: detInstall}})
	if !r.Platform.Systemd {
		t.Error("the Fedora demo machine runs systemd")
	}
}

// TestDemoWithNix: after the demo's pretend install, the machine without
// Nix has the Nix the chosen installer sets up, and nothing blocks.
func TestDemoWithNix(t *testing.T) {
	tests := []struct {
		option  string
		install string
		flakes  bool
	}{
		{detect.OptionDeterminate, detect.InstallDeterminate, true},
		{detect.OptionUpstreamDaemon, detect.InstallMultiUser, false},
	}
	for _, tt := range tests {
		t.Run(tt.option, func(t *testing.T) {
			m, err := detect.DemoWithNix("linux-x86_64", tt.option)
			if err != nil {
				t.Fatal(err)
			}
			r := detect.Run(context.Background(), m, detect.Options{})
			n := r.Nix
			if !n.Installed || !n.OnPath || n.Install == nil || *n.Install != tt.install ||
				n.Daemon == nil || !*n.Daemon || n.Flakes == nil || *n.Flakes != tt.flakes {
				t.Errorf("nix after %s = %+v", tt.option, n)
			}
			if r.Failed() {
				t.Errorf("checks still fail after the install: %+v", r.Checks)
			}
			if r.User.Name != "ada" || r.Platform.Distro.ID != "fedora" {
				t.Errorf("not the same machine: %+v %+v", r.User, r.Platform.Distro)
			}
		})
	}
	if _, err := detect.DemoWithNix("linux-x86_64", detect.OptionWSLEnableSystemd); err == nil {
		t.Error("a way the demo cannot install must be an error")
	}
	// A demo machine with Nix already is left as it is.
	m, err := detect.DemoWithNix("wsl-ubuntu", detect.OptionDeterminate)
	if err != nil {
		t.Fatal(err)
	}
	if r := detect.Run(context.Background(), m, detect.Options{}); *r.Nix.Install != detect.InstallMultiUser {
		t.Errorf("wsl-ubuntu changed: %+v", r.Nix)
	}
}
