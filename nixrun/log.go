package nixrun

import "io"

// MaxLineBytes is the longest line ReadLog hands to the state whole; the
// rest of a longer line is skipped and counted in Stats.Truncated.
const MaxLineBytes = 1 << 20

// ReadLog feeds every line of r into s until EOF, and returns the first
// read error other than EOF. Lines may end in "\n" or "\r\n"; a last line
// without a newline is fed too. It is the reader a replay and a benchmark
// use; a live run may call s.Feed itself.
func ReadLog(r io.Reader, s *State) error { return nil }

// Sanitize makes a line from a child process safe to draw: it keeps text
// and SGR colour sequences and removes every other escape sequence (cursor
// movement, window title, OSC 52 clipboard, OSC 8 hyperlinks, alternate
// screen, other CSI/OSC/DCS/APC/PM/SOS strings) and lone control
// characters. Tabs become spaces.
func Sanitize(s string) string { return s }

// StripANSI removes every escape sequence and control character, for plain
// output that must contain no escapes at all.
func StripANSI(s string) string { return s }
