package installtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeInstallCommandsCurrent: the commands the README gives for the
// one-line start are the ones scripts/install.sh documents at its top, and
// the archive names the script looks for are the ones .goreleaser.yaml
// makes.
func TestReadmeInstallCommandsCurrent(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	readme, script, release := read("README.md"), read("scripts/install.sh"), read(".goreleaser.yaml")

	head, _, _ := strings.Cut(script, "# What it does")
	commands := regexp.MustCompile(`(?m)^#   ((?:curl|less|sh) .*)$`).FindAllStringSubmatch(head, -1)
	if len(commands) < 4 {
		t.Fatalf("install.sh documents %d commands at its top, want the pipe and download-read-run forms", len(commands))
	}
	for _, c := range commands {
		if !strings.Contains(readme, "\n  "+c[1]+"\n") {
			t.Errorf("README does not give the command install.sh documents: %s", c[1])
		}
	}
	for _, want := range []string{
		"go install github.com/nixboard/nixboard/cmd/nixboard@latest",
		"nix run github:nixboard/nixboard",
		"dpkg -i nixboard_VERSION_amd64.deb",
		"rpm -i nixboard-VERSION-1.x86_64.rpm",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README's Installing section lacks %q", want)
		}
	}

	// install.sh picks the archive by the _OS_ARCH.tar.gz ending.
	if !strings.Contains(release, `name_template: "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}"`) ||
		!strings.Contains(release, "formats: [tar.gz]") || !strings.Contains(release, "name_template: checksums.txt") {
		t.Errorf(".goreleaser.yaml no longer names archives NAME_VERSION_OS_ARCH.tar.gz with checksums.txt, as install.sh expects")
	}
	if !strings.Contains(script, `suffix="_${os}_${arch}.tar.gz"`) {
		t.Errorf("install.sh no longer looks for _OS_ARCH.tar.gz")
	}

	// The other ways the README gives, against what the release and the
	// flake make: each README text with what must back it.
	flake := read("flake.nix")
	for _, c := range []struct{ readme, file, source, backing string }{
		// nfpm's conventional names: NAME_VERSION_ARCH.deb, NAME-VERSION-RELEASE.ARCH.rpm.
		{"sudo dpkg -i nixboard_VERSION_amd64.deb", ".goreleaser.yaml", release, `file_name_template: "{{ .ConventionalFileName }}"`},
		{"sudo rpm -i nixboard-VERSION-1.x86_64.rpm", ".goreleaser.yaml", release, "formats: [deb, rpm]"},
		{"they install `/usr/bin/nixboard`", ".goreleaser.yaml", release, "bindir: /usr/bin"},
		{"(`completions/nixboard.{bash,zsh,fish,ps1}`) and the man page\n  (`manpages/nixboard.1.gz`)", ".goreleaser.yaml", release, "- completions/*\n      - manpages/*"},
		{"(`dist/homebrew/Casks/nixboard.rb`), but it is not published", ".goreleaser.yaml", release, "skip_upload: true"},
		{"`brew install --cask\n  nixboard/tap/nixboard`", ".goreleaser.yaml", release, "name: homebrew-tap"},
		{"`nix run github:nixboard/nixboard` runs it", "flake.nix", flake, "apps = forAllSystems"},
		{"installs its `packages.default`", "flake.nix", flake, "default = nixboardFor pkgs;"},
	} {
		if !strings.Contains(readme, c.readme) {
			t.Errorf("README's Installing section lacks %q", c.readme)
		}
		if !strings.Contains(c.source, c.backing) {
			t.Errorf("%s no longer has %q, which the README's %q relies on", c.file, c.backing, c.readme)
		}
	}
}
