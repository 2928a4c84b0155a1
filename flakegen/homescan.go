package flakegen

import (
	"fmt"
	"strings"
)

// This file reads a home.nix nixboard did not write (or one a person
// edited) far enough to find the option definitions that clash with the ones
// nixboard's base layer makes from nixboard.json: home.username,
// home.homeDirectory and home.stateVersion. It never evaluates the file:
// evaluating a person's module means running their code (imports,
// builtins.readFile, import-from-derivation) with made-up arguments. It
// lexes Nix exactly enough to skip comments, strings, interpolation and
// let-bindings, and follows attribute sets from the module's top level
// down, so `home.username = "x";`, `home = { username = "x"; };`,
// `config.home.username`, and definitions inside lib.mkIf or lib.mkMerge
// are all found. Tests compare what it finds with what real nix evaluates,
// and what it refuses with what nix's parser refuses.
//
// It does not ask nix either, even to parse: rendering needs only git
// (`nixboard render` works where nix is not installed, or not on PATH yet
// after an install), and `nix-instantiate --parse` prints the file back as
// normalised Nix text without line numbers, which would need this parser
// all the same. A file it cannot read is no error: the plan keeps home.nix
// with a note, and home-manager's own evaluation at switch time has the
// last word.

// homeDef is one definition found in home.nix.
type homeDef struct {
	// Option is the dotted option path, e.g. "home.stateVersion".
	Option string
	// Line is the 1-based line of the definition.
	Line int
	// Literal says Value holds the defined string: the value is a plain
	// double-quoted string without interpolation, possibly wrapped in
	// lib.mkForce or lib.mkDefault (Priority).
	Literal bool
	Value   string
	// Priority is "mkForce", "mkDefault" or "" (a normal definition).
	Priority string
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString    // "...": value in tok.value unless interp
	tIndString // ''...''
	tPath
	tURI
	tNumber
	tPunct
)

type token struct {
	kind   tokKind
	text   string // identifier, punctuation, path, number
	value  string // decoded double-quoted string
	interp bool   // the string holds ${...}
	line   int
}

// scanError is a problem reading the file, with its line.
type scanError struct {
	line int
	msg  string
}

func (e *scanError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

type lexer struct {
	src  string
	pos  int
	line int
}

func isPathChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '+'
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '\'' || c == '-'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isURIChar(c byte) bool {
	return isPathChar(c) || strings.IndexByte("%/?:@&=+$,!~*'", c) >= 0
}

func (l *lexer) fail(msg string) {
	panic(&scanError{l.line, msg})
}

func (l *lexer) peekAt(i int) byte {
	if l.pos+i < len(l.src) {
		return l.src[l.pos+i]
	}
	return 0
}

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\n':
			l.line++
			l.pos++
		case c == ' ' || c == '\t' || c == '\r':
			l.pos++
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		case c == '/' && l.peekAt(1) == '*':
			start := l.line
			end := strings.Index(l.src[l.pos+2:], "*/")
			if end < 0 {
				l.line = start
				l.fail("unterminated /* comment")
			}
			l.line += strings.Count(l.src[l.pos:l.pos+2+end], "\n")
			l.pos += 2 + end + 2
		default:
			return
		}
	}
}

// pathEnd returns the end of a path starting at pos, or -1: PATH_CHAR*
// followed by one or more "/" PATH_CHAR+ segments, as Nix's lexer has it.
func (l *lexer) pathEnd(pos int) int {
	i := pos
	for i < len(l.src) && isPathChar(l.src[i]) {
		i++
	}
	segments := 0
	for i+1 < len(l.src) && l.src[i] == '/' && isPathChar(l.src[i+1]) {
		i++
		for i < len(l.src) && isPathChar(l.src[i]) {
			i++
		}
		segments++
	}
	if segments == 0 {
		return -1
	}
	return i
}

