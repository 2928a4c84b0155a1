package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/internal/wizardlogic"
)

// errStopped ends an accessible run when the person stopped it: ctrl+c
// (the signal ends the context) or the end of the input (ctrl+d).
var errStopped = errors.New("stopped")

// lineReader hands out the input one line at a time, and ends when the
// context ends even while a read waits for the person: a blocked read of
// a terminal does not return on a signal, so one goroutine reads, and each
// wait selects on the context too.
//
// It hands out at most one line per Read: huh's line prompts (the
// installer's) wrap the input in a new bufio.Scanner for every question;
// without this the first scanner would swallow the answers to the later
// questions when they arrive through a pipe. Once the input or the context
// ended, Read returns io.EOF, which huh's prompts take as "no answer".
type lineReader struct {
	ctx  context.Context
	src  *bufio.Reader
	reqs chan struct{}
	res  chan lineResult
	loop sync.Once
	shut sync.Once
	// rest is what a Read left of the last line.
	rest []byte
	// ended is set once the input or the context ended.
	ended bool
}

type lineResult struct {
	line []byte
	err  error
}

func newLineReader(ctx context.Context, in io.Reader) *lineReader {
	return &lineReader{ctx: ctx, src: bufio.NewReader(in), reqs: make(chan struct{}), res: make(chan lineResult, 1)}
}

// read is the reading goroutine: one line for each request.
func (l *lineReader) read() {
	for range l.reqs {
		line, err := l.src.ReadBytes('\n')
		l.res <- lineResult{line, err}
	}
}

// next waits for the next line; io.EOF once the input or the context
// ended. A last line without a new line comes with nil.
func (l *lineReader) next() ([]byte, error) {
	if l.ended || l.ctx.Err() != nil {
		l.ended = true
		return nil, io.EOF
	}
	l.loop.Do(func() { go l.read() })
	select {
	case l.reqs <- struct{}{}:
	case <-l.ctx.Done():
		l.ended = true
		return nil, io.EOF
	}
	select {
	case r := <-l.res:
		if r.err != nil {
			l.ended = true
			if len(r.line) == 0 {
				return nil, io.EOF
			}
		}
		return r.line, nil
	case <-l.ctx.Done():
		l.ended = true
		return nil, io.EOF
	}
}

func (l *lineReader) Read(p []byte) (int, error) {
	if len(l.rest) == 0 {
		line, err := l.next()
		if err != nil {
			return 0, err
		}
		l.rest = line
	}
	n := copy(p, l.rest)
	l.rest = l.rest[n:]
	return n, nil
}

