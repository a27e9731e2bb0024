#!/usr/bin/env bash
# run.sh WORD...: the suite under each kernel named (resolve.sh), at most
# KERNEL_JOBS at a time (default: the number of CPUs), then one summary
# line per kernel. Status 0 when every kernel gave results (whatever they
# say: judging them is `harness triage`'s job), 1 when one did not.
# Environment: see boot.sh, plus KERNEL_JOBS, KERNEL_HARNESS and
# KERNEL_FIXTURES (the host run).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export KERNEL_CACHE KERNEL_INITRD KERNEL_REPORTS KERNEL_WORK KERNEL_TIMEOUT KERNEL_MEM \
	KERNEL_SCALE KERNEL_SUITE_ARGS KERNEL_HARNESS KERNEL_FIXTURES
mkdir -p "$KERNEL_CACHE" "$KERNEL_REPORTS" "$KERNEL_WORK"
# The kernels' own apt lists (apt.sh); a suite that cannot be reached was
# one line there, and a kernel in the cache runs without any.
case " $* " in
*" host "*) [ $# -gt 1 ] && "$here/apt.sh" update ;;
*) "$here/apt.sh" update ;;
esac
targets=()
for w in "$@"; do
	t=$("$here/resolve.sh" "$w") || exit 2
	case " ${targets[*]:-} " in *" $t "*) ;; *) targets+=("$t") ;; esac
done
[ ${#targets[@]} -gt 0 ] || { echo "kernels: KERNELS is empty" >&2; exit 2; }
# A kernel that cannot be fetched (apt's lists name it, the mirror does
# not have it) is one line and a results.json saying so; the rest go on.
first= fetched=() missing=0
for t in "${targets[@]}"; do
	if [ "$t" != host ]; then
		if ! why=$("$here/fetch.sh" "$t" "$KERNEL_CACHE" 2>&1); then
			why=$(printf '%s\n' "$why" | grep -v '^W: ' | tail -n 3 | tr '\n' ' ')
			echo "kernels: $(release_of "$t"): no-kernel: $why" >&2
			write_noresult "$KERNEL_REPORTS/$(release_of "$t")" "$(release_of "$t")" no-kernel \
				"the package could not be fetched: $why" /dev/null
			missing=1
			continue
		fi
		first=${first:-$t}
	fi
	fetched+=("$t")
done
[ ${#fetched[@]} -gt 0 ] || exit 1
targets=("${fetched[@]}")
export KERNEL_ACCEL=${KERNEL_ACCEL:-auto}
if [ -n "$first" ]; then
	KERNEL_ACCEL=$("$here/accel.sh" "$KERNEL_CACHE/$first/vmlinuz" "$KERNEL_INITRD" "$KERNEL_WORK")
	# TCG runs everything a few times slower: scale the cases' timeouts
	# unless the caller chose a scale.
	if [ -z "${KERNEL_SCALE:-}" ]; then
		[ "$KERNEL_ACCEL" = tcg ] && KERNEL_SCALE=$KERNEL_TCG_SCALE || KERNEL_SCALE=1
	fi
fi
jobs=${KERNEL_JOBS:-$(nproc)}
echo "kernels: ${targets[*]} (accel $KERNEL_ACCEL, timeout scale ${KERNEL_SCALE:-1}, $jobs at a time)"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} sh -c '
	if [ "{}" = host ]; then exec "$0/host.sh"; else exec "$0/boot.sh" "{}"; fi' "$here"
status=$?
echo "kernels: reports in $KERNEL_REPORTS/<release>/; compare with: build/harness triage $KERNEL_REPORTS/*/results.json"
exit $((status != 0 || missing))
