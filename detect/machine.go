package detect

import (
	"context"
	"errors"
	"io/fs"
	"strconv"
)

// Machine is the one seam through which detection reads a machine. Every
// path is absolute and as the machine sees it ("/etc/os-release"), never
// prefixed with a fixture root; an implementation maps it to wherever the
// files really are. Detection never touches the host except through a
// Machine, so a fixture directory or an in-memory demo machine can stand in
// for a real one.
type Machine interface {
	// ReadFile, Stat and ReadDir follow symbolic links; links inside a
	// rooted machine resolve inside its root, absolute targets included.
	ReadFile(name string) ([]byte, error)
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	// Lstat and Readlink do not follow a final symbolic link.
	Lstat(name string) (fs.FileInfo, error)
	Readlink(name string) (string, error)

	// Getenv returns the machine's environment variable, or "".
	Getenv(key string) string
	// LookPath finds an executable in the machine's PATH and returns its
	// path as the machine sees it. It fails with an error wrapping
	// ErrNotFound when there is none.
	LookPath(file string) (string, error)
	// Run runs a command: name is either found on the machine's PATH or an
	// absolute machine path. The error is non-nil when the command could not
	// start, exited with a non-zero status (the Output is still filled in),
	// or was stopped because ctx ended. Run keeps at most MaxOutput bytes
	// of each stream: a command that prints more is stopped there, and the
	// error wraps ErrOutputLimit (the Output holds what was kept).
	Run(ctx context.Context, name string, args ...string) (Output, error)

	// GOOS and GOARCH are the operating system and architecture in Go's
	// spelling (linux, darwin; amd64, arm64).
	GOOS() string
	GOARCH() string

	// DialUnix reports whether the unix socket at the machine path accepts
	// a connection; the connection is closed at once.
	DialUnix(ctx context.Context, name string) error
}

// Output is what a command printed.
type Output struct {
	Stdout []byte
	Stderr []byte
}

// MaxOutput is the most Run reads of what a command prints, on stdout and
// on stderr each. Every probe reads a line or a few (`nix show-config`, the
// longest, is a few kilobytes), so more is a command that is broken or
// prints without end, and reading on would only fill memory until the
// probe's timeout.
const MaxOutput = 64 << 10

// ErrOutputLimit is wrapped by Run when a command printed more than
// MaxOutput bytes on stdout or stderr and was stopped.
var ErrOutputLimit = errors.New("printed more than 64 KiB, more than any probe reads")

// ErrNotFound is wrapped by LookPath and Run when a command is not on PATH.
var ErrNotFound = errors.New("executable file not found in PATH")

// ExitError is returned by Run when a command exits with a non-zero status.
type ExitError struct {
	Name string
	Code int
}

func (e *ExitError) Error() string {
	return e.Name + ": exit status " + strconv.Itoa(e.Code)
}
