package nixlog

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// rawField is a Field whose string aliases the line or the parser's buffer.
type rawField struct {
	num   int64
	str   []byte
	isStr bool
}

// rawEvent is the parser's zero-copy form of an Event: its byte slices
// alias the line being parsed or the parser's own buffer, so it is only
// valid until the next parse. State folds rawEvents directly, which keeps
// the hot path free of allocations.
type rawEvent struct {
	rawHead
	// fields[:nfields] hold the fields; the rest is stale and never read,
	// so a parse resets only the head (an eighth of the size).
	fields [maxFields]rawField
}

// rawHead is everything of a rawEvent except its fields.
type rawHead struct {
	kind   Kind
	id     uint64
	parent uint64
	typ    int
	level  int
	text   []byte
	rawMsg []byte
	// msg is the "msg" key's string, which is the text unless a
	// "text" key that is not null stands beside it (textSet), in
	// whichever order: Nix writes one of the two.
	msg     []byte
	textSet bool
	file    []byte
	line    int
	column  int
	status  int
	millis  int64
	nfields int
	// unknownField is set when a key the reader does not know was skipped.
	unknownField bool
}

func (e *rawEvent) num(i int) int64 {
	if i < e.nfields && !e.fields[i].isStr {
		return e.fields[i].num
	}
	return 0
}

func (e *rawEvent) str(i int) []byte {
	if i < e.nfields && e.fields[i].isStr {
		return e.fields[i].str
	}
	return nil
}

// Parser decodes log lines into events. It reuses its buffers, so it makes
// no allocation for the common shapes of a log; a Parser is not safe for
// concurrent use. The zero Parser is ready to use.
type Parser struct {
	ev  rawEvent
	buf []byte
	// fallbacks counts lines the fast scanner handed to encoding/json.
	fallbacks int64
	// id is the newest activity id read and idText[:idLen] its digits:
	// ids come in runs (a build's log lines, a transfer's progress), and
	// comparing digits is cheaper than decoding them.
	id     uint64
	idText [20]byte
	idLen  int
}

// The prefixes of Nix's JSON lines and of nixboard's markers; as
// constants, comparisons with them compile to a few loads.
const (
	nixPrefix      = "@nix "
	nixboardPrefix = "@nixboard "
)

// Parse decodes one line (without its newline) into an Event that owns its
// memory. Lines that start with `@nix ` are decoded as JSON events, other
// lines are KindText; a broken `@nix` line is KindMalformed.
func (p *Parser) Parse(line []byte) Event {
	return p.parse(line).export()
}

// ParseLine decodes one line into an Event, as Parser.Parse does.
func ParseLine(line []byte) Event {
	var p Parser
	return p.Parse(line)
}

func (e *rawEvent) export() Event {
	ev := Event{
		Kind: e.kind, ID: e.id, Parent: e.parent, Type: e.typ, Level: e.level,
		Text: string(e.text), RawMsg: string(e.rawMsg), File: string(e.file),
		Line: e.line, Column: e.column, Status: e.status, Millis: e.millis,
	}
	if e.nfields > 0 {
		ev.Fields = make([]Field, e.nfields)
		for i := 0; i < e.nfields; i++ {
			f := e.fields[i]
			ev.Fields[i] = Field{Int: f.num, Str: string(f.str), IsStr: f.isStr}
		}
	}
	return ev
}

// parse decodes line into the parser's rawEvent.
func (p *Parser) parse(line []byte) *rawEvent {
	e := &p.ev
	e.rawHead = rawHead{}
	var body []byte
	exit := false
	switch {
	case hasLiteral(line, 0, nixPrefix):
		body = line[len(nixPrefix):]
	case isHeaderMarker(line):
		// The run's command line and environment: nothing to fold, and
		// read in full only by ParseRunHeader.
		e.kind = KindHeader
		return e
	case hasLiteral(line, 0, nixboardPrefix):
		body = line[len(nixboardPrefix):]
		exit = true
	default:
		e.kind = KindText
		e.text = line
		return e
	}
	// Unescaped strings are never longer than their escaped form, so a
	// buffer as long as the line never reallocates while slices into it
	// are held.
	if cap(p.buf) < len(body) {
		p.buf = make([]byte, 0, len(body)+len(body)/4)
	}
	p.buf = p.buf[:0]
	ok := !exit && p.scanNix(body)
	if !ok {
		e.rawHead = rawHead{}
		p.buf = p.buf[:0]
		ok = p.scan(body)
	}
	if !ok {
		p.fallbacks++
		e.rawHead = rawHead{}
		if !p.decodeSlow(body) {
			e.rawHead = rawHead{kind: KindMalformed, text: line}
			return e
		}
	}
	if exit {
		if e.kind != KindExit && e.kind != KindTime {
			e.rawHead = rawHead{kind: KindMalformed, text: line}
		}
		return e
	}
	if e.kind == KindExit || e.kind == KindTime {
		// Only nixboard's own markers may claim an exit status or a time.
		e.rawHead = rawHead{kind: KindMalformed, text: line}
	}
	return e
}

