package nixlog

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxLineBytes is the longest line ReadLog hands to the state whole; the
// rest of a longer line is skipped.
const MaxLineBytes = 1 << 20

// ReadLog feeds every line of r into s until EOF, and returns the first
// read error other than EOF. Lines may end in "\n" or "\r\n"; a last line
// without a newline is fed too. It is the reader a replay at full speed and
// the benchmarks use; a live run may call s.Feed itself.
func ReadLog(r io.Reader, s *State) error {
	br := bufio.NewReaderSize(r, 256<<10)
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: keep its start, skip the rest.
			if room := MaxLineBytes - len(long); room > 0 {
				long = append(long, chunk[:min(len(chunk), room)]...)
			}
			continue
		}
		line := chunk
		if long != nil {
			if room := MaxLineBytes - len(long); room > 0 {
				long = append(long, chunk[:min(len(chunk), room)]...)
			}
			line = long
		}
		if n := len(line); n > 0 && line[n-1] == '\n' {
			line = line[:n-1]
		}
		if len(line) > 0 || err == nil {
			s.Feed(line)
		}
		long = long[:0:0]
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// Sanitize makes a line from a child process safe to draw: it keeps text
// and SGR colour sequences (ESC [ … m) and removes every other escape
// sequence (cursor movement, erasing, window title, OSC 52 clipboard, OSC 8
// hyperlinks, alternate screen and other modes, other CSI/OSC/DCS/APC/PM/SOS
// strings, 8-bit C1 controls) and every control character except newline.
// Tabs become spaces up to the next multiple of 8 columns; invalid UTF-8
// becomes U+FFFD.
func Sanitize(s string) string { return clean(s, true) }

// StripANSI removes every escape sequence and control character (except
// newline and tab), for plain output that must contain no escapes at all.
// Invalid UTF-8 becomes U+FFFD.
func StripANSI(s string) string { return clean(s, false) }

// maxSGR is the longest colour sequence Sanitize keeps; longer ones are
// not colour a tool prints in earnest.
const maxSGR = 64

func clean(s string, keepSGR bool) string {
	safe := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	col := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			n, sgr := escapeLen(s[i:], 1)
			if sgr && keepSGR && n <= maxSGR {
				b.WriteString(s[i : i+n])
			}
			i += n
		case c == '\n':
			b.WriteByte('\n')
			col = 0
			i++
		case c == '\t':
			if keepSGR {
				for sp := 8 - col%8; sp > 0; sp-- {
					b.WriteByte(' ')
				}
				col += 8 - col%8
			} else {
				b.WriteByte('\t')
				col++
			}
			i++
		case c < 0x20 || c == 0x7f:
			i++
		case c < 0x80:
			b.WriteByte(c)
			col++
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size <= 1:
				b.WriteRune(utf8.RuneError)
				col++
				i++
			case r >= 0x80 && r <= 0x9f:
				// An 8-bit C1 control written as UTF-8: CSI, OSC, DCS
				// and friends introduce sequences some terminals obey.
				n, _ := escapeLen(s[i:], size)
				if r != 0x9b && r != 0x9d && r != 0x90 && r != 0x98 && r != 0x9e && r != 0x9f {
					n = size
				}
				i += n
			default:
				b.WriteString(s[i : i+size])
				col++
				i += size
			}
		}
	}
	return b.String()
}

// escapeLen returns the length of the escape sequence at the start of s,
// whose introducer is intro bytes long (ESC, or a UTF-8 encoded C1
// control), and whether it is an SGR colour sequence. An unterminated
// sequence runs to the end of s.
func escapeLen(s string, intro int) (int, bool) {
	if len(s) <= intro-1 {
		return len(s), false
	}
	var kind byte
	i := intro
	if intro == 1 {
		if len(s) < 2 {
			return 1, false
		}
		kind = s[1]
		i = 2
	} else {
		// C1 forms: U+009B CSI, U+009D OSC, U+0090 DCS, U+0098 SOS,
		// U+009E PM, U+009F APC.
		switch s[1] {
		case 0x9b:
			kind = '['
		case 0x9d:
			kind = ']'
		default:
			kind = 'P'
		}
	}
	switch kind {
	case '[':
		start := i
		for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
			i++
		}
		params := s[start:i]
		inter := i
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i >= len(s) {
			return len(s), false
		}
		final := s[i]
		if final < 0x40 || final > 0x7e {
			// Not a valid CSI: drop the introducer and what was read.
			return i, false
		}
		sgr := final == 'm' && inter == i && intro == 1 && isSGRParams(params)
		return i + 1, sgr
	case ']', 'P', '_', '^', 'X':
		// A string: OSC ends at BEL or ST, the others at ST (ESC \ or
		// U+009C).
		for i < len(s) {
			switch {
			case s[i] == 0x07:
				return i + 1, false
			case s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\':
				return i + 2, false
			case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
				return i + 2, false
			}
			i++
		}
		return len(s), false
	default:
		// ESC, intermediates, final: ESC 7, ESC c, ESC ( B and the like.
		i = intro
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i, false
	}
}

// isSGRParams reports whether params are plain SGR parameters: digits,
// ';' and ':' only (no private markers such as '?').
func isSGRParams(params string) bool {
	for i := 0; i < len(params); i++ {
		if c := params[i]; (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}