// readLine is the next line without its line end; errStopped once the
// input or the context ended.
func (l *lineReader) readLine() (string, error) {
	line := l.rest
	l.rest = nil
	if len(line) == 0 {
		var err error
		if line, err = l.next(); err != nil {
			return "", errStopped
		}
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

// stopped says the input or the context ended: the person stopped the run.
func (l *lineReader) stopped() bool { return l.ended }

// close ends the reading goroutine once its read returns.
func (l *lineReader) close() { l.shut.Do(func() { close(l.reqs) }) }

// stoppedText says what a stopped run leaves behind.
func (r *plainRun) stoppedText() string {
	switch {
	case !r.written:
		return "stopped: nothing was written."
	case r.opts.Demo:
		return "stopped: the demo's files were written only to its temporary directory, which is removed now."
	}
	again := "nixboard switch --dir " + wizardlogic.ShellPath(r.dir, r.report.User.Home)
	if r.switching {
		return "stopped during the switch: the configuration is written to " + r.dir + "; switch to it with: " + again
	}
	return "stopped: the configuration was written to " + r.dir + " but not switched to; switch to it with: " + again
}

// readAnswer prints a prompt and reads the answer, trimmed.
func (r *plainRun) readAnswer(prompt string) (string, error) {
	fmt.Fprint(r.out, prompt)
	line, err := r.lines.readLine()
	if err != nil {
		fmt.Fprintln(r.out)
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// shown is a value as a prompt names it.
func shown(v string) string {
	if v == "" {
		return "empty"
	}
	return v
}

// askText asks a free-text question: its title and description, its value
// now, which is the default an empty line keeps; "-" empties it. check
// judges the answer, and a refused one is asked again with the reason.
func (r *plainRun) askText(title, desc, current string, check func(string) error) (string, error) {
	fmt.Fprintf(r.out, "\n%s: %s\n  Now: %s. Enter keeps it; - empties it.\n", title, desc, shown(current))
	for {
		v, err := r.readAnswer(fmt.Sprintf("%s [default: %s]: ", title, shown(current)))
		if err != nil {
			return "", err
		}
		switch v {
		case "":
			v = current
		case "-":
			v = ""
		}
		if err := check(v); err != nil {
			fmt.Fprintln(r.out, "✗ "+err.Error())
			continue
		}
		return v, nil
	}
}

// askChoice asks for one of opts, numbered, the current one marked as the
// default an empty line keeps; a number or the choice's name answers.
func (r *plainRun) askChoice(title, desc string, opts []huh.Option[string], current string) (string, error) {
	fmt.Fprintf(r.out, "\n%s: %s\n", title, desc)
	def := 0
	for i, o := range opts {
		if o.Value == current {
			def = i
		}
	}
	for i, o := range opts {
		mark := ""
		if i == def {
			mark = " [default]"
		}
		fmt.Fprintf(r.out, "  %d. %s%s\n", i+1, o.Key, mark)
	}
	for {
		v, err := r.readAnswer(fmt.Sprintf("%s, 1 to %d [default: %s]: ", title, len(opts), opts[def].Key))
		if err != nil {
			return "", err
		}
		if v == "" {
			return opts[def].Value, nil
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(opts) {
			return opts[n-1].Value, nil
		}
		for _, o := range opts {
			if strings.EqualFold(v, o.Value) || strings.EqualFold(v, o.Key) {
				return o.Value, nil
			}
		}
		fmt.Fprintf(r.out, "✗ %q is not one of the choices: type a number from 1 to %d\n", v, len(opts))
	}
}

// askModules lists the modules offered here with whether each is on; a
// number switches one, an empty line (or 0) keeps the list as it stands.
func (r *plainRun) askModules(v *questionValues) error {
	fmt.Fprintf(r.out, "\n%s: each is on or off; type a module's number to switch it, enter keeps the list as it is.\n", v.title(keyModules))
	if notes := wizardlogic.ExcludedNotes(v.choices); len(notes) > 0 {
		fmt.Fprintln(r.out, "  Not offered on this machine:")
		for _, n := range notes {
			fmt.Fprintln(r.out, "  - "+n)
		}
	}
	var offered []wizardlogic.ModuleChoice
	on := map[string]bool{}
	for _, k := range v.On {
		on[k] = true
	}
	for _, c := range v.choices {
		if c.Offered {
			offered = append(offered, c)
		}
	}
	state := func(i int) string {
		if on[offered[i].Flag.Key] {
			return "on"
		}
		return "off"
	}
	for i, c := range offered {
		fmt.Fprintf(r.out, "  %d. %s (%s): %s\n", i+1, c.Flag.Title, state(i), c.Flag.Description)
	}
	for {
		a, err := r.readAnswer(fmt.Sprintf("Module to switch, 1 to %d [default: done, as listed]: ", len(offered)))
		if err != nil {
			return err
		}
		if a == "" || a == "0" {
			break
		}
		n, err := strconv.Atoi(a)
		if err != nil || n < 1 || n > len(offered) {
			fmt.Fprintf(r.out, "✗ %q is not a module's number: type a number from 1 to %d, or enter when done\n", a, len(offered))
			continue
		}
		k := offered[n-1].Flag.Key
		on[k] = !on[k]
		fmt.Fprintf(r.out, "  %d. %s is now %s.\n", n, offered[n-1].Flag.Title, state(n-1))
	}
	v.On = v.On[:0]
	for _, c := range offered {
		if on[c.Flag.Key] {
			v.On = append(v.On, c.Flag.Key)
		}
	}
	return nil
}

// askAssignments edits a NAME=VALUE list (aliases, variables) one entry a
// line: the current entries are listed, numbered; NAME=VALUE adds an entry
// or changes the one of that name, -NAME removes one, and an empty line
// ends, keeping the list as it stands. Every change is judged by check on
// the whole list, whose line numbers are the entries' numbers, so an error
// names the entry; a refused change is not taken.
func (r *plainRun) askAssignments(title, desc, current string, check func(string) error) (string, error) {
	var entries []string
	if current != "" {
		entries = strings.Split(current, "\n")
	}
	fmt.Fprintf(r.out, "\n%s: %s\n", title, desc)
	if len(entries) == 0 {
		fmt.Fprintln(r.out, "  Now: none.")
	} else {
		fmt.Fprintln(r.out, "  Now:")
		for i, e := range entries {
			fmt.Fprintf(r.out, "  %d. %s\n", i+1, e)
		}
	}
	fmt.Fprintln(r.out, "  One entry a line: NAME=VALUE adds one or changes it, -NAME removes one; an empty line ends.")
	for {
		a, err := r.readAnswer(fmt.Sprintf("%s, entry %d [default: done, as listed]: ", title, len(entries)+1))
		if err != nil {
			return "", err
		}
		if a == "" {
			text := strings.Join(entries, "\n")
			if err := check(text); err != nil {
				fmt.Fprintln(r.out, "✗ "+err.Error()+": change or remove that entry")
				continue
			}
			return text, nil
		}
		next, msg, ok := editAssignments(entries, a)
		if !ok {
			fmt.Fprintln(r.out, "✗ "+msg)
			continue
		}
		if err := check(strings.Join(next, "\n")); err != nil {
			fmt.Fprintln(r.out, "✗ "+err.Error()+" (not taken)")
			continue
		}
		entries = next
		fmt.Fprintln(r.out, "  "+msg)
	}
}

// editAssignments applies one typed line to the entries: NAME=VALUE
// changes the entry of that name in its place or adds it at the end,
// -NAME removes it. It returns the new entries and what happened, or
// false and why nothing did.
func editAssignments(entries []string, typed string) ([]string, string, bool) {
	name := func(e string) string { k, _, _ := strings.Cut(e, "="); return strings.TrimSpace(k) }
	if rm, ok := strings.CutPrefix(typed, "-"); ok && !strings.Contains(typed, "=") {
		rm = strings.TrimSpace(rm)
		for i, e := range entries {
			if name(e) == rm {
				return append(entries[:i:i], entries[i+1:]...), "removed " + rm + ".", true
			}
		}
		return entries, "there is no entry " + strconv.Quote(rm) + " to remove", false
	}
	next := append([]string(nil), entries...)
	if strings.Contains(typed, "=") {
		for i, e := range next {
			if name(e) == name(typed) {
				next[i] = typed
				return next, fmt.Sprintf("entry %d is now %s.", i+1, typed), true
			}
		}
	}
	// A line without "=" is added too: the check names it.
	return append(next, typed), fmt.Sprintf("entry %d is %s.", len(next)+1, typed), true
}

// askQuestions asks every question of the questions form as line prompts,
// page by page, with the form's titles, descriptions and validators.
func (r *plainRun) askQuestions() error {
	home := r.report.User.Home
	build := func() *questionValues {
		v := newQuestionValues(r.answers, r.dir, home, r.opts.DirRoot)
		v.login = r.report.User.Name
		v.setTeam(r.teamSrc)
		return v
	}
	v := build()
	fmt.Fprintln(r.out, "\nQuestions: an empty answer keeps the default shown in brackets.")
	for p := 0; p < len(v.pages()); p++ {
		pages := v.pages()
		fmt.Fprintf(r.out, "\nPage %d of %d: %s\n", p+1, len(pages), pages[p].title)
		if p == teamPagesBefore && v.team != nil && v.team.src.hints.Welcome != "" {
			fmt.Fprintln(r.out, v.team.src.hints.Welcome)
		}
		for _, k := range pages[p].keys {
			if err := r.ask(v, k); err != nil {
				return err
			}
		}
		v.apply(&r.answers, &r.dir)
		if baseKey(r.answers.Base) != baseKey(v.base.Base) {
			// The base layer answer changes the pages that follow.
			v = build()
		}
		if p == teamPagesBefore-1 && r.answers.Base != nil && v.team == nil {
			if !r.evaluateTeam() {
				useBuiltin := true
				if err := r.confirm("Go on with nixboard's built-in base layer (no: change the base layer)", &useBuiltin); err != nil {
					return err
				}
				if useBuiltin {
					r.answers.Base = nil
				} else {
					p = fieldPage[keyBase] - 1
				}
			}
			v = build()
		}
	}
	v.apply(&r.answers, &r.dir)
	return nil
}

// ask asks one question of the questions form as a line prompt.
func (r *plainRun) ask(v *questionValues, k string) error {
	var err error
	switch k {
	case keyRelease, keyShell, keyEditor:
		val := v.field(k)
		*val, err = r.askChoice(v.title(k), v.description(k), v.options(k), *val)
	case keyModules:
		err = r.askModules(v)
	case keyTeamModules:
		err = r.askTeamToggles(v)
	case keyAliases, keyEnv:
		val := v.field(k)
		*val, err = r.askAssignments(v.title(k), v.description(k), *val, v.checks[k])
	default:
		if q, ok := v.teamQuestion(k); ok {
			val := v.team.text[k]
			switch q.Option.Kind {
			case baseopts.Enum:
				*val, err = r.askChoice(v.title(k), v.description(k), v.teamChoices(q), *val)
			case baseopts.Assignments:
				*val, err = r.askAssignments(v.title(k), v.description(k), *val, v.checks[k])
			default:
				*val, err = r.askText(v.title(k), v.description(k), *val, v.checks[k])
			}
			return err
		}
		val := v.field(k)
		*val, err = r.askText(v.title(k), v.description(k), *val, v.checks[k])
		if w := wizardlogic.UsernameWarning(v.Username, v.login); k == keyUsername && err == nil && w != "" {
			fmt.Fprintln(r.out, "note: "+w)
		}
	}
	return err
}

// evaluateTeam evaluates the answers' team base while the person waits,
// saying how long it took or why it failed; false when it failed.
func (r *plainRun) evaluateTeam() bool {
	b := r.answers.Base
	fmt.Fprintf(r.out, "\nEvaluating the base layer %s (%s) for its questions...\n", b.Flake, b.Module)
	now := r.opts.Deps.Now
	if now == nil {
		now = time.Now
	}
	started := now()
	req := baseopts.Request{Base: b.Flake, Module: b.Module, Platform: r.answers.Platform, System: r.answers.System, Release: r.answers.Release}
	msg := evaluate(r.ctx, baseKey(b), req, r.opts.Deps.Evaluate, r.opts.Deps.BaseHints)
	if msg.err != nil {
		fmt.Fprintf(r.out, "✗ The base layer %s could not be evaluated: %s\n", b.Flake, msg.err)
		fmt.Fprintf(r.out, "  nixboard expects %s to be a flake whose output %s is a home-manager module declaring homeBase options.\n", b.Flake, b.Module)
		return false
	}
	r.teamSrc = &teamSource{key: msg.key, decl: msg.decl, hints: msg.hints}
	fmt.Fprintf(r.out, "✓ Evaluated in %s.\n", now().Sub(started).Truncate(time.Millisecond))
	if pinRelease(&r.answers, msg.hints) {
		fmt.Fprintf(r.out, "  Release %s, the one the team pins.\n", r.answers.Release)
	}
	return true
}

// askTeamToggles lists the team's on/off options with whether each is on,
// with their descriptions; a number switches one, an empty line keeps the
// list as it stands.
func (r *plainRun) askTeamToggles(v *questionValues) error {
	t := v.team
	fmt.Fprintf(r.out, "\n%s: each is on or off; type an option's number to switch it, enter keeps the list as it is.\n", v.title(keyTeamModules))
	on := map[string]bool{}
	for _, p := range t.On {
		on[p] = true
	}
	state := func(path string) string {
		if on[path] {
			return "on"
		}
		return "off"
	}
	for i, q := range t.layout.Toggles {
		fmt.Fprintf(r.out, "  %d. %s (%s): %s\n", i+1, toggleLabel(q), state(q.Path), q.Option.Description)
	}
	n := len(t.layout.Toggles)
	for {
		a, err := r.readAnswer(fmt.Sprintf("Option to switch, 1 to %d [default: done, as listed]: ", n))
		if err != nil {
			return err
		}
		if a == "" || a == "0" {
			break
		}
		i, err := strconv.Atoi(a)
		if err != nil || i < 1 || i > n {
			fmt.Fprintf(r.out, "✗ %q is not an option's number: type a number from 1 to %d, or enter when done\n", a, n)
			continue
		}
		q := t.layout.Toggles[i-1]
		on[q.Path] = !on[q.Path]
		fmt.Fprintf(r.out, "  %d. %s is now %s.\n", i, toggleLabel(q), state(q.Path))
	}
	t.On = t.On[:0]
	for _, q := range t.layout.Toggles {
		if on[q.Path] {
			t.On = append(t.On, q.Path)
		}
	}
	return nil
}

// field is the value a question binds.
func (v *questionValues) field(key string) *string {
	switch key {
	case keyUsername:
		return &v.Username
	case keyGitName:
		return &v.GitName
	case keyGitEmail:
		return &v.GitEmail
	case keyDir:
		return &v.Dir
	case keyRelease:
		return &v.Release
	case keyShell:
		return &v.Shell
	case keyEditor:
		return &v.Editor
	case keyAliases:
		return &v.Aliases
	case keyEnv:
		return &v.Env
	case keyPackages:
		return &v.Packages
	case keyBase:
		return &v.BaseRef
	}
	panic("wizard: no text field " + key)
}

// confirm asks a yes/no question as a line prompt; an empty answer keeps
// what v is, which the prompt names as the default.
func (r *plainRun) confirm(title string, v *bool) error {
	def := "no"
	if *v {
		def = "yes"
	}
	for {
		a, err := r.readAnswer(fmt.Sprintf("%s [y/n, default: %s]: ", title, def))
		if err != nil {
			return err
		}
		switch strings.ToLower(a) {
		case "":
			return nil
		case "y", "yes":
			*v = true
			return nil
		case "n", "no":
			*v = false
			return nil
		}
		fmt.Fprintf(r.out, "✗ %q: answer y or n\n", a)
	}
}
