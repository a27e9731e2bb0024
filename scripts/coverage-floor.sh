#!/usr/bin/env bash
# make coverage: one directory's figures against its floors.
#   scripts/coverage-floor.sh NAME FILE.info MIN_LINES_PCT MIN_BRANCHES_PCT
# Compares hit*100 >= floor*found in integers, so 89.99 % is not 90 %.
set -euo pipefail
name=$1 info=$2 min_l=$3 min_b=$4
sum() { awk -F'[:,]' -v k="$1" '$1 == k { s += $2 } END { print s + 0 }' "$info"; }
lf=$(sum LF) lh=$(sum LH) bf=$(sum BRF) bh=$(sum BRH)
pct() { if [ "$2" -gt 0 ]; then awk -v h="$1" -v f="$2" 'BEGIN { printf "%.1f", 100 * h / f }'; else echo "-"; fi; }
fail=0
printf '%-9s lines %5s %% (%d of %d, floor %d %%)   branches %5s %% (%d of %d, floor %d %%)\n' \
	"$name/" "$(pct "$lh" "$lf")" "$lh" "$lf" "$min_l" "$(pct "$bh" "$bf")" "$bh" "$bf" "$min_b"
if [ "$lf" -eq 0 ] || [ $((lh * 100)) -lt $((min_l * lf)) ]; then
	echo "coverage: $name/ lines below $min_l %" >&2
	fail=1
fi
if [ "$min_b" -gt 0 ] && { [ "$bf" -eq 0 ] || [ $((bh * 100)) -lt $((min_b * bf)) ]; }; then
	echo "coverage: $name/ branches below $min_b %" >&2
	fail=1
fi
exit $fail
