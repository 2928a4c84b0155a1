package assets

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixboard/nixboard/internal/nixtest"
)

// oneDriveHelpers is what the base layer defines for enableOneDriveUtils on
// WSL, taken from base.nix by evaluating it with real nix.
type oneDriveHelpers struct {
	script string // onedrive-path's text (writeShellScriptBin adds the #! line)
	bash   string // programs.bash.initExtra
	zsh    string // programs.zsh.initContent
	fish   string // programs.fish.functions.onedrive.body
}

func loadOneDriveHelpers(t *testing.T) oneDriveHelpers {
	t.Helper()
	ev, err := evalModule(t, loadCheckedNames(t), "base/base.nix")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Home struct {
			Packages []json.RawMessage `json:"packages"`
		} `json:"home"`
		Programs struct {
			Bash struct {
				InitExtra string `json:"initExtra"`
			} `json:"bash"`
			Zsh struct {
				InitContent string `json:"initContent"`
			} `json:"zsh"`
			Fish struct {
				Functions struct {
					Onedrive struct {
						Body string `json:"body"`
					} `json:"onedrive"`
				} `json:"functions"`
			} `json:"fish"`
		} `json:"programs"`
	}
	if err := json.Unmarshal(ev.Resolved, &r); err != nil {
		t.Fatalf("%v: %s", err, ev.Resolved)
	}
	h := oneDriveHelpers{bash: r.Programs.Bash.InitExtra, zsh: r.Programs.Zsh.InitContent, fish: r.Programs.Fish.Functions.Onedrive.Body}
	for _, raw := range r.Home.Packages {
		var built struct {
			Builder string `json:"_nixboardBuilt"`
			Name    string `json:"name"`
			Text    string `json:"text"`
		}
		if json.Unmarshal(raw, &built) == nil && built.Builder == "writeShellScriptBin" && built.Name == "onedrive-path" {
			h.script = built.Text
		}
	}
	if h.script == "" || !strings.Contains(h.bash, "onedrive()") || h.zsh != h.bash || h.fish == "" {
		t.Fatalf("OneDrive helpers not found in the evaluated base layer: %+v", h)
	}
	return h
}

// fakeWSL is a directory standing in for a WSL machine: bin holds fake
// wslpath and cmd.exe executables, root/mnt/c the Windows drive.
type fakeWSL struct {
	root, bin, log string
}

// fakeWslpath translates C:\a\b to ROOT/mnt/c/a/b, as `wslpath -u` does
// with the default automount root.
const fakeWslpath = `#!/bin/sh
[ "$1" = -u ] || { echo "fake wslpath: want -u" >&2; exit 2; }
case $2 in
  [A-Za-z]:\\*) ;;
  *) echo "wslpath: $2: Invalid argument" >&2; exit 1 ;;
esac
drive=$(printf '%s' "$2" | cut -c1 | tr A-Z a-z)
rest=$(printf '%s' "$2" | cut -c3- | tr '\\' /)
printf '%s\n' "$FAKE_WSL_ROOT/mnt/$drive$rest"
`

// fakeCmd prints %OneDrive% the way cmd.exe does (CR LF), or the literal
// %OneDrive% when it is unset, and logs its directory and arguments.
const fakeCmd = `#!/bin/sh
printf 'cwd=%s args=%s\n' "$PWD" "$*" >> "$FAKE_WSL_LOG"
if [ -n "${FAKE_ONEDRIVE:-}" ]; then
  printf '%s\r\n' "$FAKE_ONEDRIVE"
else
  printf '%%OneDrive%%\r\n'
fi
`

func newFakeWSL(t *testing.T) *fakeWSL {
	t.Helper()
	root := t.TempDir()
	f := &fakeWSL{root: root, bin: filepath.Join(root, "bin"), log: filepath.Join(root, "cmd.log")}
	for _, d := range []string{f.bin, filepath.Join(root, "mnt", "c", "Windows", "System32"), filepath.Join(root, "linux-cwd")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	f.write(t, filepath.Join(f.bin, "wslpath"), fakeWslpath)
	return f
}

func (f *fakeWSL) write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
}

