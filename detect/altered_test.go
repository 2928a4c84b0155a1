//go:build unix

package detect_test

import (
	"context"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/detect/detecttest"
)

// altered is a fixture machine changed in a few respects, for findings the
// fixtures do not show on their own: its environment, what some commands
// answer, some files' contents, who owns some paths (a fixture's files
// belong to whoever checked them out, so the rooted machine reports no
// owner), and symbolic links or paths that exist only here.
type altered struct {
	detect.Machine
	env     map[string]string
	answers map[string]string // "cmd arg..." -> stdout
	files   map[string]string // path -> content
	owners  map[string]int    // path -> uid
	links   map[string]string // path -> link target
	extra   []string          // paths that exist (as directories)
}

func alter(t *testing.T, fixture string) *altered {
	t.Helper()
	m, err := detect.FromEnv(detecttest.Getenv(detecttest.Env(t, fixture)))
	if err != nil {
		t.Fatal(err)
	}
	return &altered{Machine: m, env: map[string]string{}, answers: map[string]string{},
		files: map[string]string{}, owners: map[string]int{}, links: map[string]string{}}
}

func (a *altered) run(t *testing.T) detect.Report {
	t.Helper()
	return detect.Run(context.Background(), a, detect.Options{})
}

func (a *altered) Getenv(k string) string {
	if v, ok := a.env[k]; ok {
		return v
	}
	return a.Machine.Getenv(k)
}

func (a *altered) Run(ctx context.Context, name string, args ...string) (detect.Output, error) {
	if out, ok := a.answers[strings.Join(append([]string{name}, args...), " ")]; ok {
		return detect.Output{Stdout: []byte(out)}, nil
	}
	return a.Machine.Run(ctx, name, args...)
}

func (a *altered) ReadFile(name string) ([]byte, error) {
	if c, ok := a.files[name]; ok {
		return []byte(c), nil
	}
	return a.Machine.ReadFile(name)
}

func (a *altered) Stat(name string) (fs.FileInfo, error) {
	return a.info(name, a.Machine.Stat)
}

func (a *altered) Lstat(name string) (fs.FileInfo, error) {
	if _, ok := a.links[name]; ok {
		return fakeInfo{name: name, mode: fs.ModeSymlink | 0o777}, nil
	}
	return a.info(name, a.Machine.Lstat)
}

func (a *altered) Readlink(name string) (string, error) {
	if t, ok := a.links[name]; ok {
		return t, nil
	}
	return a.Machine.Readlink(name)
}

func (a *altered) info(name string, stat func(string) (fs.FileInfo, error)) (fs.FileInfo, error) {
	fi, err := stat(name)
	for _, p := range a.extra {
		if p == name {
			fi, err = fakeInfo{name: name, mode: fs.ModeDir | 0o755}, nil
		}
	}
	if uid, ok := a.owners[name]; ok && err == nil {
		fi = fakeInfo{name: fi.Name(), mode: fi.Mode(), uid: uint32(uid), owned: true}
	}
	return fi, err
}

// fakeInfo is file info with an owner, as the host's carries it.
type fakeInfo struct {
	name  string
	mode  fs.FileMode
	uid   uint32
	owned bool
}

func (i fakeInfo) Name() string       { return i.name }
func (i fakeInfo) Size() int64        { return 0 }
func (i fakeInfo) Mode() fs.FileMode  { return i.mode }
func (i fakeInfo) ModTime() time.Time { return time.Time{} }
func (i fakeInfo) IsDir() bool        { return i.mode.IsDir() }
func (i fakeInfo) Sys() any {
	if !i.owned {
		return nil
	}
	return &syscall.Stat_t{Uid: i.uid}
}
