// Package switchbench holds the benchmark of the live switch screen: what
// tui/switchview costs nixboard, headless, while a child prints 10,000
// lines a second (see internal/benchswitch, which measures the plain
// path). It has no code of its own; the benchmark is in its tests, under
// tui/ because it drives a Bubble Tea program.
package switchbench
