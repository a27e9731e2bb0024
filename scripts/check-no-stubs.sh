#!/usr/bin/env bash
# P25: after the tests no stub process may remain. Stub processes are the
# only processes of ours whose memory holds nothing but the stub page, so we
# recognise them by an empty /proc/PID/maps apart from the stub and vsyscall.
# A stub still traced by a live program of another checkout (a benchmark or
# a harness someone runs elsewhere) is not ours: only untraced stubs and
# stubs traced by this checkout's binaries count.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
# A process is another checkout's when its executable lies outside ours.
foreign() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	case $exe in "$here"/*) return 1 ;; esac
	return 0
}
is_stub() {
	local maps n
	maps=$(cat "/proc/$1/maps" 2>/dev/null) || return 1
	[ -n "$maps" ] || return 1
	n=$(grep -vc '\[vsyscall\]' <<<"$maps")
	[ "$n" -eq 1 ] && grep -q '^7fff.* r-xp 00000000 00:00 0 *$' <<<"$maps"
}
# An untraced stub is ours unless a live process of another checkout made
# it: a stub process is briefly untraced between its clone and the attach
# (P3, P5), and its parent is the master stub or the harness. One whose
# creator died is an orphan (its parent is init or a subreaper): ours.
ours() {
	local tracer parent
	tracer=$(awk '/^TracerPid:/{print $2}' "/proc/$1/status" 2>/dev/null)
	if [ -n "$tracer" ] && [ "$tracer" != 0 ]; then
		foreign "$tracer" && return 1
		return 0
	fi
	parent=$(awk '/^PPid:/{print $2}' "/proc/$1/status" 2>/dev/null)
	while [ -n "$parent" ] && [ "$parent" -gt 1 ] && is_stub "$parent"; do
		parent=$(awk '/^PPid:/{print $2}' "/proc/$parent/status" 2>/dev/null)
	done
	[ -n "$parent" ] && [ "$parent" -gt 1 ] && foreign "$parent" && return 1
	return 0
}
left=()
for d in /proc/[0-9]*; do
	pid=${d#/proc/}
	[ "$pid" = "$$" ] && continue
	if is_stub "$pid" && ours "$pid"; then
		left+=("$pid")
	fi
done
if [ ${#left[@]} -gt 0 ]; then
	echo "check: stub processes left behind: ${left[*]}" >&2
	exit 1
fi
echo "check: no stub process left behind"