// next returns the next token.
func (l *lexer) next() token {
	l.skipSpace()
	if l.pos >= len(l.src) {
		return token{kind: tEOF, line: l.line}
	}
	start, line := l.pos, l.line
	c := l.src[l.pos]
	tok := func(k tokKind, end int) token {
		l.pos = end
		return token{kind: k, text: l.src[start:end], line: line}
	}
	switch {
	case c == '"':
		return l.str()
	case c == '\'' && l.peekAt(1) == '\'':
		return l.indStr()
	case c == '~' && l.peekAt(1) == '/':
		if end := l.pathEnd(l.pos + 1); end > 0 {
			return l.pathTail(tok(tPath, end))
		}
	case c == '<' && isPathChar(l.peekAt(1)):
		i := l.pos + 1
		for i < len(l.src) && (isPathChar(l.src[i]) || l.src[i] == '/') {
			i++
		}
		if i < len(l.src) && l.src[i] == '>' {
			return tok(tPath, i+1)
		}
	}
	if isPathChar(c) || c == '/' {
		if end := l.pathEnd(l.pos); end > 0 && !strings.HasPrefix(l.src[l.pos:], "//") {
			return l.pathTail(tok(tPath, end))
		}
	}
	if isIdentStart(c) {
		// A scheme followed by ':' and a URI character is a URI literal,
		// as in Nix ("x:x" is a URI, "x: x" a function).
		j := l.pos
		for j < len(l.src) && isPathChar(l.src[j]) && l.src[j] != '_' {
			j++
		}
		if j < len(l.src)-1 && l.src[j] == ':' && isURIChar(l.src[j+1]) {
			k := j + 1
			for k < len(l.src) && isURIChar(l.src[k]) {
				k++
			}
			return tok(tURI, k)
		}
		i := l.pos
		for i < len(l.src) && isIdentChar(l.src[i]) {
			i++
		}
		return tok(tIdent, i)
	}
	if isDigit(c) || c == '.' && isDigit(l.peekAt(1)) {
		i := l.pos
		for i < len(l.src) && (isDigit(l.src[i]) || l.src[i] == '.') {
			i++
		}
		if i < len(l.src) && (l.src[i] == 'e' || l.src[i] == 'E') {
			i++
			if i < len(l.src) && (l.src[i] == '+' || l.src[i] == '-') {
				i++
			}
			for i < len(l.src) && isDigit(l.src[i]) {
				i++
			}
		}
		return tok(tNumber, i)
	}
	for _, op := range []string{"...", "${", "==", "!=", "<=", ">=", "&&", "||", "->", "//", "++"} {
		if strings.HasPrefix(l.src[l.pos:], op) {
			return tok(tPunct, l.pos+len(op))
		}
	}
	if strings.IndexByte("{}()[];=.,:@?+-*/!<>", c) >= 0 {
		return tok(tPunct, l.pos+1)
	}
	l.fail(fmt.Sprintf("unexpected character %q", c))
	return token{}
}

// pathTail takes in interpolation right after a path (./dir/${name}).
func (l *lexer) pathTail(t token) token {
	for strings.HasPrefix(l.src[l.pos:], "${") {
		l.pos += 2
		l.skipInterpolation()
		for l.pos < len(l.src) && (isPathChar(l.src[l.pos]) || l.src[l.pos] == '/') {
			l.pos++
		}
	}
	return t
}

// skipInterpolation skips the expression of a ${...} whose "${" is just
// behind, through its closing brace.
func (l *lexer) skipInterpolation() {
	line := l.line
	depth := 1
	for {
		t := l.next()
		switch {
		case t.kind == tEOF:
			l.line = line
			l.fail("unterminated ${ interpolation")
		case t.kind == tPunct && (t.text == "{" || t.text == "${"):
			depth++
		case t.kind == tPunct && t.text == "}":
			depth--
			if depth == 0 {
				return
			}
		}
	}
}

// str lexes a double-quoted string, decoding it when it has no
// interpolation.
func (l *lexer) str() token {
	t := token{kind: tString, line: l.line}
	var b strings.Builder
	l.pos++
	for {
		if l.pos >= len(l.src) {
			l.line = t.line
			l.fail("unterminated string")
		}
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.pos++
			t.value = b.String()
			return t
		case c == '\\' && l.pos+1 < len(l.src):
			e := l.src[l.pos+1]
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				if e == '\n' {
					l.line++
				}
				b.WriteByte(e)
			}
			l.pos += 2
		case c == '$' && l.peekAt(1) == '{':
			l.pos += 2
			l.skipInterpolation()
			t.interp = true
		case c == '$' && l.pos+1 < len(l.src) && l.src[l.pos+1] != '"' && l.src[l.pos+1] != '\\':
			// Nix reads "$" and the character after it literally here,
			// so "$${" is "$$" and "{", not an interpolation.
			b.WriteString(l.src[l.pos : l.pos+2])
			if l.src[l.pos+1] == '\n' {
				l.line++
			}
			l.pos += 2
		default:
			if c == '\n' {
				l.line++
			}
			b.WriteByte(c)
			l.pos++
		}
	}
}

