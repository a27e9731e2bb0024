#!/usr/bin/env bash
# boot.sh PACKAGE: boots CACHE/PACKAGE/vmlinuz with the suite's initramfs
# under qemu, and leaves in REPORTS/<release>/: results.json (the guest's,
# checked), ktap.txt, console.log and run.json (boot and suite times). A
# kernel that does not boot, does not answer within KERNEL_TIMEOUT seconds
# or sends a damaged file gets a results.json saying so (lib.sh
# write_noresult) and status 1; never a hang: qemu runs under timeout -k.
# Environment (set by run.sh): KERNEL_CACHE, KERNEL_INITRD, KERNEL_REPORTS,
# KERNEL_WORK, KERNEL_ACCEL (kvm|tcg), KERNEL_TIMEOUT, KERNEL_MEM,
# KERNEL_SCALE, KERNEL_SUITE_ARGS (space separated).
set -uo pipefail
here=$(dirname "$0")
. "$here/lib.sh"
pkg=$1
rel=$(release_of "$pkg")
out=$KERNEL_REPORTS/$rel
work=$KERNEL_WORK/$rel
rm -rf "$work" "$out"
mkdir -p "$work" "$out"
# -la57: max would give 5-level paging, which the hosts we compare with lack;
# it changes what huge mmap() calls do (memory/mmap_huge), not the kernel.
if [ "$KERNEL_ACCEL" = kvm ]; then cpu=host; else cpu=max,-la57; fi
args=$(echo $KERNEL_SUITE_ARGS | tr ' ' ',')
# no_timer_check: under TCG on a loaded host the IO-APIC timer check can
# miss its ticks and panic ("IO-APIC + timer doesn't work!", seen with 6.1).
append="console=ttyS0 panic=-1 quiet no_timer_check HARNESS_TIMEOUT_SCALE=$KERNEL_SCALE"
[ -n "$args" ] && append="$append PTSUITE_ARGS=$args"
# The console comes through a pipe so that the host can stamp the
# moments init starts and the suite ends (PTSUITE-BEGIN, PTSUITE-SUITE;
# anywhere in a line: the suite's progress lines end in \r, not \n):
# those give boot_s and suite_s. The guest's own clock is no measure
# under TCG: its uptime at init was seen at 94 s after 8 s of wall time
# (6.12.118), so it is kept only as guest_boot_s and guest_suite_s.
stamp_console() {
	local line begin='' end=''
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line"
		case $line in
		*PTSUITE-BEGIN*) [ -n "$begin" ] || { begin=$EPOCHREALTIME; echo "$begin" >"$work/begin.t"; } ;;
		*PTSUITE-SUITE*) [ -n "$end" ] || { end=$EPOCHREALTIME; echo "$end" >"$work/suite.t"; } ;;
		esac
	done
}
start=$EPOCHREALTIME
timeout -k 5 "$KERNEL_TIMEOUT" qemu-system-x86_64 -M pc -nodefaults -no-user-config \
	-display none -accel "$KERNEL_ACCEL" -cpu "$cpu" -m "$KERNEL_MEM" -smp 1 \
	-kernel "$KERNEL_CACHE/$pkg/vmlinuz" -initrd "$KERNEL_INITRD" -no-reboot \
	-append "$append" -serial stdio -serial "file:$work/ttyS1.txt" \
	</dev/null 2>"$work/qemu.log" | stamp_console >"$work/console.log"
rc=${PIPESTATUS[0]}
stop=$EPOCHREALTIME
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
wall=$(secs "$start" "$stop")
hboot= hsuite=
[ -s "$work/begin.t" ] && hboot=$(secs "$start" "$(cat "$work/begin.t")")
[ -s "$work/begin.t" ] && [ -s "$work/suite.t" ] && hsuite=$(secs "$(cat "$work/begin.t")" "$(cat "$work/suite.t")")
tr -d '\r' <"$work/console.log" >"$out/console.log" 2>/dev/null
meta=$(tr -d '\r' <"$work/ttyS1.txt" 2>/dev/null | awk '$1 == "PTSUITE-META" { $1 = ""; print; exit }')
val() { echo "$meta" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }
gboot=$(val boot_s) gsuite=$(val suite_s) status=$(val status)
common=(package "$pkg" release "$rel" accel "$KERNEL_ACCEL" cpu "$cpu" timeout_scale "$KERNEL_SCALE"
	suite_args "$KERNEL_SUITE_ARGS" qemu_exit "$rc" wall_s "$wall" guest_boot_s "${gboot:-}"
	guest_suite_s "${gsuite:-}")
fail() {
	write_noresult "$out" "$rel" "$1" "$2" "$out/console.log"
	write_run "$out" "${common[@]}" boot_s "$hboot" suite_s "$hsuite" status "$1" reason "$2"
	echo "kernels: $rel: $1: $2 (console: $out/console.log)" >&2
	exit 1
}
if [ -z "$meta" ]; then
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		grep -q '^PTSUITE-BEGIN' "$out/console.log" 2>/dev/null &&
			fail timeout "booted, but the suite did not end within ${KERNEL_TIMEOUT}s" ||
			fail no-boot "did not reach init within ${KERNEL_TIMEOUT}s"
	fi
	panic=$(grep -a -m1 'Kernel panic' "$out/console.log" 2>/dev/null | sed 's/^\[[^]]*\] //')
	[ -n "$panic" ] && fail no-boot "the kernel panicked before init reported: $panic"
	fail no-boot "qemu exited with status $rc before init reported (qemu.log: $(head -c 300 "$work/qemu.log" | tr '\n' ' '))"
fi
why=$("$here/receive.sh" "$work/ttyS1.txt" results.json "$out/results.json" 2>&1) ||
	fail no-results "the suite ended with status $status but results.json did not arrive: $why"
"$here/receive.sh" "$work/ttyS1.txt" ktap.txt "$out/ktap.txt" 2>/dev/null || true
write_run "$out" "${common[@]}" boot_s "$hboot" suite_s "$hsuite" status ok suite_exit "$status"
echo "kernels: $rel: boot ${hboot}s, suite ${hsuite}s, wall ${wall}s: $(totals_of "$out/results.json")"
