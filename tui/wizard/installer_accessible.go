package wizard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"charm.land/huh/v2"

	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/nixlog"
	"github.com/nixboard/nixboard/tui/doctorview"
	"github.com/nixboard/nixboard/tui/theme"
)

// installAccessible is the Nix-missing step as line prompts: it lists the
// ways to install Nix as a numbered choice, shows the exact command, runs
// it only after an explicit yes (sudo asking for the password first, when
// the person is not root), prints the installer's output line by line
// without escapes, and detects again. It returns the new report and true
// once Nix is installed; false when the person stops, or when nothing can
// run here, after saying what to do instead.
func installAccessible(ctx context.Context, in io.Reader, out io.Writer, r detect.Report, deps Deps) (detect.Report, bool, error) {
	adv := adviseInstall(r)
	fmt.Fprintln(out, "Nix is not installed. "+adv.Intro)
	canRun := deps.Installer != nil || deps.DemoInstall != nil
	if _, ok := adv.Recommended(); !ok || !canRun {
		for _, opt := range adv.Options {
			fmt.Fprintf(out, "- %s: %s\n  %s\n", opt.Name, opt.Why, opt.Command)
		}
		fmt.Fprintln(out, "Install Nix with one of these commands, then run nixboard again.")
		return r, false, nil
	}
	eof := &eofReader{r: in}
	ask := func(f *huh.Form) error {
		return f.WithAccessible(true).WithInput(eof).WithOutput(out).Run()
	}
	for {
		opt, ok, err := chooseInstaller(ask, adv)
		if err != nil || !ok {
			return r, false, err
		}
		if eof.ended {
			fmt.Fprintln(out, "No answer: nothing was run.")
			return r, false, nil
		}
		if !opt.Runnable {
			fmt.Fprintln(out, "nixboard cannot run this for you: "+opt.Why+".")
			fmt.Fprintln(out, "Do this yourself, then run nixboard again:\n  "+strings.ReplaceAll(opt.Command, "\n", "\n  "))
			return r, false, nil
		}
		sudoFirst := deps.Installer != nil && deps.Sudo != nil && needsSudo(r, opt)
		yes, err := confirmInstaller(ask, out, opt, sudoFirst, deps.Installer == nil)
		if err != nil {
			return r, false, err
		}
		if !yes {
			fmt.Fprintln(out, "Nothing was run.")
			if eof.ended {
				return r, false, nil
			}
			continue
		}
		if sudoFirst {
			ok, err := sudoAccessible(ctx, ask, out, deps.Sudo, deps.HoldInterrupt, r.User.Name)
			if err != nil {
				return r, false, err
			}
			if !ok {
				if eof.ended {
					return r, false, nil
				}
				continue
			}
		}
		fmt.Fprintln(out, "$ "+opt.Command)
		line := func(l string) { fmt.Fprintln(out, nixlog.StripANSI(l)) }
		if deps.Installer != nil {
			var sudo SudoFunc
			if sudoFirst {
				sudo = deps.Sudo
			}
			stop := keepSudoFresh(ctx, sudo, sudoRefreshEvery)
			err = runInstaller(ctx, deps.Installer(opt), line)
			stop()
		} else {
			fmt.Fprintln(out, "(demo: a canned transcript, nothing is installed)")
			err = deps.DemoInstall(ctx, opt, line)
		}
		if err != nil {
			fmt.Fprintln(out, "✗ The installer failed: "+nixlog.StripANSI(err.Error()))
		} else {
			fmt.Fprintln(out, "✓ The installer finished.")
		}
		fmt.Fprintln(out, "nixboard: looking at this machine again…")
		r = deps.Detect(ctx)
		fmt.Fprintln(out, doctorview.Render(r, 80, theme.New(true, true)))
		if r.Nix.Installed {
			return r, true, nil
		}
		adv = adviseInstall(r)
		fmt.Fprintln(out, "Nix is still not found. Open a new terminal and run nixboard again, or choose again.")
		if eof.ended {
			return r, false, nil
		}
	}
}

// chooseInstaller asks which way to install Nix; false when the person
// chose not to install now.
func chooseInstaller(ask func(*huh.Form) error, adv installAdvice) (InstallOption, bool, error) {
	const none = -1
	choice := 0
	var opts []huh.Option[int]
	for i, o := range adv.Options {
		label := o.Name + ": " + o.Why
		if !o.Runnable {
			label += " (you run it yourself)"
		}
		opts = append(opts, huh.NewOption(label, i))
	}
	opts = append(opts, huh.NewOption("not now: install Nix yourself later and run nixboard again", none))
	sel := huh.NewSelect[int]().Title("How should Nix be installed?").Options(opts...).Value(&choice)
	if err := ask(huh.NewForm(huh.NewGroup(sel))); err != nil {
		return InstallOption{}, false, err
	}
	if choice == none {
		return InstallOption{}, false, nil
	}
	return adv.Options[choice], true, nil
}

// confirmInstaller shows the exact command and asks before it runs; the
// answer is no unless the person says yes.
func confirmInstaller(ask func(*huh.Form) error, out io.Writer, opt InstallOption, sudoFirst, demo bool) (bool, error) {
	desc := "It downloads the installer and runs it."
	switch {
	case demo:
		desc = "This is the demo: nothing runs, nixboard plays a canned transcript of it."
	case sudoFirst:
		desc = "First sudo asks for your password on this terminal (nixboard never sees it); then the installer downloads and runs, and its output is printed here."
	}
	fmt.Fprintln(out, "The command:\n  "+opt.Command+"\n"+desc)
	yes := false
	c := huh.NewConfirm().Title("Run this command now?").Value(&yes)
	if err := ask(huh.NewForm(huh.NewGroup(c))); err != nil {
		return false, err
	}
	return yes, nil
}

// sudoAccessible has sudo ask for the password, as many times as the
// person wants to try; false when the person gave up, after saying why
// sudo did not confirm.
func sudoAccessible(ctx context.Context, ask func(*huh.Form) error, out io.Writer, sudo SudoFunc, hold func() func(), user string) (bool, error) {
	for {
		spec, err := sudo("-v")
		if err == nil {
			// sudo reads the password from the terminal itself; its
			// stdin stays /dev/null so it cannot take the answers to
			// nixboard's prompts.
			h := &terminalHandOver{ctx: ctx, intro: sudoIntro, spec: spec, hold: hold}
			h.SetStdout(out)
			h.SetStderr(out)
			err = h.Run()
		}
		if err == nil {
			fmt.Fprintln(out, "sudo accepted your password.")
			return true, nil
		}
		fmt.Fprintln(out, "✗ "+sudoProblem(err, user))
		again := false
		c := huh.NewConfirm().Title("Try sudo again?").Value(&again)
		if err := ask(huh.NewForm(huh.NewGroup(c))); err != nil {
			return false, err
		}
		if !again {
			return false, nil
		}
	}
}

// eofReader remembers that its input ended: huh's line prompts take their
// default on an empty line and at the end of the input alike, so the
// install step stops asking instead of offering the choice forever.
type eofReader struct {
	r     io.Reader
	ended bool
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if errors.Is(err, io.EOF) {
		e.ended = true
	}
	return n, err
}
