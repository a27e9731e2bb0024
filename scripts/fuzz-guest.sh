#!/usr/bin/env bash
# Guest-side fuzzing: runs fixtures/fuzz/guest_fuzz through
# `harness run` for SEEDS seeds, each twice, and checks for every seed:
#   - the harness did not crash: its exit status is the one the trace's
#     last line gives the guest (exited with N -> N, killed by SIG -> 128+n);
#     anything else (a harness signal, 125 "sentry failed", a sanitizer
#     report on stderr) is a crash;
#   - no hang: each run ends within TIMEOUT seconds (timeout(1), SIGKILL);
#   - reproducible: both runs give the same exit status, stdout, stderr and
#     trace, byte for byte;
#   - no stub process is left behind once all seeds ran
#     (scripts/check-no-stubs.sh, P25; once, as it scans all of /proc).
# A failing seed keeps its files in OUTDIR/seed-N/ (replay: the command in
# OUTDIR/seed-N/cmd); passing seeds leave nothing. Exit 1 if any seed failed.
#
#   scripts/fuzz-guest.sh HARNESS FIXTURE SEEDS TIMEOUT OUTDIR [FIRST_SEED] [JOBS]
set -u
if [ $# -lt 5 ]; then
	echo "usage: $0 HARNESS FIXTURE SEEDS TIMEOUT OUTDIR [FIRST_SEED] [JOBS]" >&2
	exit 2
fi
harness=$(realpath "$1") fixture=$(realpath "$2") seeds=$3 tmo=$4 out=$5
first=${6:-1} jobs=${7:-$(nproc)}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"

# Prints "PASS seed how" or "FAIL seed why"; keeps the files of a failure.
one_seed() {
	local s=$1 d="$out/seed-$1" why="" how=""
	rm -rf "$d" && mkdir -p "$d"
	echo "env -i $harness run --trace TRACE -- $fixture $s </dev/null" >"$d/cmd"
	local rc=()
	for k in a b; do
		env -i timeout -s KILL "$tmo" "$harness" run --trace "$d/trace.$k" -- "$fixture" "$s" \
			</dev/null >"$d/stdout.$k" 2>"$d/stderr.$k"
		rc+=($?)
	done
	# What the trace says the guest's end was, as an exit status.
	local last want
	last=$(tail -n 1 "$d/trace.a" 2>/dev/null)
	case $last in
	"+++ exited with "*) want=${last#+++ exited with }; want=${want%% *}; how="exit=$want" ;;
	"+++ killed by SIG"*) local sig=${last#+++ killed by SIG}; sig=${sig%% *}
		want=$((128 + $(kill -l "$sig" 2>/dev/null || echo 999))); how="SIG$sig" ;;
	*) want=none ;;
	esac
	if [ "${rc[0]}" = 137 ] && [ "$want" != 137 ]; then
		why="hang: still running after ${tmo}s"
	elif [ "$want" = none ] || [ "${rc[0]}" != "$want" ]; then
		why="harness crash or error: exit status ${rc[0]}, trace ends with: ${last:-nothing}"
	elif grep -qE '^(==[0-9]+==|SUMMARY: |.*runtime error: )' "$d/stderr.a" "$d/stderr.b"; then
		why="sanitizer report on the harness's stderr"
	elif [ "${rc[0]}" != "${rc[1]}" ]; then
		why="not reproducible: exit status ${rc[0]} then ${rc[1]}"
	else
		for f in trace stdout stderr; do
			cmp -s "$d/$f.a" "$d/$f.b" || { why="not reproducible: $f differs"; break; }
		done
	fi
	if [ -n "$why" ]; then
		echo "$why" >"$d/why"
		echo "FAIL $s $why"
	else
		rm -rf "$d"
		echo "PASS $s $how"
	fi
}
export -f one_seed
export out harness fixture tmo here

results=$(seq "$first" $((first + seeds - 1)) | xargs -P "$jobs" -I{} bash -c 'one_seed {}')
grep '^FAIL' <<<"$results" | sort -k2 -n
pass=$(grep -c '^PASS' <<<"$results")
fail=$(grep -c '^FAIL' <<<"$results")
ends=$(grep '^PASS' <<<"$results" | awk '{print $3}' | sort | uniq -c | sort -rn |
	awk '{ s = s (NR > 1 ? ", " : "") $2 " x" $1 } END { print s }')
stubs=ok
"$here/scripts/check-no-stubs.sh" >/dev/null || stubs="stub processes left behind"
echo "fuzz-guest: $seeds seeds from $first, $pass passed, $fail failed (${tmo}s timeout), stubs: $stubs; guest ends: $ends"
[ "$fail" -eq 0 ] && [ "$stubs" = ok ]
