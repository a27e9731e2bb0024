#!/usr/bin/env bash
# host.sh: the suite on the running kernel, no VM, into
# REPORTS/$(uname -r)/ (results.json and ktap.txt as for a guest, and
# run.json). Same options as the guests, timeout scale 1.
set -uo pipefail
here=$(dirname "$0")
. "$here/lib.sh"
rel=$(uname -r)
out=$KERNEL_REPORTS/$rel
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s.%N)
"$KERNEL_HARNESS" suite --fixtures "$KERNEL_FIXTURES" --report-dir "$out" $KERNEL_SUITE_ARGS \
	>"$out/ktap.txt" 2>"$out/harness-stderr"
status=$?
suite=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
rm -rf "$out/cases" "$out/junit.xml" "$out/costs.txt"
if [ ! -f "$out/results.json" ]; then
	write_noresult "$out" "$rel" no-results "harness suite exited with status $status" "$out/harness-stderr"
	write_run "$out" package host release "$rel" accel none suite_s "$suite" status no-results
	exit 1
fi
write_run "$out" package host release "$rel" accel none suite_args "$KERNEL_SUITE_ARGS" \
	boot_s 0 suite_s "$suite" status ok suite_exit "$status"
echo "kernels: $rel (host): suite ${suite}s: $(totals_of "$out/results.json")"
