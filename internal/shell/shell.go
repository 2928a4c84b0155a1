// Package shell holds the two rules nixboard follows when it prints a
// command for a person to paste and when it finds a program to run: POSIX
// shell quoting, and PATH lookup in an environment it was given rather
// than the process's own.
package shell

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Quote quotes s for a POSIX shell unless it is plainly safe: only
// letters, digits and @%+=:,./_-# with no # first (that would start a
// comment). A flake reference, DIR#user@host, stays as it is.
func Quote(s string) string {
	if s != "" && s[0] != '#' && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-#") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// QuoteAll quotes each of ss with Quote.
func QuoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Quote(s)
	}
	return out
}

// LookPath finds an executable on the given PATH list, not the process's
// own (exec.LookPath reads that): the commands nixboard starts run with the
// environment it was given. Empty and relative entries are skipped, so a
// program is never taken from wherever nixboard was started.
func LookPath(name, pathList string) (string, error) {
	for _, d := range filepath.SplitList(pathList) {
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		p := filepath.Join(d, name)
		fi, err := os.Stat(p)
		if err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH", name)
}

// Getenv returns the value of key in env (KEY=VALUE pairs); the last pair
// wins, as it does for a process started with env.
func Getenv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}
