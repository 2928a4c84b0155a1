package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nixboard/nixboard/baseopts"
	"github.com/nixboard/nixboard/detect"
	"github.com/nixboard/nixboard/flakegen"
	"github.com/nixboard/nixboard/internal/safetext"
)

const optionsSynopsis = "nixboard options [--base FLAKEREF] [--module ATTR] [--platform P] [--system S] [--release R] [--json] [-- NIX ARGS]"

type optionsOptions struct {
	base, module, platform, system, release string
	json                                    bool
	nixArgs                                 []string
}

func optionsCommand(st *stdio) *cobra.Command {
	var o optionsOptions
	c := &cobra.Command{
		Use: "options",
		Long: "Prints the questions nixboard asks for a base layer: the homeBase options its module declares, " +
			"evaluated with nix for a platform and system (detected when not given), with their kinds, defaults " +
			"and descriptions. Without --base, the built-in layer's. Arguments after -- go to every nix call " +
			"(e.g. --override-input nixpkgs PATH) and mean the base flake's inputs.",
		ValidArgsFunction: noFiles,
		RunE: func(c *cobra.Command, args []string) error {
			dash := c.ArgsLenAtDash()
			if dash < 0 && len(args) > 0 || dash > 0 {
				return usagef("options takes no arguments before --, got %q (usage: %s)", args[0], optionsSynopsis)
			}
			if dash == 0 {
				o.nixArgs = args
			}
			return runOptions(c.Context(), st, o)
		},
	}
	fs := c.Flags()
	fs.StringVar(&o.base, "base", "", "the base flake (github:team/nixcfg, path:/src/nixcfg); without it, the built-in layer")
	fs.StringVar(&o.module, "module", baseopts.DefaultModule, "the attribute path of the home-manager module in the base flake")
	fs.StringVar(&o.platform, "platform", "", fmt.Sprintf("the platform to evaluate the defaults for: %v (default: this machine's)", flakegen.KnownPlatforms))
	fs.StringVar(&o.system, "system", "", fmt.Sprintf("the Nix system: %v (default: this machine's)", flakegen.KnownSystems))
	fs.StringVar(&o.release, "release", flakegen.DefaultRelease, "the nixpkgs/home-manager pair to evaluate with when the base flake pins none")
	fs.BoolVar(&o.json, "json", false, "print the declarations as one JSON object")
	_ = c.RegisterFlagCompletionFunc("platform", completeWords(flakegen.KnownPlatforms...))
	_ = c.RegisterFlagCompletionFunc("system", completeWords(flakegen.KnownSystems...))
	var releases []string
	for _, r := range flakegen.Releases {
		releases = append(releases, r.Name)
	}
	_ = c.RegisterFlagCompletionFunc("release", completeWords(releases...))
	return c
}

// runOptions evaluates the base layer (or takes the built-in one) and
// prints its questions. A base layer nixboard cannot read exits 1 with the
// message that names it; bad flags exit 2.
func runOptions(ctx context.Context, st *stdio, o optionsOptions) error {
	if o.platform != "" && !slices.Contains(flakegen.KnownPlatforms, o.platform) {
		return usagef("--platform %q: use one of %s", o.platform, strings.Join(flakegen.KnownPlatforms, ", "))
	}
	if o.system != "" && !slices.Contains(flakegen.KnownSystems, o.system) {
		return usagef("--system %q: use one of %s", o.system, strings.Join(flakegen.KnownSystems, ", "))
	}
	if _, ok := flakegen.ReleaseByName(o.release); !ok {
		return usagef("--release %q: use one of %s", o.release, strings.Join(releaseNames(), ", "))
	}
	if o.base == "" && len(o.nixArgs) > 0 {
		return usagef("nix arguments after -- need --base: the built-in layer is not evaluated")
	}
	if o.platform == "" || o.system == "" {
		m, err := detect.FromEnv(st.getenv, st.environ...)
		if err != nil {
			return fmt.Errorf("options: cannot examine this machine for its platform (give --platform and --system): %w", err)
		}
		p := detect.Run(ctx, m, detect.Options{}).Platform
		if err := ctx.Err(); err != nil {
			return err
		}
		if o.platform == "" {
			o.platform = p.Kind
		}
		if o.system == "" {
			o.system = p.System
		}
	}

	var d baseopts.Declarations
	if o.base == "" {
		d = baseopts.Builtin(o.platform, o.system)
	} else {
		env := personEnv(st)
		if v := st.getenv("XDG_CACHE_HOME"); v != "" {
			env = append(env, "XDG_CACHE_HOME="+v)
		}
		var err error
		d, err = baseopts.Evaluate(ctx, baseopts.Request{
			Base: o.base, Module: o.module, Platform: o.platform, System: o.system,
			Release: o.release, NixArgs: o.nixArgs, Env: env,
		})
		if err != nil {
			// A *baseopts.BaseError names the flake and what was expected;
			// it exits 1 like any failure.
			return fmt.Errorf("options: %w", err)
		}
	}
	if o.json {
		enc := json.NewEncoder(st.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return fmt.Errorf("options: write: %w", err)
		}
		return nil
	}
	printDeclarations(st.out, d)
	return nil
}

