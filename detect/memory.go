package detect

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"syscall"
	"time"
)

// CommandFunc answers a command on an in-memory machine, in place of a
// process. args excludes the command name.
type CommandFunc func(ctx context.Context, args []string) (Output, error)

// memory is a machine held entirely in memory: the demo machines. Nothing
// it does touches the host.
type memory struct {
	goos, goarch string
	env          map[string]string
	files        map[string]string // machine path -> content
	links        map[string]string // machine path -> link target
	dirs         map[string]bool   // every directory, parents included
	cmds         map[string]CommandFunc
	sockets      map[string]bool // listening unix sockets
}

func newMemory(goos, goarch string) *memory {
	return &memory{
		goos: goos, goarch: goarch,
		env:     map[string]string{},
		files:   map[string]string{},
		links:   map[string]string{},
		dirs:    map[string]bool{"/": true},
		cmds:    map[string]CommandFunc{},
		sockets: map[string]bool{},
	}
}

func (m *memory) addParents(p string) {
	for d := path.Dir(p); !m.dirs[d]; d = path.Dir(d) {
		m.dirs[d] = true
	}
}

func (m *memory) file(p, content string) {
	m.files[p] = content
	m.addParents(p)
}

func (m *memory) dir(p string) {
	m.dirs[p] = true
	m.addParents(p)
}

func (m *memory) link(p, target string) {
	m.links[p] = target
	m.addParents(p)
}

// command installs an executable at a machine path that f answers.
func (m *memory) command(p string, f CommandFunc) {
	m.cmds[p] = f
	m.file(p, "#!/bin/sh\n# answered in memory by nixboard's demo machine\n")
}

func (m *memory) socket(p string, listening bool) {
	m.sockets[p] = listening
	m.addParents(p)
}

func (m *memory) GOOS() string             { return m.goos }
func (m *memory) GOARCH() string           { return m.goarch }
func (m *memory) Getenv(key string) string { return m.env[key] }

func (m *memory) resolve(op, name string, followLast bool) (string, error) {
	if !path.IsAbs(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return resolve(op, name, followLast, func(p string) (string, bool, bool) {
		if t, ok := m.links[p]; ok {
			return t, true, true
		}
		_, isFile := m.files[p]
		_, isSock := m.sockets[p]
		return "", false, isFile || isSock || m.dirs[p]
	})
}

// memInfo is the fs.FileInfo of an in-memory file.
type memInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return i.mode }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.mode.IsDir() }
func (i memInfo) Sys() any           { return nil }

func (m *memory) info(p string, follow bool) (fs.FileInfo, bool) {
	base := path.Base(p)
	if t, ok := m.links[p]; ok && !follow {
		return memInfo{base, int64(len(t)), fs.ModeSymlink | 0o777}, true
	}
	if c, ok := m.files[p]; ok {
		mode := fs.FileMode(0o644)
		if _, ok := m.cmds[p]; ok {
			mode = 0o755
		}
		return memInfo{base, int64(len(c)), mode}, true
	}
	if _, ok := m.sockets[p]; ok {
		return memInfo{base, 0, fs.ModeSocket | 0o666}, true
	}
	if m.dirs[p] {
		return memInfo{base, 4096, fs.ModeDir | 0o755}, true
	}
	return nil, false
}

func (m *memory) ReadFile(name string) ([]byte, error) {
	p, err := m.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	if c, ok := m.files[p]; ok {
		return []byte(c), nil
	}
	if m.dirs[p] {
		return nil, &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (m *memory) Stat(name string) (fs.FileInfo, error) { return m.stat("stat", name, true) }

func (m *memory) Lstat(name string) (fs.FileInfo, error) { return m.stat("lstat", name, false) }

func (m *memory) stat(op, name string, follow bool) (fs.FileInfo, error) {
	p, err := m.resolve(op, name, follow)
	if err != nil {
		return nil, err
	}
	if fi, ok := m.info(p, follow); ok {
		return fi, nil
	}
	return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
}

func (m *memory) Readlink(name string) (string, error) {
	p, err := m.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if t, ok := m.links[p]; ok {
		return t, nil
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
}

func (m *memory) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := m.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	if !m.dirs[p] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	var names []string
	add := func(q string) {
		if q != "/" && path.Dir(q) == p {
			names = append(names, q)
		}
	}
	for q := range m.files {
		add(q)
	}
	for q := range m.links {
		add(q)
	}
	for q := range m.dirs {
		add(q)
	}
	for q := range m.sockets {
		add(q)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	es := make([]fs.DirEntry, 0, len(names))
	for _, q := range names {
		fi, _ := m.info(q, false)
		es = append(es, fs.FileInfoToDirEntry(fi))
	}
	return es, nil
}

func (m *memory) LookPath(file string) (string, error) {
	return lookPath(file, m.env["PATH"], m.executable)
}

func (m *memory) executable(name string) bool {
	p, err := m.resolve("stat", name, true)
	if err != nil {
		return false
	}
	_, ok := m.cmds[p]
	return ok
}

func (m *memory) Run(ctx context.Context, name string, args ...string) (Output, error) {
	p, err := m.LookPath(name)
	if err != nil {
		return Output{}, err
	}
	rp, err := m.resolve("exec", p, true)
	if err != nil {
		return Output{}, err
	}
	if err := ctx.Err(); err != nil {
		return Output{}, fmt.Errorf("%s: %w", name, err)
	}
	return m.cmds[rp](ctx, args)
}

func (m *memory) DialUnix(_ context.Context, name string) error {
	p, err := m.resolve("dial", name, true)
	if err != nil {
		return err
	}
	listening, ok := m.sockets[p]
	switch {
	case !ok:
		return fmt.Errorf("connect to %s: %w", name, syscall.ENOENT)
	case !listening:
		return fmt.Errorf("connect to %s: %w", name, syscall.ECONNREFUSED)
	}
	return nil
}
