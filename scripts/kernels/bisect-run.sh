#!/usr/bin/env bash
# The runner of `harness triage bisect` (make kernels-bisect): lists the
# packages of a series and boots one with only the case asked for.
#
#   bisect-run.sh list GOOD BAD               GOOD, the packages built
#                                             between, BAD (series.sh)
#   bisect-run.sh run PKG DIR CASE [VARIANT]  boots PKG with
#                                             `harness suite CASE` and
#                                             leaves DIR/results.json,
#                                             run.json, console.log
# GOOD and BAD are KERNELS words naming one package (resolve.sh): a
# package or a release. Environment as for run.sh (KERNEL_CACHE,
# KERNEL_INITRD, KERNEL_WORK, KERNEL_ACCEL, KERNEL_TIMEOUT, ...); the
# accelerator is probed once per KERNEL_WORK and remembered there.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
cmd=${1:-}
case $cmd in
list)
	[ $# -eq 3 ] || { echo "usage: bisect-run.sh list GOOD BAD" >&2; exit 2; }
	"$here/apt.sh" update || true
	good=$("$here/resolve.sh" "$2") || exit 2
	bad=$("$here/resolve.sh" "$3") || exit 2
	exec "$here/series.sh" between "$good" "$bad"
	;;
run)
	[ $# -ge 4 ] || { echo "usage: bisect-run.sh run PKG DIR CASE [VARIANT]" >&2; exit 2; }
	pkg=$2 dir=$3 name=$4 variant=${5:-}
	;;
*)
	echo "usage: bisect-run.sh list GOOD BAD | run PKG DIR CASE [VARIANT]" >&2
	exit 2
	;;
esac
export KERNEL_CACHE KERNEL_INITRD KERNEL_WORK KERNEL_TIMEOUT KERNEL_MEM
"$here/fetch.sh" "$pkg" "$KERNEL_CACHE" || exit 1
mkdir -p "$KERNEL_WORK"
if [ "${KERNEL_ACCEL:-auto}" = auto ]; then
	if [ ! -s "$KERNEL_WORK/accel" ]; then
		"$here/accel.sh" "$KERNEL_CACHE/$pkg/vmlinuz" "$KERNEL_INITRD" "$KERNEL_WORK" >"$KERNEL_WORK/accel.tmp" &&
			mv "$KERNEL_WORK/accel.tmp" "$KERNEL_WORK/accel"
	fi
	KERNEL_ACCEL=$(cat "$KERNEL_WORK/accel")
fi
if [ -z "${KERNEL_SCALE:-}" ]; then
	[ "$KERNEL_ACCEL" = tcg ] && KERNEL_SCALE=${KERNEL_TCG_SCALE:-10} || KERNEL_SCALE=1
fi
KERNEL_SUITE_ARGS="-j1${variant:+ --variant $variant} $name"
tmp=$(mktemp -d "$KERNEL_WORK/bisect-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
KERNEL_ACCEL=$KERNEL_ACCEL KERNEL_SCALE=$KERNEL_SCALE KERNEL_SUITE_ARGS=$KERNEL_SUITE_ARGS \
	KERNEL_REPORTS=$tmp "$here/boot.sh" "$pkg"
status=$?
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$tmp/$(release_of "$pkg")" "$dir"
exit "$status"