func releaseNames() []string {
	var names []string
	for _, r := range flakegen.Releases {
		names = append(names, r.Name)
	}
	return names
}

// printDeclarations prints the questions as the wizard asks them: the
// toggles first, then the values to type or choose, each group under its
// name, and last what is not asked and why.
func printDeclarations(w io.Writer, d baseopts.Declarations) {
	where := d.Base
	if d.Module != "" {
		where += " " + d.Module
	}
	if d.Revision != "" {
		where += " (" + d.Revision + ")"
	}
	fmt.Fprintf(w, "Questions from %s for %s %s\n", safetext.Text(where), d.Platform, d.System)
	var toggles, values, notAsked []baseopts.Option
	var walk func(opts []baseopts.Option)
	walk = func(opts []baseopts.Option) {
		for _, o := range opts {
			switch o.Kind {
			case baseopts.Group:
				walk(o.Options)
			case baseopts.Bool:
				toggles = append(toggles, o)
			case baseopts.NotAsked:
				notAsked = append(notAsked, o)
			default:
				values = append(values, o)
			}
		}
	}
	walk(d.Options)
	section := func(title string, opts []baseopts.Option, line func(baseopts.Option) string) {
		if len(opts) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		group := ""
		for _, o := range opts {
			if g := groupOf(o); g != group {
				group = g
				if g != "" {
					fmt.Fprintf(w, "  %s:\n", safetext.Text(g))
				}
			}
			indent := "  "
			if group != "" {
				indent = "    "
			}
			fmt.Fprintf(w, "%s%s\n", indent, safetext.Text(line(o)))
		}
	}
	section("Modules (on/off):", toggles, func(o baseopts.Option) string {
		return fmt.Sprintf("[%s] %s  %s", mark(o.Default), shortName(o), o.Description)
	})
	section("Settings:", values, func(o baseopts.Option) string {
		s := fmt.Sprintf("%s (%s%s) = %s", shortName(o), o.Kind, detail(o), defaultText(o.Default))
		if o.Description != "" {
			s += "  " + o.Description
		}
		return s
	})
	section("Not asked (they keep the module's default):", notAsked, func(o baseopts.Option) string {
		return fmt.Sprintf("%s: %s, %s", shortName(o), o.Type, o.Why)
	})
}

// groupOf is the dotted group an option belongs to below homeBase, "" for
// one at the top.
func groupOf(o baseopts.Option) string {
	if len(o.Path) <= 2 {
		return ""
	}
	return strings.Join(o.Path[1:len(o.Path)-1], ".")
}

func shortName(o baseopts.Option) string { return o.Path[len(o.Path)-1] }

func mark(def json.RawMessage) string {
	switch string(def) {
	case "true":
		return "x"
	case "false":
		return " "
	}
	return "?"
}

func defaultText(def json.RawMessage) string {
	if def == nil {
		return "(no default)"
	}
	return string(def)
}

// detail says what a value must be: choices, bounds, pattern.
func detail(o baseopts.Option) string {
	var parts []string
	for _, c := range o.Choices {
		parts = append(parts, string(c))
	}
	s := ""
	if len(parts) > 0 {
		s = ": " + strings.Join(parts, " | ")
	}
	switch {
	case o.Min != nil && o.Max != nil:
		s += fmt.Sprintf(" %d..%d", *o.Min, *o.Max)
	case o.Min != nil:
		s += fmt.Sprintf(" >= %d", *o.Min)
	case o.Max != nil:
		s += fmt.Sprintf(" <= %d", *o.Max)
	}
	if o.Pattern != "" {
		s += " matching " + o.Pattern
	}
	if o.NonEmpty {
		s += ", not empty"
	}
	if o.Elem != nil {
		s += " of " + string(o.Elem.Kind) + detail(*o.Elem)
	}
	return s
}
