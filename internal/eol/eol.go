// Package eol knows how a line of a child's output or a saved log ends:
// both the process runner (internal/proc) and the log reader (nixlog)
// hand lines over without it, and must agree on what it is.
package eol

// Trim drops a trailing "\n" or "\r\n" (a lone "\r" is kept: it is not
// an end of line but a carriage return a progress bar printed).
func Trim(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}