// The two events most lines of a log are, as Nix writes them: its JSON
// library sorts the keys and puts no spaces.
const (
	nixResultStart = `{"action":"result","fields":`
	nixStopStart   = `{"action":"stop","id":`
)

// scanNix is the fastest path, for the two shapes most lines of a log
// have, exactly as Nix writes them:
//
//	{"action":"result","fields":[…],"id":N,"type":T}
//	{"action":"stop","id":N}
//
// It matches the fixed parts as literals instead of reading key after key,
// and returns false for anything else (other keys, another order, spaces),
// which the caller then reads with scan. What it accepts, scan reads the
// same way; TestScanNixAgreesWithScan and FuzzFeed check that.
func (p *Parser) scanNix(b []byte) bool {
	e := &p.ev
	var ok bool
	switch {
	case hasLiteral(b, 0, nixResultStart):
		i := len(nixResultStart)
		if j, ok := p.scanOneString(b, i); ok {
			i = j
		} else if i == len(b) {
			return false
		} else if i, ok = p.scanFields(b, i); !ok {
			return false
		}
		if !hasLiteral(b, i, `,"id":`) {
			return false
		}
		if e.id, i, ok = p.scanID(b, i+len(`,"id":`)); !ok || !hasLiteral(b, i, `,"type":`) {
			return false
		}
		i += len(`,"type":`)
		e.kind = KindResult
		// Result types have three digits.
		if len(b)-i == 4 && b[i+3] == '}' {
			if d0, d1, d2 := b[i]-'0', b[i+1]-'0', b[i+2]-'0'; d0 <= 9 && d1 <= 9 && d2 <= 9 {
				e.typ = int(d0)*100 + int(d1)*10 + int(d2)
				return true
			}
		}
		var typ int64
		if typ, i, ok = scanInt(b, i); !ok || i != len(b)-1 || b[i] != '}' {
			return false
		}
		e.typ = int(typ)
		return true
	case hasLiteral(b, 0, nixStopStart):
		var i int
		if e.id, i, ok = p.scanID(b, len(nixStopStart)); !ok || i != len(b)-1 || b[i] != '}' {
			return false
		}
		e.kind = KindStop
		return true
	}
	return false
}

// scanOneString reads fields that are a single string, `["…"]`, as a
// build's log lines have, into the first field; ok is false for any other
// fields, which the caller reads with scanFields.
func (p *Parser) scanOneString(b []byte, i int) (int, bool) {
	if len(b)-i < 4 || b[i] != '[' || b[i+1] != '"' {
		return i, false
	}
	mark := len(p.buf)
	str, j, ok := p.scanString(b, i+1)
	if !ok || j >= len(b) || b[j] != ']' {
		p.buf = p.buf[:mark]
		return i, false
	}
	e := &p.ev
	e.fields[0] = rawField{str: str, isStr: true}
	e.nfields = 1
	return j + 1, true
}

