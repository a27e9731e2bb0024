#!/usr/bin/env bash
# One word of KERNELS -> what to run: "host", or a linux-image package
# name apt (apt.sh, lists under KERNEL_CACHE/apt) can download. Words:
#   host                                   the running kernel, no VM
#   5.10 | 6.1 | 6.12 | 7.2                the newest Debian build of that
#   (+ -rt, -cloud, -generic)              series in any suite apt knows
#                                          (series.sh), e.g. 6.12-rt
#   linux-image-6.1.0-56-rt-amd64          a package, as named (from 7.x
#   linux-binary-7.2.13+deb14-cloud-amd64  Debian splits the kernel into
#                                          linux-binary-; either name works)
#   6.1.0-56-rt-amd64, 6.12.117+deb12-cloud-amd64   a release (uname -r)
# An unknown word is one line on stderr and status 2. A package apt no
# longer lists still runs from KERNEL_CACHE when it was fetched before.
set -euo pipefail
here=$(dirname "$0")
w=$1
case $w in
host) echo host; exit 0 ;;
[0-9]*.[0-9]* | [0-9]*.[0-9]*-rt | [0-9]*.[0-9]*-cloud | [0-9]*.[0-9]*-generic)
	if [[ $w =~ ^[0-9]+\.[0-9]+(-rt|-cloud|-generic)?$ ]]; then
		exec "$here/series.sh" newest "$w"
	fi
	pkg=linux-image-$w
	;;
linux-image-*) pkg=$w ;;
linux-binary-*) pkg=linux-image-${w#linux-binary-} ;;
*) pkg=linux-image-$w ;;
esac
if [ -f "${KERNEL_CACHE:-/nonexistent}/$pkg/vmlinuz" ]; then
	echo "$pkg"
	exit 0
fi
if ! "$here/apt.sh" cache show "$pkg" >/dev/null 2>&1; then
	echo "kernels: $w: no package $pkg in apt's lists (old builds leave the mirror; scripts/kernels/series.sh list SERIES shows what is there)" >&2
	exit 2
fi
echo "$pkg"
