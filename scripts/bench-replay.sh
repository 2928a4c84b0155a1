#!/usr/bin/env bash
# Times `cat FILE > /dev/null` and `nixboard replay FILE --speed max --plain
# > /dev/null` side by side on the same two-million-line synthetic log (the
# one nixrun's BenchmarkReadLog builds), and prints both and their ratio.
#
#   bash scripts/bench-replay.sh            # from the repository root
#   RUNS=30 MAX_RATIO=10 bash scripts/bench-replay.sh
#
# Each run times cat, then nixboard, on the warm page cache; the best of RUNS
# runs of each counts, so a busy machine slows the figures less than it
# scatters them. With MAX_RATIO set, the script fails when the ratio is above it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-15}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
log=$dir/bench.log
bin=$dir/nixboard

go build -o "$bin" ./cmd/nixboard
NIXRUN_BENCH_WRITE=$log go test ./nixlog -run '^$' -bench 'BenchmarkReadLog$' -benchtime 1x >/dev/null
lines=$(wc -l <"$log")
mib=$(( $(wc -c <"$log") >> 20 ))

# The replay must really fold the log: check its closing line once.
want='switch ok: built 1401, downloaded 1401'
if ! "$bin" replay "$log" --speed max --plain | grep -q "^$want"; then
	echo "bench-replay: the replay did not end with \"$want\"" >&2
	exit 1
fi

now_us() { echo $(( ${EPOCHREALTIME/./} )); }
cat_best=0 nb_best=0
for _ in $(seq "$runs"); do
	s=$(now_us)
	cat "$log" >/dev/null
	e=$(now_us)
	t=$(( e - s ))
	(( cat_best == 0 || t < cat_best )) && cat_best=$t
	s=$(now_us)
	"$bin" replay "$log" --speed max --plain >/dev/null
	e=$(now_us)
	t=$(( e - s ))
	(( nb_best == 0 || t < nb_best )) && nb_best=$t
done

ratio=$(awk -v a="$nb_best" -v b="$cat_best" 'BEGIN { printf "%.1f", a / b }')
echo "log: $lines lines, $mib MiB; best of $runs runs each"
printf 'cat FILE > /dev/null:                               %7.1f ms  (%s M lines/s)\n' \
	"$(awk -v t="$cat_best" 'BEGIN { print t / 1000 }')" "$(awk -v n="$lines" -v t="$cat_best" 'BEGIN { printf "%.1f", n / t }')"
printf 'nixboard replay FILE --speed max --plain > /dev/null: %5.1f ms  (%s M lines/s)\n' \
	"$(awk -v t="$nb_best" 'BEGIN { print t / 1000 }')" "$(awk -v n="$lines" -v t="$nb_best" 'BEGIN { printf "%.1f", n / t }')"
echo "ratio: $ratio"
if [[ -n ${MAX_RATIO:-} ]] && awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN { exit !(r > m) }'; then
	echo "bench-replay: ratio $ratio is above $MAX_RATIO" >&2
	exit 1
fi