// scan is the general fast path: a single pass over one JSON object with
// the keys Nix writes, in any order, without allocating. It returns false for
// anything it does not handle (non-integer numbers, nested values where
// Nix puts scalars, syntax errors); the caller then tries encoding/json.
func (p *Parser) scan(b []byte) bool {
	e := &p.ev
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipWS(b, i+1)
	action := false
	if i < len(b) && b[i] == '}' {
		return false
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		k, next := nixKey(b, i)
		if k == keyOther {
			// Keys are plain ASCII in Nix's output; a key with escapes
			// is left to the slow path.
			j := i + 1
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' {
					return false
				}
				j++
			}
			if j >= len(b) {
				return false
			}
			k = keyNamed(b[i+1 : j])
			i = skipWS(b, j+1)
			if i >= len(b) || b[i] != ':' {
				return false
			}
			next = i + 1
		}
		i = skipWS(b, next)
		if i >= len(b) {
			return false
		}
		var ok bool
		switch k {
		case keyAction:
			if e.kind, i, ok = nixAction(b, i); !ok {
				var s []byte
				if s, i, ok = p.scanString(b, i); !ok {
					return false
				}
				if e.kind, ok = actionKind(s); !ok {
					return false
				}
			}
			action = true
		case keyID:
			e.id, i, ok = p.scanID(b, i)
		case keyParent:
			e.parent, i, ok = scanUint(b, i)
		case keyType:
			e.typ, i, ok = scanIntOrNullInt(b, i)
		case keyLevel:
			e.level, i, ok = scanIntOrNullInt(b, i)
		case keyLine:
			e.line, i, ok = scanIntOrNullInt(b, i)
		case keyColumn:
			e.column, i, ok = scanIntOrNullInt(b, i)
		case keyStatus:
			e.status, i, ok = scanIntOrNullInt(b, i)
		case keyMs:
			e.millis, i, ok = scanIntOrNull(b, i)
		case keyText:
			e.text, i, ok = p.scanStringOrNull(b, i)
			e.textSet = e.text != nil
		case keyMsg:
			e.msg, i, ok = p.scanStringOrNull(b, i)
		case keyRawMsg:
			e.rawMsg, i, ok = p.scanStringOrNull(b, i)
		case keyFile:
			e.file, i, ok = p.scanStringOrNull(b, i)
		case keyFields:
			i, ok = p.scanFields(b, i)
		default:
			e.unknownField = true
			i, ok = skipValue(b, i, 0)
		}
		if !ok {
			return false
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return false
		}
		if b[i] == '}' {
			if !e.textSet {
				e.text = e.msg
			}
			i = skipWS(b, i+1)
			return action && i == len(b)
		}
		if b[i] != ',' {
			return false
		}
		i = skipWS(b, i+1)
	}
}

// jsonKey is a key of an event the scanner knows.
type jsonKey uint8

const (
	keyOther jsonKey = iota
	keyAction
	keyID
	keyParent
	keyType
	keyLevel
	keyLine
	keyColumn
	keyStatus
	keyMs
	keyText
	keyMsg
	keyRawMsg
	keyFile
	keyFields
)

// keyNamed returns the jsonKey of a key's name, keyOther when unknown.
func keyNamed(name []byte) jsonKey {
	switch string(name) {
	case "action":
		return keyAction
	case "id":
		return keyID
	case "parent":
		return keyParent
	case "type":
		return keyType
	case "level":
		return keyLevel
	case "line":
		return keyLine
	case "column":
		return keyColumn
	case "status":
		return keyStatus
	case "ms":
		return keyMs
	case "text":
		return keyText
	case "msg":
		return keyMsg
	case "raw_msg":
		return keyRawMsg
	case "file":
		return keyFile
	case "fields":
		return keyFields
	}
	return keyOther
}

// nixKey matches the key at b[i] (a quote) the way Nix writes it, quoted
// and followed by the colon without spaces, and returns it with the index
// after the colon; keyOther when the key is spelled any other way (the
// caller then reads it in full). Comparing with the few literals that
// start with the key's first letter saves reading the key byte by byte.
func nixKey(b []byte, i int) (jsonKey, int) {
	if len(b)-i < 5 {
		return keyOther, i
	}
	rest := b[i:]
	switch rest[1] {
	case 'a':
		if hasLiteral(rest, 0, `"action":`) {
			return keyAction, i + len(`"action":`)
		}
	case 'f':
		if hasLiteral(rest, 0, `"fields":`) {
			return keyFields, i + len(`"fields":`)
		}
		if hasLiteral(rest, 0, `"file":`) {
			return keyFile, i + len(`"file":`)
		}
	case 'i':
		if hasLiteral(rest, 0, `"id":`) {
			return keyID, i + len(`"id":`)
		}
	case 't':
		if hasLiteral(rest, 0, `"type":`) {
			return keyType, i + len(`"type":`)
		}
		if hasLiteral(rest, 0, `"text":`) {
			return keyText, i + len(`"text":`)
		}
	case 'l':
		if hasLiteral(rest, 0, `"level":`) {
			return keyLevel, i + len(`"level":`)
		}
		if hasLiteral(rest, 0, `"line":`) {
			return keyLine, i + len(`"line":`)
		}
	case 'p':
		if hasLiteral(rest, 0, `"parent":`) {
			return keyParent, i + len(`"parent":`)
		}
	case 'm':
		if hasLiteral(rest, 0, `"msg":`) {
			return keyMsg, i + len(`"msg":`)
		}
		if hasLiteral(rest, 0, `"ms":`) {
			return keyMs, i + len(`"ms":`)
		}
	case 'r':
		if hasLiteral(rest, 0, `"raw_msg":`) {
			return keyRawMsg, i + len(`"raw_msg":`)
		}
	case 'c':
		if hasLiteral(rest, 0, `"column":`) {
			return keyColumn, i + len(`"column":`)
		}
	case 's':
		if hasLiteral(rest, 0, `"status":`) {
			return keyStatus, i + len(`"status":`)
		}
	}
	return keyOther, i
}

