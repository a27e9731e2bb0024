#!/usr/bin/env bash
# make bench-runs: make bench BENCH_RUNS times in a row (default 3), each
# into reports/bench/runN/, then the Markdown table of bench/README.md
# from their results.json (bench/readme_table.py) into
# reports/bench/readme-table.md and on stdout. Every make bench knob
# (BENCH_SUITE, BENCH_ROUNDS, ...) applies to each run.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-3}
base=${BENCH_OUT:-reports/bench}
case $runs in '' | *[!0-9]* | 0) echo "bench-runs: BENCH_RUNS must be a count above 0" >&2; exit 2 ;; esac
files=()
for i in $(seq 1 "$runs"); do
	echo "bench-runs: run $i of $runs"
	BENCH_OUT="$base/run$i" bench/run.sh >/dev/null
	files+=("$base/run$i/results.json")
done
bench/readme_table.py "${files[@]}" | tee "$base/readme-table.md"
echo "written: $base/readme-table.md"