// indStr lexes an indented string ”...”; its value is not decoded.
func (l *lexer) indStr() token {
	t := token{kind: tIndString, line: l.line}
	l.pos += 2
	for {
		if l.pos >= len(l.src) {
			l.line = t.line
			l.fail("unterminated '' string")
		}
		switch {
		case strings.HasPrefix(l.src[l.pos:], "'''"), strings.HasPrefix(l.src[l.pos:], "''$"):
			l.pos += 3
		case strings.HasPrefix(l.src[l.pos:], "''\\") && l.pos+3 < len(l.src):
			if l.src[l.pos+3] == '\n' {
				l.line++
			}
			l.pos += 4
		case strings.HasPrefix(l.src[l.pos:], "''"):
			l.pos += 2
			return t
		case strings.HasPrefix(l.src[l.pos:], "${"):
			l.pos += 2
			l.skipInterpolation()
			t.interp = true
		case strings.HasPrefix(l.src[l.pos:], "$$"):
			l.pos += 2
		default:
			if l.src[l.pos] == '\n' {
				l.line++
			}
			l.pos++
		}
	}
}

// homeScanner walks the tokens of a module and records the definitions
// reachable from its top-level attribute set.
type homeScanner struct {
	toks []token
	i    int
	defs []homeDef
}

// scope is the option path attribute sets at this point define, or off for
// places that define no options (let bindings, function arguments).
type scope struct {
	path []string
	on   bool
}

func (s scope) child(path []string) scope {
	if !s.on {
		return scope{}
	}
	return scope{path: append(append([]string(nil), s.path...), path...), on: true}
}

func (h *homeScanner) peek() token { return h.toks[h.i] }

func (h *homeScanner) is(text string) bool {
	t := h.toks[h.i]
	return (t.kind == tPunct || t.kind == tIdent) && t.text == text
}

func (h *homeScanner) fail(msg string) {
	panic(&scanError{h.peek().line, msg})
}

func (h *homeScanner) expect(text string) {
	if !h.is(text) {
		h.fail(fmt.Sprintf("expected %q, found %s", text, describe(h.peek())))
	}
	h.i++
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "the end of the file"
	case tString, tIndString:
		return "a string"
	}
	return fmt.Sprintf("%q", t.text)
}