func (p *Parser) scanFields(b []byte, i int) (int, bool) {
	e := &p.ev
	if hasLiteral(b, i, "null") {
		return i + 4, true
	}
	if b[i] != '[' {
		return i, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		if i >= len(b) {
			return i, false
		}
		// Fields beyond maxFields are read and dropped.
		var spare rawField
		f := &spare
		if e.nfields < maxFields {
			f = &e.fields[e.nfields]
			*f = rawField{}
		}
		var ok bool
		switch c := b[i]; {
		case c == '"':
			f.isStr = true
			f.str, i, ok = p.scanString(b, i)
		case c == '-' || (c >= '0' && c <= '9'):
			f.num, i, ok = scanInt(b, i)
		case c == 'n' && hasLiteral(b, i, "null"):
			i, ok = i+4, true
		case c == 't' && hasLiteral(b, i, "true"):
			f.num, i, ok = 1, i+4, true
		case c == 'f' && hasLiteral(b, i, "false"):
			i, ok = i+5, true
		default:
			return i, false
		}
		if !ok {
			return i, false
		}
		if f != &spare {
			e.nfields++
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return i, false
		}
		if b[i] == ']' {
			return i + 1, true
		}
		if b[i] != ',' {
			return i, false
		}
		i = skipWS(b, i+1)
	}
}

// nixAction matches the action of Nix's events at b[i] as a quoted
// literal, which saves scanning the string; ok is false for anything else
// (nixboard's markers, escapes), which the caller reads in full.
func nixAction(b []byte, i int) (Kind, int, bool) {
	if len(b)-i < 5 {
		return 0, i, false
	}
	switch b[i+1] {
	case 'r':
		if hasLiteral(b, i, `"result"`) {
			return KindResult, i + len(`"result"`), true
		}
	case 's':
		if hasLiteral(b, i, `"stop"`) {
			return KindStop, i + len(`"stop"`), true
		}
		if hasLiteral(b, i, `"start"`) {
			return KindStart, i + len(`"start"`), true
		}
	case 'm':
		if hasLiteral(b, i, `"msg"`) {
			return KindMsg, i + len(`"msg"`), true
		}
	}
	return 0, i, false
}