// run runs name (a script file) with shell in a Linux directory, with the
// fake bin first on PATH, and returns stdout, stderr and the exit status.
func (f *fakeWSL) run(t *testing.T, shell string, args []string, env ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(shell, args...)
	cmd.Dir = filepath.Join(f.root, "linux-cwd")
	cmd.Env = append([]string{
		"PATH=" + f.bin + ":/usr/bin:/bin",
		"HOME=" + f.root,
		"FAKE_WSL_ROOT=" + f.root,
		"FAKE_WSL_LOG=" + f.log,
	}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// onedrive-path, the base layer's own text, run by bash and zsh against
// fake wslpath and cmd.exe: the cases WSL presents.
func TestOneDrivePath(t *testing.T) {
	h := loadOneDriveHelpers(t)
	for _, shell := range []string{"bash", "zsh"} {
		t.Run(shell, func(t *testing.T) {
			sh := nixtest.RequireShell(t, shell)
			cases := []struct {
				name string
				// setup places cmd.exe (or not) and returns extra env.
				setup      func(t *testing.T, f *fakeWSL) []string
				wantOut    string // with ROOT for the fake's root
				wantErr    string
				wantCmdCwd string // the directory cmd.exe ran in, with ROOT
			}{
				{
					name: "cmd.exe on PATH",
					setup: func(t *testing.T, f *fakeWSL) []string {
						f.write(t, filepath.Join(f.bin, "cmd.exe"), fakeCmd)
						os.MkdirAll(filepath.Join(f.root, "mnt/c/Users/alice/OneDrive - Contoso"), 0o755)
						return []string{`FAKE_ONEDRIVE=C:\Users\alice\OneDrive - Contoso`}
					},
					wantOut:    "ROOT/mnt/c/Users/alice/OneDrive - Contoso\n",
					wantCmdCwd: "ROOT/bin",
				},
				{
					name: "cmd.exe only at its Windows path",
					setup: func(t *testing.T, f *fakeWSL) []string {
						f.write(t, filepath.Join(f.root, "mnt/c/Windows/System32/cmd.exe"), fakeCmd)
						os.MkdirAll(filepath.Join(f.root, "mnt/c/Users/alice/OneDrive"), 0o755)
						return []string{`FAKE_ONEDRIVE=C:\Users\alice\OneDrive`}
					},
					wantOut:    "ROOT/mnt/c/Users/alice/OneDrive\n",
					wantCmdCwd: "ROOT/mnt/c/Windows/System32",
				},
				{
					name: "OneDrive not set up",
					setup: func(t *testing.T, f *fakeWSL) []string {
						f.write(t, filepath.Join(f.bin, "cmd.exe"), fakeCmd)
						return nil
					},
					wantErr:    "onedrive-path: OneDrive is not set up for this Windows user (no %OneDrive% variable)\n",
					wantCmdCwd: "ROOT/bin",
				},
				{
					name: "OneDrive folder missing",
					setup: func(t *testing.T, f *fakeWSL) []string {
						f.write(t, filepath.Join(f.bin, "cmd.exe"), fakeCmd)
						return []string{`FAKE_ONEDRIVE=C:\Users\alice\OneDrive`}
					},
					wantErr:    `onedrive-path: C:\Users\alice\OneDrive (ROOT/mnt/c/Users/alice/OneDrive) is not a directory` + "\n",
					wantCmdCwd: "ROOT/bin",
				},
				{
					// With interop off the kernel cannot run a Windows
					// executable: the shell reports an exec format error.
					name: "interop disabled",
					setup: func(t *testing.T, f *fakeWSL) []string {
						f.write(t, filepath.Join(f.bin, "cmd.exe"), "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00")
						return nil
					},
					wantErr: "onedrive-path: could not run ROOT/bin/cmd.exe (exit status 126); is Windows interop disabled? ([interop] enabled in /etc/wsl.conf)\n",
				},
				{
					name:    "no cmd.exe anywhere",
					setup:   func(t *testing.T, f *fakeWSL) []string { return nil },
					wantErr: "onedrive-path: cmd.exe is neither on PATH nor at /mnt/c/Windows/System32/cmd.exe; is this WSL?\n",
				},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					f := newFakeWSL(t)
					env := c.setup(t, f)
					script := filepath.Join(f.root, "onedrive-path.sh")
					f.write(t, script, h.script)
					out, errOut, code := f.run(t, sh, []string{script}, env...)
					root := func(s string) string { return strings.ReplaceAll(s, "ROOT", f.root) }
					if c.wantErr != "" {
						// The shell's own exec error comes first when interop is off.
						if code != 1 || out != "" || !strings.HasSuffix(errOut, root(c.wantErr)) {
							t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and stderr ending %q", code, out, errOut, root(c.wantErr))
						}
					} else if code != 0 || out != root(c.wantOut) || errOut != "" {
						t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, root(c.wantOut))
					}
					log, _ := os.ReadFile(f.log)
					want := ""
					if c.wantCmdCwd != "" {
						want = "cwd=" + root(c.wantCmdCwd) + " args=/d /c echo %OneDrive%\n"
					}
					if string(log) != want {
						t.Errorf("cmd.exe ran as %q, want %q", log, want)
					}
				})
			}
		})
	}
	t.Run("no wslpath", func(t *testing.T) {
		sh := nixtest.RequireShell(t, "bash")
		for _, p := range []string{"/usr/bin/wslpath", "/bin/wslpath"} {
			if _, err := os.Stat(p); err == nil {
				t.Skipf("%s exists: this machine is WSL", p)
			}
		}
		f := newFakeWSL(t)
		os.Remove(filepath.Join(f.bin, "wslpath"))
		script := filepath.Join(f.root, "onedrive-path.sh")
		f.write(t, script, h.script)
		out, errOut, code := f.run(t, sh, []string{script})
		if code != 1 || out != "" || errOut != "onedrive-path: wslpath not found: this command works only inside WSL\n" {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})
}

