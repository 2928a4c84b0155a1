#!/bin/sh
# Measures what following a switch that prints 10,000 lines a second costs
# nixboard (issue 14): CPU time per wall second, from getrusage, as a
# percentage of one core. Four views of the same synthetic internal-json log:
#   BenchmarkStateAt10kLines    lines paced in process into nixlog.State,
#                               with the eta estimate and a progress line
#   BenchmarkLiveRunAt10kLines  a child prints them; nixrun reads the pipe,
#                               saves the log, same plain follow
#   BenchmarkReplayPlainPipe    `nixboard replay --plain --speed max
#                               /dev/stdin` fed through a pipe (the nixboard
#                               process's own rusage)
#   BenchmarkScreenAt10kLines   the live switch screen (Bubble Tea, drawing
#                               to io.Discard at its frame rate) on a live run
# Run from the repository root: sh scripts/bench-switch-cpu.sh [SECONDS]
# (10 by default). It prints the machine's load before and after: the
# figures are this process's CPU time, but a busy machine still slows it.
set -eu
export BENCHSWITCH_SECONDS="${1:-10}"
echo "cores: $(getconf _NPROCESSORS_ONLN)  load before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
go test -run XXX -bench . -benchtime 1x ./internal/benchswitch ./tui/switchbench |
	grep -E '^(Benchmark|ok|FAIL)|%'
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
