#!/bin/sh
# Compares nixrun's reader with `cat FILE | wc -l` on the same synthetic
# two-million-line log, pinned to one core. Run from the repository root:
#   sh nixlog/testdata/logs/bench-vs-cat.sh
set -eu
log=${TMPDIR:-/tmp}/nixrun-bench.log
NIXRUN_BENCH_WRITE=$log go test ./nixlog -run XXX -bench 'BenchmarkReadLog$' -benchtime 1x >/dev/null
echo "log: $(wc -l <"$log") lines, $(du -m "$log" | cut -f1) MiB"
cat "$log" >/dev/null # warm the page cache
best() {
	b=999999
	for _ in 1 2 3 4 5; do
		s=$(date +%s%N)
		"$@" >/dev/null
		e=$(( ($(date +%s%N) - s) / 1000000 ))
		[ "$e" -lt "$b" ] && b=$e
	done
	echo "$b"
}
catms=$(best sh -c "taskset -c 0 cat '$log' | taskset -c 0 wc -l")
echo "cat FILE | wc -l: ${catms} ms"
NIXRUN_BENCH_FILE=$log taskset -c 0 go test ./nixlog -run XXX -bench 'BenchmarkReadLogFile' -benchtime 5x -cpu 1 | grep Benchmark
rm -f "$log"