// The onedrive function, as bash, zsh and fish get it from the base layer,
// changes into the folder onedrive-path prints (the real onedrive-path,
// against the fakes); when onedrive-path fails it stays put and returns
// non-zero.
func TestOneDriveFunction(t *testing.T) {
	h := loadOneDriveHelpers(t)
	// home-manager writes programs.fish.functions.NAME.body into
	// functions/NAME.fish between these lines.
	fishDef := "function onedrive\n" + h.fish + "end\n"
	shells := []struct {
		shell string
		args  func(def string) []string
	}{
		{"bash", func(def string) []string {
			return []string{"--norc", "--noprofile", "-c", def + "\nonedrive; echo \"status=$? pwd=$PWD\""}
		}},
		{"zsh", func(def string) []string {
			return []string{"-f", "-c", def + "\nonedrive; echo \"status=$? pwd=$PWD\""}
		}},
		{"fish", func(def string) []string {
			return []string{"--no-config", "-c", def + "\nonedrive; echo \"status=$status pwd=$PWD\""}
		}},
	}
	for _, s := range shells {
		t.Run(s.shell, func(t *testing.T) {
			sh := nixtest.RequireShell(t, s.shell)
			def := h.bash
			if s.shell == "zsh" {
				def = h.zsh
			}
			if s.shell == "fish" {
				def = fishDef
			}
			bash := nixtest.RequireShell(t, "bash")
			for _, setUp := range []bool{true, false} {
				f := newFakeWSL(t)
				f.write(t, filepath.Join(f.bin, "cmd.exe"), fakeCmd)
				// writeShellScriptBin's file: a #! line, then the text.
				f.write(t, filepath.Join(f.bin, "onedrive-path"), "#!"+bash+"\n"+h.script)
				var env []string
				want := "status=1 pwd=" + filepath.Join(f.root, "linux-cwd") + "\n"
				if setUp {
					dir := filepath.Join(f.root, "mnt/c/Users/alice/OneDrive - Contoso")
					os.MkdirAll(dir, 0o755)
					env = []string{`FAKE_ONEDRIVE=C:\Users\alice\OneDrive - Contoso`}
					want = "status=0 pwd=" + dir + "\n"
				}
				out, errOut, code := f.run(t, sh, s.args(def), env...)
				if code != 0 || out != want {
					t.Errorf("OneDrive set up %v: exit %d, stdout %q, stderr %q; want %q", setUp, code, out, errOut, want)
				}
			}
		})
	}
}
