package nixrun

import (
	"bytes"
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
	kind    Kind
	id      uint64
	parent  uint64
	typ     int
	level   int
	text    []byte
	rawMsg  []byte
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
}

var (
	nixPrefix      = []byte("@nix ")
	nixboardPrefix = []byte("@nixboard ")
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
	case bytes.HasPrefix(line, nixPrefix):
		body = line[len(nixPrefix):]
	case bytes.HasPrefix(line, nixboardPrefix):
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
	if !p.scan(body) {
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

// scan is the fast path: a single pass over one JSON object with the keys
// Nix writes, in any order, without allocating. It returns false for
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
		// Keys are plain ASCII in Nix's output; a key with escapes is
		// left to the slow path.
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
		key := b[i+1 : j]
		i = skipWS(b, j+1)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return false
		}
		var ok bool
		switch string(key) {
		case "action":
			var s []byte
			if s, i, ok = p.scanString(b, i); !ok {
				return false
			}
			if e.kind, ok = actionKind(s); !ok {
				return false
			}
			action = true
		case "id":
			e.id, i, ok = scanUint(b, i)
		case "parent":
			e.parent, i, ok = scanUint(b, i)
		case "type":
			e.typ, i, ok = scanIntOrNullInt(b, i)
		case "level":
			e.level, i, ok = scanIntOrNullInt(b, i)
		case "line":
			e.line, i, ok = scanIntOrNullInt(b, i)
		case "column":
			e.column, i, ok = scanIntOrNullInt(b, i)
		case "status":
			e.status, i, ok = scanIntOrNullInt(b, i)
		case "ms":
			e.millis, i, ok = scanIntOrNull(b, i)
		case "text", "msg":
			e.text, i, ok = p.scanStringOrNull(b, i)
		case "raw_msg":
			e.rawMsg, i, ok = p.scanStringOrNull(b, i)
		case "file":
			e.file, i, ok = p.scanStringOrNull(b, i)
		case "fields":
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
			i = skipWS(b, i+1)
			return action && i == len(b)
		}
		if b[i] != ',' {
			return false
		}
		i = skipWS(b, i+1)
	}
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
		var f rawField
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
		if e.nfields < maxFields {
			e.fields[e.nfields] = f
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

// scanUint reads a non-negative integer that fits 64 bits: activity ids
// are decoded as integers, never through floating point.
func scanUint(b []byte, i int) (uint64, int, bool) {
	start := i
	var n uint64
	for i < len(b) {
		d := uint64(b[i] - '0') // wraps above 9 for anything but a digit
		if d > 9 {
			break
		}
		// Nineteen digits always fit; only a longer number can overflow.
		if i-start >= 19 && n > (1<<64-1-d)/10 {
			return 0, i, false
		}
		n = n*10 + d
		i++
	}
	if i == start || (i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E')) {
		return 0, i, false
	}
	return n, i, true
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

// scanString reads a JSON string at b[i]. Without escapes it returns a
// slice of b; with escapes it unescapes into p.buf, whose capacity was set
// so that it never reallocates during one line.
func (p *Parser) scanString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	i++
	start := i
	i = stringStop(b, i)
	if i >= len(b) || b[i] < 0x20 {
		return nil, i, false
	}
	if b[i] == '"' {
		return b[start:i], i + 1, true
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
// ends a run of plain string bytes: a quote, a backslash or a control
// character (below 0x20), or len(b) when there is none. It tests eight
// bytes at a time: log lines are mostly long strings.
func stringStop(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ ('"' * swarOnes)
		bs := x ^ ('\\' * swarOnes)
		// (v - 0x01…) &^ v has the high bit set in the first byte of v
		// that is zero (and possibly in later ones), and (x - 0x20…) &^ x
		// in the first byte below 0x20: the lowest set bit of the union
		// is the first byte that stops the run.
		m := ((q - swarOnes) &^ q) | ((bs - swarOnes) &^ bs) | ((x - 0x20*swarOnes) &^ x)
		if m &= swarHighs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
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

// slowEvent is the encoding/json form of an event, for lines the fast
// scanner does not handle. Numbers stay json.Number so ids are never
// rounded through float64.
type slowEvent struct {
	Action string            `json:"action"`
	ID     json.Number       `json:"id"`
	Parent json.Number       `json:"parent"`
	Type   json.Number       `json:"type"`
	Level  json.Number       `json:"level"`
	Text   *string           `json:"text"`
	Msg    *string           `json:"msg"`
	RawMsg *string           `json:"raw_msg"`
	File   *string           `json:"file"`
	Line   json.Number       `json:"line"`
	Column json.Number       `json:"column"`
	Status json.Number       `json:"status"`
	Ms     json.Number       `json:"ms"`
	Fields []json.RawMessage `json:"fields"`
}

// decodeSlow decodes body with encoding/json into p.ev, copying strings
// into p.buf. It accepts numbers with fractions or exponents (truncated to
// integers) and values Nix does not write, such as nested arrays in
// fields, which it keeps as their JSON text.
func (p *Parser) decodeSlow(body []byte) bool {
	// encoding/json matches keys case-insensitively; Nix's key is
	// "action", exactly.
	if !bytes.Contains(body, []byte(`"action"`)) {
		return false
	}
	var s slowEvent
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil {
		return false
	}
	if dec.More() {
		return false
	}
	e := &p.ev
	var ok bool
	if e.kind, ok = actionKind([]byte(s.Action)); !ok {
		return false
	}
	if e.id, ok = numberUint(s.ID); !ok {
		return false
	}
	if e.parent, ok = numberUint(s.Parent); !ok {
		return false
	}
	e.typ = numberInt(s.Type)
	e.level = numberInt(s.Level)
	e.line = numberInt(s.Line)
	e.column = numberInt(s.Column)
	e.status = numberInt(s.Status)
	e.millis = int64(numberInt(s.Ms))
	// The slow path owns fresh memory: p.buf may be too small here.
	own := func(sp *string) []byte {
		if sp == nil {
			return nil
		}
		return []byte(*sp)
	}
	if s.Text != nil {
		e.text = own(s.Text)
	} else {
		e.text = own(s.Msg)
	}
	e.rawMsg = own(s.RawMsg)
	e.file = own(s.File)
	for _, raw := range s.Fields {
		if e.nfields >= maxFields {
			break
		}
		var f rawField
		var str string
		var num json.Number
		switch {
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