// actionKind is the Kind an event's "action" names, for Nix's events and
// nixboard's own markers.
func actionKind(action []byte) (Kind, bool) {
	switch string(action) {
	case "result":
		return KindResult, true
	case "start":
		return KindStart, true
	case "stop":
		return KindStop, true
	case "msg":
		return KindMsg, true
	case "exit":
		return KindExit, true
	case "time":
		return KindTime, true
	}
	return 0, false
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func hasLiteral(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// scanID reads an activity id as scanUint does, first comparing the
// digits with those of the previous id.
func (p *Parser) scanID(b []byte, i int) (uint64, int, bool) {
	if n := p.idLen; n > 0 && len(b)-i > n && string(b[i:i+n]) == string(p.idText[:n]) {
		// The same digits, and no more of them: the same id, unless the
		// number goes on as a fraction or exponent (which scanUint
		// rejects).
		if c := b[i+n]; c-'0' > 9 && c != '.' && c != 'e' && c != 'E' {
			return p.id, i + n, true
		}
	}
	id, j, ok := scanUint(b, i)
	if ok && j-i <= len(p.idText) {
		p.id, p.idLen = id, copy(p.idText[:], b[i:j])
	}
	return id, j, ok
}

// scanUint reads a non-negative integer that fits 64 bits: activity ids
// are decoded as integers, never through floating point.
func scanUint(b []byte, i int) (uint64, int, bool) {
	start := i
	var n uint64
	// Eight bytes at a time while the number has at most 16 digits, which
	// always fit: activity ids have 14 to 17. The digits of the last
	// word are shifted to its end and padded with leading zeros.
	for len(b)-i >= 8 && i-start < 16 {
		x := binary.LittleEndian.Uint64(b[i:])
		k := leadingDigits(x)
		if k == 8 {
			n = n*100_000_000 + eightDigitsValue(x)
			i += 8
			continue
		}
		n = n*pow10[k] + eightDigitsValue(x<<(8*(8-k))|0x3030303030303030>>(8*k))
		i += k
		goto end
	}
	// Nineteen digits always fit.
	for limit := min(len(b), start+19); i < limit; i++ {
		d := b[i] - '0' // wraps above 9 for anything but a digit
		if d > 9 {
			goto end
		}
		n = n*10 + uint64(d)
	}
	// Only a longer number (leading zeros, or too large) can overflow.
	for ; i < len(b); i++ {
		d := uint64(b[i] - '0')
		if d > 9 {
			break
		}
		if n > (1<<64-1-d)/10 {
			return 0, i, false
		}
		n = n*10 + d
	}
end:
	if i == start || (i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
		return 0, i, false
	}
	return n, i, true
}

// pow10 are the powers of ten up to 10^8.
var pow10 = [9]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// leadingDigits is how many of the eight bytes of x (read little-endian,
// the first byte lowest) are ASCII digits before the first other byte.
// A byte's high nibble is 3 for a digit and stays 3 when 6 is added; a
// carry out of a byte only comes from one that is no digit, so it cannot
// change the count.
func leadingDigits(x uint64) int {
	const high = 0xF0F0F0F0F0F0F0F0
	nd := (x&high | (x+0x0606060606060606)&high>>4) ^ 0x3333333333333333
	// The high bit of each byte of nd that is not zero, without carries
	// between bytes.
	m := ((nd & 0x7F7F7F7F7F7F7F7F) + 0x7F7F7F7F7F7F7F7F | nd) & swarHighs
	return bits.TrailingZeros64(m) / 8
}

// eightDigitsValue is the number eight ASCII digits spell, the first byte
// (the lowest of x) the most significant: pairs, then quads, then the
// whole, with three multiplications (Lemire's method).
func eightDigitsValue(x uint64) uint64 {
	x -= 0x3030303030303030
	x = x*10 + x>>8
	return ((x&0x000000FF000000FF)*(100+1000000<<32) + (x>>16&0x000000FF000000FF)*(1+10000<<32)) >> 32
}

func scanInt(b []byte, i int) (int64, int, bool) {
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	u, i, ok := scanUint(b, i)
	if !ok || u > 1<<63 || (!neg && u == 1<<63) {
		return 0, i, false
	}
	if neg {
		return -int64(u), i, true
	}
	return int64(u), i, true
}

func scanIntOrNull(b []byte, i int) (int64, int, bool) {
	if hasLiteral(b, i, "null") {
		return 0, i + 4, true
	}
	return scanInt(b, i)
}

// scanIntOrNullInt is scanIntOrNull for the fields an event keeps as int.
func scanIntOrNullInt(b []byte, i int) (int, int, bool) {
	n, i, ok := scanIntOrNull(b, i)
	return int(n), i, ok
}

func (p *Parser) scanStringOrNull(b []byte, i int) ([]byte, int, bool) {
	if hasLiteral(b, i, "null") {
		return nil, i + 4, true
	}
	return p.scanString(b, i)
}

// scanString reads a JSON string at b[i], as encoding/json does: each
// byte that is not part of valid UTF-8 becomes U+FFFD. Without escapes or
// such bytes it returns a slice of b; otherwise it unescapes into p.buf,
// whose capacity was set so that it seldom reallocates during one line
// (only U+FFFD is longer than what it replaces; slices taken before a
// reallocation keep the old array, so they stay valid). A string, even an
// empty one, is never nil.
func (p *Parser) scanString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	i++
	start := i
	for {
		i = stringStop(b, i)
		if i >= len(b) || b[i] < 0x20 {
			return nil, i, false
		}
		if b[i] == '"' {
			return b[start:i], i + 1, true
		}
		if b[i] < utf8.RuneSelf {
			break // a backslash
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
	}
	out := len(p.buf)
	p.buf = append(p.buf, b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return p.buf[out:len(p.buf):len(p.buf)], i + 1, true
		case c < 0x20:
			return nil, i, false
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(b[i:])
			// r is U+FFFD for a byte that is not valid UTF-8.
			p.buf = utf8.AppendRune(p.buf, r)
			i += n
			continue
		case c != '\\':
			// Copy the run up to the next quote or backslash at once.
			j := stringStop(b, i+1)
			p.buf = append(p.buf, b[i:j]...)
			i = j
			continue
		}
		if i+1 >= len(b) {
			return nil, i, false
		}
		switch b[i+1] {
		case '"', '\\', '/':
			p.buf = append(p.buf, b[i+1])
		case 'n':
			p.buf = append(p.buf, '\n')
		case 't':
			p.buf = append(p.buf, '\t')
		case 'r':
			p.buf = append(p.buf, '\r')
		case 'b':
			p.buf = append(p.buf, '\b')
		case 'f':
			p.buf = append(p.buf, '\f')
		case 'u':
			r, n, ok := hex4(b, i+2)
			if !ok {
				return nil, i, false
			}
			i += 2 + n
			if utf16.IsSurrogate(r) {
				if r2, n2, ok2 := hex4(b, i+2); ok2 && i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						i += 2 + n2
						p.buf = utf8.AppendRune(p.buf, dec)
						continue
					}
				}
				r = utf8.RuneError
			}
			p.buf = utf8.AppendRune(p.buf, r)
			continue
		default:
			return nil, i, false
		}
		i += 2
	}
	return nil, i, false
}

