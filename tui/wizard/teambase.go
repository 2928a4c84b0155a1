package wizard

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/textwrap"
	"github.com/nixboard/nixboard/internal/wizardlogic"
	"github.com/nixboard/nixboard/tui/theme"
)

// EvaluateFunc evaluates a base layer's homeBase declarations for a
// machine (baseopts.Evaluate, with the command's nix arguments).
type EvaluateFunc func(ctx context.Context, r baseopts.Request) (baseopts.Declarations, error)

// HintsFunc reads a team flake's optional nixboard output; an absent one is
// no hints and no error.
type HintsFunc func(ctx context.Context, flake string) (wizardlogic.Hints, error)

// baseEval is the evaluation of the answers' team base: started as soon
// as the base is known, in the background, once per base.
type baseEval struct {
	key     string // baseKey of the base evaluated
	running bool
	started time.Time
	took    time.Duration
	src     *teamSource
	err     error
}

// baseEvaluatedMsg carries the result of a base layer's evaluation.
type baseEvaluatedMsg struct {
	key   string
	decl  baseopts.Declarations
	hints wizardlogic.Hints
	err   error
}

// evaluateBase starts evaluating the answers' team base unless it is the
// one evaluated (or being evaluated) already. Nothing for the built-in
// layer.
func (m *Model) evaluateBase(a flakegen.Answers) tea.Cmd {
	k := baseKey(a.Base)
	if k == "" || k == m.baseEval.key {
		return nil
	}
	m.baseEval = baseEval{key: k, running: true, started: m.opts.Deps.Now()}
	eval, hintsOf, ctx := m.opts.Deps.Evaluate, m.opts.Deps.BaseHints, m.ctx
	req := baseopts.Request{Base: a.Base.Flake, Module: a.Base.Module, Platform: a.Platform, System: a.System, Release: a.Release}
	return tea.Batch(m.spinner.Tick, func() tea.Msg {
		return evaluate(ctx, k, req, eval, hintsOf)
	})
}

// evaluate runs one evaluation: the declarations, then the hints.
func evaluate(ctx context.Context, k string, req baseopts.Request, eval EvaluateFunc, hintsOf HintsFunc) baseEvaluatedMsg {
	if eval == nil {
		return baseEvaluatedMsg{key: k, err: errors.New("this nixboard cannot evaluate a base layer (no nix evaluation here)")}
	}
	d, err := eval(ctx, req)
	if err == nil && len(d.Options) == 0 {
		err = fmt.Errorf("the base layer %s declares no homeBase options: nixboard expects the module %s to declare options under homeBase", req.Base, req.Module)
	}
	if err != nil {
		return baseEvaluatedMsg{key: k, err: err}
	}
	var h wizardlogic.Hints
	if hintsOf != nil {
		if h, err = hintsOf(ctx, req.Base); err != nil {
			return baseEvaluatedMsg{key: k, err: fmt.Errorf("the nixboard output of %s: %w", req.Base, err)}
		}
	}
	return baseEvaluatedMsg{key: k, decl: d, hints: h}
}

// evaluated stores an evaluation's result, when it is for the base being
// evaluated.
func (m *Model) evaluated(msg baseEvaluatedMsg) {
	if msg.key != m.baseEval.key || !m.baseEval.running {
		return
	}
	m.baseEval.running = false
	m.baseEval.took = m.opts.Deps.Now().Sub(m.baseEval.started)
	if msg.err != nil {
		m.baseEval.err = msg.err
		return
	}
	m.baseEval.src = &teamSource{key: msg.key, decl: msg.decl, hints: msg.hints}
	pinRelease(&m.answers, msg.hints)
}

// pinRelease takes the release the team pins (its nixboard output) where
// this machine's system has it.
func pinRelease(a *flakegen.Answers, h wizardlogic.Hints) bool {
	r, ok := flakegen.ReleaseByName(h.Release)
	if !ok || !r.Supports(a.System) || a.Release == r.Name {
		return false
	}
	a.Release = r.Name
	if a.HomeBase.StateVersion > r.StateVersion {
		a.HomeBase.StateVersion = r.StateVersion
	}
	return true
}

// teamSourceFor is the evaluated team base of a, when its evaluation is
// done.
func (m *Model) teamSourceFor(a flakegen.Answers) *teamSource {
	if src := m.baseEval.src; src != nil && src.key == baseKey(a.Base) {
		return src
	}
	return nil
}

// baseStatus is the line the questions show about the evaluation of a
// team base: running, with a spinner and the time it takes; done; or
// failed, naming the flake. Empty for the built-in layer.
func (m *Model) baseStatus(a flakegen.Answers, st theme.Styles) string {
	if a.Base == nil || m.baseEval.key != baseKey(a.Base) {
		return ""
	}
	e := m.baseEval
	switch {
	case e.running:
		elapsed := m.opts.Deps.Now().Sub(e.started).Truncate(time.Second)
		return st.Accent.Render(m.spinner.View()) + fmt.Sprintf(" Evaluating the base layer %s (%s): its questions follow the shell page", a.Base.Flake, elapsed)
	case e.err != nil:
		return st.Fail.Render("✗ The base layer "+a.Base.Flake+" could not be evaluated") + ": " + e.err.Error()
	case e.src != nil:
		asked := 0
		e.src.decl.Each(func(o baseopts.Option) {
			if o.Asked() && o.Kind != baseopts.Group {
				asked++
			}
		})
		return st.OK.Render("✓") + fmt.Sprintf(" Base layer %s: %s (%s)", a.Base.Flake, textwrap.Count(asked, "option", "options"), e.took.Truncate(time.Millisecond))
	}
	return ""
}