// matching returns the index of the token closing the bracket at i.
func (h *homeScanner) matching(i int) int {
	depth := 0
	for j := i; j < len(h.toks); j++ {
		t := h.toks[j]
		if t.kind != tPunct {
			if t.kind == tEOF {
				break
			}
			continue
		}
		switch t.text {
		case "{", "${", "(", "[":
			depth++
		case "}", ")", "]":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	panic(&scanError{h.toks[i].line, fmt.Sprintf("this %q is never closed", h.toks[i].text)})
}

// expr skims one expression, stopping before a token that ends it at this
// level (";", ",", a closing bracket, "in", or the end).
func (h *homeScanner) expr(sc scope) {
	for {
		t := h.peek()
		if t.kind == tEOF {
			return
		}
		if t.kind == tIdent {
			switch t.text {
			case "in":
				return
			case "let":
				h.i++
				if h.is("{") {
					h.attrs(scope{})
					continue
				}
				for !h.is("in") {
					if h.peek().kind == tEOF {
						h.fail("let without in")
					}
					h.binding(scope{})
				}
				h.i++
				continue
			case "with", "assert":
				h.i++
				h.expr(scope{})
				h.expect(";")
				continue
			case "rec":
				h.i++
				continue
			}
		}
		if t.kind != tPunct {
			h.i++
			continue
		}
		switch t.text {
		case ";", ",", "}", ")", "]":
			return
		case "{":
			if end := h.matching(h.i); end+1 < len(h.toks) && (h.toks[end+1].text == ":" || h.toks[end+1].text == "@") && h.toks[end+1].kind == tPunct {
				// Function arguments, defaults included: no definitions.
				h.i = end + 1
				continue
			}
			h.attrs(sc)
		case "(", "[":
			closing := map[string]string{"(": ")", "[": "]"}[t.text]
			h.i++
			for !h.is(closing) {
				if h.peek().kind == tEOF || h.is(";") || h.is("}") || h.is(")") || h.is("]") || h.is("in") {
					h.fail(fmt.Sprintf("expected %q, found %s", closing, describe(h.peek())))
				}
				h.expr(sc)
				if h.is(",") {
					h.i++
				}
			}
			h.i++
		case "${":
			h.i = h.matching(h.i) + 1
		default:
			h.i++
		}
	}
}

// attrs reads an attribute set, "{" through "}".
func (h *homeScanner) attrs(sc scope) {
	h.expect("{")
	for !h.is("}") {
		if h.peek().kind == tEOF {
			h.fail("unclosed {")
		}
		h.binding(sc)
	}
	h.i++
}

// binding reads "inherit ...;" or "attr.path = value;".
func (h *homeScanner) binding(sc scope) {
	if h.is("inherit") {
		for !h.is(";") {
			switch {
			case h.peek().kind == tEOF:
				h.fail("inherit without ;")
			case h.is("("):
				h.i = h.matching(h.i) + 1
			default:
				h.i++
			}
		}
		h.i++
		return
	}
	line := h.peek().line
	var path []string
	dynamic := false
	for {
		t := h.peek()
		switch {
		case t.kind == tIdent:
			path = append(path, t.text)
		case t.kind == tString && !t.interp:
			path = append(path, t.value)
		case t.kind == tString:
			dynamic = true
		case t.kind == tPunct && t.text == "${":
			// A computed name: nothing below it can be told statically.
			dynamic = true
			h.i = h.matching(h.i)
		default:
			h.fail(fmt.Sprintf("expected an attribute name, found %s", describe(t)))
		}
		h.i++
		if !h.is(".") {
			break
		}
		h.i++
	}
	h.expect("=")
	start := h.i
	var inner scope
	if !dynamic {
		inner = sc.child(path)
	}
	h.expr(inner)
	value := h.toks[start:h.i]
	h.expect(";")
	if inner.on {
		h.record(inner.path, line, value)
	}
}

// record keeps a definition, with its value when it is a plain string.
func (h *homeScanner) record(path []string, line int, value []token) {
	if len(path) > 1 && path[0] == "config" {
		path = path[1:]
	}
	d := homeDef{Option: strings.Join(path, "."), Line: line}
	for len(value) >= 2 && value[0].kind == tPunct && value[0].text == "(" && value[len(value)-1].text == ")" {
		value = value[1 : len(value)-1]
	}
	if len(value) >= 2 && value[0].kind == tIdent && value[0].text == "lib" && value[1].text == "." {
		value = value[2:]
	}
	if len(value) == 2 && value[0].kind == tIdent && (value[0].text == "mkForce" || value[0].text == "mkDefault") {
		d.Priority = value[0].text
		value = value[1:]
	}
	if len(value) == 1 && value[0].kind == tString && !value[0].interp {
		d.Literal, d.Value = true, value[0].value
	}
	h.defs = append(h.defs, d)
}

// scanHome returns every option definition reachable from the top level of
// the module in src, or an error saying where the file stops making sense.
func scanHome(src []byte) (defs []homeDef, err error) {
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*scanError)
			if !ok {
				panic(r)
			}
			defs, err = nil, se
		}
	}()
	l := &lexer{src: string(src), line: 1}
	var toks []token
	for {
		t := l.next()
		toks = append(toks, t)
		if t.kind == tEOF {
			break
		}
	}
	h := &homeScanner{toks: toks}
	h.expr(scope{path: []string{}, on: true})
	if h.peek().kind != tEOF {
		h.fail(fmt.Sprintf("unexpected %s", describe(h.peek())))
	}
	return h.defs, nil
}
