package flakegen

import (
	"fmt"
	"strings"
	"unicode"
)

// Values that home-manager pastes into shell scripts.
//
// The answers reach Nix as data, but home-manager then writes some of them
// into shell code that runs at every login:
//
//   - session variables (homeBase.environmentVariables, and EDITOR/VISUAL
//     from homeBase.defaultEditor) become `export NAME="VALUE"` lines of
//     hm-session-vars.sh (modules/lib/shell.nix, `export`), sourced by
//     bash, zsh and sh; fish gets babelfish's translation of that file,
//     `set -gx NAME 'text'"$REF"...` (modules/programs/fish.nix,
//     sessionVarsPkg);
//   - aliases (homeBase.shellAliases) become `alias -- NAME=VALUE` for bash
//     and zsh and `alias NAME VALUE` for fish, VALUE quoted by nixpkgs'
//     lib.escapeShellArg (POSIX single quotes), and fish's `alias` pastes
//     VALUE into the body of a function it defines.
//
// So these values are checked against what is allowed (an allow-list), not
// against what is known to be dangerous: whatever passes must mean the same
// text in bash, zsh, sh and fish and run nothing when the files are sourced.
// flakegen's shell test writes exactly those files and sources them in the
// real shells; FuzzShellValues drives it with arbitrary values.

// invisible returns the first rune of s that changes how text is shown
// without being seen (Unicode format characters, category Cf: bidi
// controls such as U+202E, zero-width characters such as U+200B and
// U+FEFF), or 0.
func invisible(s string) rune {
	for _, r := range s {
		if unicode.Is(unicode.Cf, r) {
			return r
		}
	}
	return 0
}

// plain checks a value a person reads as a name, command or path: text()
// and no invisible character, which could make it read as something other
// than what it is. It reports and returns false on the first problem.
func (v *validator) plain(field, value string, max int) bool {
	if !v.text(field, value, max) {
		return false
	}
	if r := invisible(value); r != 0 {
		v.add(field, value, fmt.Sprintf("contains the invisible character %U, which changes how the text around it is shown; type the value again without it", r))
		return false
	}
	return true
}

// reservedKey says why a key of shellAliases or environmentVariables is
// refused, or "". Nix and its module system read some attribute names as
// something other than an entry: `_type` turns the whole set into mkIf,
// mkMerge, mkOverride and the like, `__functor` makes it a function,
// `__toString` a string. Every key starting with "__" is refused, as Nix
// keeps that prefix for itself; other keys starting with one "_" (such as
// _JAVA_OPTIONS) are ordinary.
func reservedKey(k string) string {
	if k == "_type" || strings.HasPrefix(k, "__") {
		return "is a name Nix's module system reads as something else (_type, or any name starting with __); choose another name"
	}
	return ""
}

// specialEnv are variables a shell gives a meaning of its own when they are
// assigned (read-only, tied to other variables, or run as code at every
// prompt or start): set from hm-session-vars.sh they would stop the script
// or run their value as commands.
var specialEnv = map[string]bool{
	// bash and zsh: read-only or changing the running shell.
	"UID": true, "EUID": true, "GID": true, "EGID": true, "PPID": true, "USERNAME": true,
	"BASHOPTS": true, "SHELLOPTS": true, "BASH_VERSINFO": true, "BASH_ENV": true, "ENV": true,
	"IFS": true, "RANDOM": true, "SECONDS": true, "LINENO": true, "HISTCMD": true, "ZDOTDIR": true,
	"status": true, "path": true, "argv": true, "ERRNO": true,
	// Shell code run at every prompt.
	"PROMPT_COMMAND": true, "PS0": true, "PS1": true, "PS2": true, "PS3": true, "PS4": true,
	"PROMPT": true, "PROMPT2": true, "PROMPT3": true, "PROMPT4": true, "RPROMPT": true, "RPS1": true,
}

// envValueProblem checks a session variable's value: plain text, and
// references $NAME or ${NAME} to other variables. It returns what is wrong,
// as a fix, or "".
//
// home-manager writes the value between double quotes, where bash, zsh
// and sh expand `$`, "`" and `\` and end at `"`, and babelfish
// translates what they expand for fish. Allowed, then, are every printable
// character except `"`, "`", `\` and `$`, and `$` only in a reference:
// ${NAME}, or $NAME followed by the end or an ASCII character that cannot
// continue it. That rules out zsh's $NAME[...] subscripts (arithmetic,
// which runs commands) and $NAME:h modifiers, zsh reading a letter such as
// é as part of the name, ${NAME@P}, ${NAME:=...}, ${(e)NAME} and
// $(...): every expansion that evaluates text again.
func envValueProblem(s string) string {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '`', '\\':
			return fmt.Sprintf("must not contain %q: home-manager writes it between double quotes in a shell script; use plain text and $NAME or ${NAME} references", string(c))
		case '$':
			n, ok := envRef(s[i+1:])
			if !ok {
				return "uses $ other than in a reference $NAME or ${NAME} to another variable (write ${NAME} where a letter, digit, '_', '[' or ':' follows); a literal $ cannot be written here, set such a value in home.nix"
			}
			i += n
		}
	}
	return ""
}