// Masks for stringStop's eight-bytes-at-a-time test.
const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// stringStop returns the index of the first byte of b at or after i that
// ends a run of plain ASCII string bytes: a quote, a backslash, a control
// character (below 0x20) or a byte of a multi-byte sequence (0x80 and
// above, which the caller checks is valid UTF-8), or len(b) when there is
// none. It tests eight
// bytes at a time: log lines are mostly long strings.
func stringStop(b []byte, i int) int {
	for ; len(b)-i >= 16; i += 16 {
		mx := stringStops(binary.LittleEndian.Uint64(b[i:]))
		my := stringStops(binary.LittleEndian.Uint64(b[i+8:]))
		if mx|my != 0 {
			if mx != 0 {
				return i + bits.TrailingZeros64(mx)/8
			}
			return i + 8 + bits.TrailingZeros64(my)/8
		}
	}
	for ; len(b)-i >= 8; i += 8 {
		if m := stringStops(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return i
		}
	}
	return len(b)
}

// stringStops has the high bit set in the first byte of x (read
// little-endian) that is a quote, a backslash, below 0x20 or at least
// 0x80, and possibly in later ones; it is zero when there is none.
// (v - 0x01…) &^ v marks the first zero byte of v, (x - 0x20…) &^ x the
// first byte below 0x20, and x itself the bytes from 0x80: the lowest set
// bit of the union is the first byte that stops a run of plain string
// bytes.
func stringStops(x uint64) uint64 {
	q := x ^ ('"' * swarOnes)
	bs := x ^ ('\\' * swarOnes)
	return ((q-swarOnes)&^q | (bs-swarOnes)&^bs | (x-0x20*swarOnes)&^x | x) & swarHighs
}

func hex4(b []byte, i int) (rune, int, bool) {
	if len(b)-i < 4 {
		return 0, 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, 0, false
		}
	}
	return r, 4, true
}

// skipValue skips any JSON value, nested at most 64 deep.
func skipValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) || depth > 64 {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		i++
		for i < len(b) {
			switch b[i] {
			case '\\':
				i += 2
				continue
			case '"':
				return i + 1, true
			}
			i++
		}
		return i, false
	case c == '{' || c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == end {
			return i + 1, true
		}
		for {
			if c == '{' {
				var ok bool
				if i, ok = skipValue(b, i, depth+1); !ok || i >= len(b) || b[i-1] != '"' {
					return i, false
				}
				i = skipWS(b, i)
				if i >= len(b) || b[i] != ':' {
					return i, false
				}
				i = skipWS(b, i+1)
			}
			var ok bool
			if i, ok = skipValue(b, i, depth+1); !ok {
				return i, false
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, false
			}
			if b[i] == end {
				return i + 1, true
			}
			if b[i] != ',' {
				return i, false
			}
			i = skipWS(b, i+1)
		}
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
			j++
		}
		return j, true
	case hasLiteral(b, i, "true"), hasLiteral(b, i, "null"):
		return i + 4, true
	case hasLiteral(b, i, "false"):
		return i + 5, true
	}
	return i, false
}

