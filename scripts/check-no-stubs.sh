#!/usr/bin/env bash
# P25: after the tests no stub process may remain. Stub processes are the
# only processes of ours whose memory holds nothing but the stub page, so we
# recognise them by an empty /proc/PID/maps apart from the stub and vsyscall;
# a seccomp-trap stub (T8) also maps its region (memfd:plat-seccomp-region)
# right above the stub page.
# A stub still traced by a live program of another checkout (a benchmark or
# a harness someone runs elsewhere) is not ours: only untraced stubs and
# stubs traced by this checkout's binaries count.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
ours() {
	local tracer exe
	tracer=$(awk '/^TracerPid:/{print $2}' "/proc/$1/status" 2>/dev/null)
	[ -z "$tracer" ] || [ "$tracer" = 0 ] && return 0
	exe=$(readlink "/proc/$tracer/exe" 2>/dev/null) || return 0
	case $exe in "$here"/*) return 0 ;; esac
	return 1
}
left=()
for d in /proc/[0-9]*; do
	pid=${d#/proc/}
	[ "$pid" = "$$" ] && continue
	maps=$(cat "$d/maps" 2>/dev/null) || continue
	[ -n "$maps" ] || continue
	n=$(grep -v '\[vsyscall\]' <<<"$maps" | grep -vc 'memfd:plat-seccomp-region')
	if [ "$n" -eq 1 ] && grep -q '^7fff.* r-xp 00000000 00:00 0 *$' <<<"$maps" && ours "$pid"; then
		left+=("$pid")
	fi
done
if [ ${#left[@]} -gt 0 ]; then
	echo "check: stub processes left behind: ${left[*]}" >&2
	exit 1
fi
echo "check: no stub process left behind"