// envRef reads the reference after a `$`: "{NAME}" or "NAME" followed by
// the end or an ASCII character that is not a name character, '[' or ':'.
// It returns the length read.
func envRef(s string) (int, bool) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 0 || !envNameRe.MatchString(s[1:end]) {
			return 0, false
		}
		return end + 1, true
	}
	n := 0
	for n < len(s) && isNameByte(s[n]) {
		n++
	}
	if n == 0 || !envNameRe.MatchString(s[:n]) {
		return 0, false
	}
	if n < len(s) && (s[n] >= 0x80 || s[n] == '[' || s[n] == ':') {
		return 0, false
	}
	return n, true
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// editorWordByte are the characters of a word of homeBase.defaultEditor.
func editorWordByte(c byte) bool {
	return isNameByte(c) || strings.IndexByte(".+-=,:/@%", c) >= 0
}

// EditorProblem says why s cannot be homeBase.defaultEditor, as a fix,
// or "" when it can; doctor uses it to decide whether EDITOR can be
// proposed.
func EditorProblem(s string) string { return editorProblem(s) }

// editorProblem checks homeBase.defaultEditor: a command name (vim) or an
// absolute path (/usr/local/bin/hx), then plain arguments ("code --wait",
// "emacsclient -c -a="), separated by single spaces. Words hold letters,
// digits and . _ + - = , : / @ %: nothing a shell expands or splits
// differently, so the value is the same in EDITOR for every shell and for
// the programs that split EDITOR on spaces (git runs it through sh). A path
// with spaces cannot be written; link the program from a directory without
// spaces (or put it on PATH) and name that.
func editorProblem(s string) string {
	const allowed = "must be a command name or an absolute path, then plain arguments, separated by single spaces (\"nvim\", \"/usr/local/bin/hx\", \"code --wait\"); words may hold letters, digits and . _ + - = , : / @ %"
	if s == "" || strings.TrimSpace(s) != s {
		return allowed + ", without leading or trailing spaces"
	}
	words := strings.Split(s, " ")
	for _, w := range words {
		if w == "" {
			return allowed + " (two spaces in a row)"
		}
		for i := 0; i < len(w); i++ {
			if !editorWordByte(w[i]) {
				return allowed + fmt.Sprintf(" (%q is not one of them)", rune(w[i]))
			}
		}
	}
	cmd := words[0]
	switch {
	case strings.HasPrefix(cmd, "/"):
		if strings.Contains(cmd, "//") || strings.HasSuffix(cmd, "/") {
			return allowed + " (the path must name a program)"
		}
	case strings.HasPrefix(cmd, "-"), strings.Contains(cmd, "/"), strings.ContainsAny(cmd[:1], "=,:@%+."):
		return allowed + " (the first word must be the program)"
	}
	return ""
}

// fishBlockWords open or close a block in fish (and bash and zsh): in an
// alias, fish's `alias` pastes the value into a function body, where an
// unquoted `end` closes the function early and the rest runs at every
// fish start, and an opening word swallows the function's own end.
var fishBlockWords = map[string]bool{
	"begin": true, "end": true, "function": true, "if": true, "else": true, "while": true,
	"for": true, "switch": true, "case": true, "then": true, "elif": true, "fi": true,
	"esac": true, "do": true, "done": true, "until": true, "select": true, "repeat": true,
	"foreach": true, "coproc": true, "{": true, "}": true, "[[": true, "]]": true,
}