// decodeSlow decodes body with encoding/json into p.ev, into fresh
// memory. It reads what the scanners read the same way (keys matched
// exactly, "text" before "msg", true as 1 and false and null as 0 in
// fields, U+FFFD for bytes that are not UTF-8; FuzzFeed checks that), and
// accepts besides numbers with fractions or exponents (truncated to
// integers) and values Nix does not write, such as nested arrays in
// fields, which it keeps as their JSON text.
func (p *Parser) decodeSlow(body []byte) bool {
	// A map, not a struct: encoding/json matches a struct's keys
	// case-insensitively, and Nix's keys are exact. Of repeated keys the
	// last counts, as in the scanners.
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return false
	}
	var action string
	if raw, ok := obj["action"]; !ok || json.Unmarshal(raw, &action) != nil {
		return false
	}
	e := &p.ev
	var ok bool
	if e.kind, ok = actionKind([]byte(action)); !ok {
		return false
	}
	num := func(key string) (json.Number, bool) {
		var n json.Number
		raw, ok := obj[key]
		return n, !ok || json.Unmarshal(raw, &n) == nil
	}
	// str reads a string or null; set is false for null or no key.
	str := func(key string) (v []byte, set, ok bool) {
		raw, has := obj[key]
		if !has {
			return nil, false, true
		}
		var sp *string
		if json.Unmarshal(raw, &sp) != nil {
			return nil, false, false
		}
		if sp == nil {
			return nil, false, true
		}
		return []byte(*sp), true, true
	}
	good := true
	check := func(ok bool) {
		good = good && ok
	}
	n, ok := num("id")
	check(ok)
	e.id, ok = numberUint(n)
	check(ok)
	n, ok = num("parent")
	check(ok)
	e.parent, ok = numberUint(n)
	check(ok)
	for _, f := range []struct {
		key string
		dst *int
	}{{"type", &e.typ}, {"level", &e.level}, {"line", &e.line}, {"column", &e.column}, {"status", &e.status}} {
		n, ok = num(f.key)
		check(ok)
		*f.dst = numberInt(n)
	}
	n, ok = num("ms")
	check(ok)
	e.millis = int64(numberInt(n))
	text, textSet, ok := str("text")
	check(ok)
	msg, _, ok := str("msg")
	check(ok)
	if textSet {
		e.text = text
	} else {
		e.text = msg
	}
	e.rawMsg, _, ok = str("raw_msg")
	check(ok)
	e.file, _, ok = str("file")
	check(ok)
	var fields []json.RawMessage
	if raw, has := obj["fields"]; has {
		check(json.Unmarshal(raw, &fields) == nil)
	}
	if !good {
		return false
	}
	for _, raw := range fields {
		if e.nfields >= maxFields {
			break
		}
		var f rawField
		var str string
		var num json.Number
		switch {
		case string(raw) == "null", string(raw) == "false":
		case string(raw) == "true":
			f.num = 1
		case json.Unmarshal(raw, &str) == nil:
			f.isStr, f.str = true, []byte(str)
		case json.Unmarshal(raw, &num) == nil:
			f.num = int64(numberInt(num))
		default:
			f.isStr, f.str = true, append([]byte(nil), raw...)
		}
		e.fields[e.nfields] = f
		e.nfields++
	}
	return true
}

func numberUint(n json.Number) (uint64, bool) {
	if n == "" {
		return 0, true
	}
	if u, err := strconv.ParseUint(string(n), 10, 64); err == nil {
		return u, true
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f >= 1<<63 {
		return 0, false
	}
	return uint64(f), true
}

func numberInt(n json.Number) int {
	if n == "" {
		return 0
	}
	if i, err := n.Int64(); err == nil {
		return int(i)
	}
	if f, err := n.Float64(); err == nil && f > -1<<62 && f < 1<<62 {
		return int(f)
	}
	return 0
}