// aliasValueProblem checks an alias's command. An alias is shell code on
// purpose: it runs when it is used. What must not happen is that defining
// it at shell start runs anything or means something else in one shell.
// home-manager quotes the value with lib.escapeShellArg (POSIX single
// quotes, a quote written as '\”), which fish reads the same only without
// `\` (fish takes \' and \\ inside single quotes as escapes, so a value
// ending in \ never closes). fish's `alias` then pastes the value into
// `function NAME ...; VALUE $argv\nend`, so the value must be complete on
// its own there: quotes, parentheses and braces balanced, no unquoted block
// word (end, begin, if, ...), no comment (an unquoted word starting with #
// would hide $argv), no ${NAME} (fish has no such syntax), `$` only before
// a name or "(" and never inside double quotes before "(" , and not
// starting with "-" (fish's alias would read it as its own option).
func aliasValueProblem(s string) string {
	if strings.TrimSpace(s) == "" {
		return "is empty: an alias needs the command it stands for"
	}
	if strings.ContainsRune(s, '\\') {
		return "must not contain \\: fish reads \\ inside home-manager's single quotes differently from bash and zsh; quote with '...' or \"...\" instead"
	}
	if strings.HasPrefix(strings.TrimLeft(s, " "), "-") {
		return "must start with a command, not an option"
	}
	var (
		depth, braces int
		quote         byte // 0, '\'' or '"'
		word          strings.Builder
		quoted        bool // the current word has a quoted part
		// prev is what came last: the start (or ';' or '('), a word, an
		// operator (| || && &) or a redirection (< > >> &>).
		prev = "start"
	)
	endWord := func() string {
		w := word.String()
		word.Reset()
		q := quoted
		quoted = false
		if w != "" || q {
			prev = "word"
		}
		if !q && fishBlockWords[w] {
			return fmt.Sprintf("has the word %q, which fish reads as a block keyword inside the function its alias defines; quote it ('%s') if you mean the word", w, w)
		}
		if !q && strings.HasPrefix(w, "#") {
			return "has a comment (#...): fish's alias would hide the alias's arguments in it; quote the # if you mean it"
		}
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch quote {
		case '\'':
			if c == '\'' {
				quote = 0
			}
			continue
		case '"':
			switch {
			case c == '"':
				quote = 0
			case c == '$':
				if i+1 >= len(s) || !isNameByte(s[i+1]) || s[i+1] >= '0' && s[i+1] <= '9' {
					return "uses $ inside double quotes other than before a variable name; put command substitutions $(...) outside the quotes"
				}
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote, quoted = c, true
		case ' ', '\t', ';', '|', '&', '(', ')', '<', '>':
			if p := endWord(); p != "" {
				return p
			}
			next := byte(0)
			if i+1 < len(s) {
				next = s[i+1]
			}
			kind := ""
			switch {
			case c == ';':
				prev = "start"
			case c == '(':
				depth++
				prev = "start"
			case c == ')':
				if depth--; depth < 0 {
					return "has a ')' without its '(': fish could not define the alias"
				}
				prev = "word"
			case c == '&' && next == '>', c == '<' || c == '>':
				kind = "redirection"
				if c == '&' || next == '>' {
					i++
				}
				if i+1 < len(s) && s[i+1] == '&' {
					// >&2 and >&- are complete; anything else after >& is not.
					if i+2 < len(s) && (s[i+2] >= '0' && s[i+2] <= '9' || s[i+2] == '-') {
						i += 2
						kind = "complete"
					} else {
						return "has a redirection >& without the number it points to: fish could not define the alias"
					}
				}
			case c == '|' || c == '&':
				kind = "operator"
				if next == c {
					i++
				}
			}
			switch {
			case kind == "operator" && prev != "word":
				return fmt.Sprintf("has %q where a command belongs: fish could not define the alias", string(c))
			case (kind == "redirection" || kind == "complete") && prev == "redirection":
				return "has a redirection where its file belongs: fish could not define the alias"
			case kind == "complete":
				prev = "word"
			case kind != "":
				prev = kind
			}
		case '$':
			if i+1 >= len(s) || !(isNameByte(s[i+1]) && !(s[i+1] >= '0' && s[i+1] <= '9') || s[i+1] == '(') {
				if i+1 < len(s) && s[i+1] == '{' {
					return "uses ${NAME}, which fish does not have; write $NAME"
				}
				return "uses $ other than before a variable name or (: fish could not define the alias"
			}
			word.WriteByte(c)
		case '{', '}':
			if c == '{' {
				braces++
			} else if braces--; braces < 0 {
				return "has a '}' without its '{': fish could not define the alias"
			}
			word.WriteByte(c)
		default:
			word.WriteByte(c)
		}
	}
	if quote != 0 {
		return fmt.Sprintf("has a %c that is never closed: fish could not define the alias", quote)
	}
	if p := endWord(); p != "" {
		return p
	}
	if depth != 0 {
		return "has a '(' that is never closed: fish could not define the alias"
	}
	if braces != 0 {
		return "has a '{' that is never closed: fish could not define the alias"
	}
	return ""
}
