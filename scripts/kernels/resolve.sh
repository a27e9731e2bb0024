#!/usr/bin/env bash
# One word of KERNELS -> what to run: "host", or a linux-image package
# name apt can download. Accepted words:
#   host                                   the running kernel, no VM
#   6.1 | 6.12 (+ -rt, -cloud)             the newest Debian build of that
#                                          series, e.g. 6.1, 6.12-rt
#   linux-image-6.1.0-56-rt-amd64          a package, as named
#   6.1.0-56-rt-amd64, 6.12.117+deb12-cloud-amd64   a release (uname -r)
# An unknown word is one line on stderr and status 2.
set -euo pipefail
w=$1
case $w in
host) echo host; exit 0 ;;
6.1|6.1-cloud) meta=linux-image-cloud-amd64 ;;
6.1-rt) meta=linux-image-rt-amd64 ;;
6.12|6.12-cloud) meta=linux-image-6.12-cloud-amd64 ;;
6.12-rt) meta=linux-image-6.12-rt-amd64 ;;
linux-image-*) pkg=$w ;;
*) pkg=linux-image-$w ;;
esac
if [ -n "${meta:-}" ]; then
	# The meta-package depends on exactly the newest build of its series.
	pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ && !p { print $2; p = 1 }')
	[ -n "$pkg" ] || { echo "kernels: $w: apt knows no $meta (apt-get update?)" >&2; exit 2; }
fi
cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
	# A cached kernel still runs after the mirror dropped it.
	if [ -f "${KERNEL_CACHE:-/nonexistent}/$pkg/vmlinuz" ]; then
		echo "$pkg"
		exit 0
	fi
	echo "kernels: $w: no package $pkg in apt's lists (old ABIs leave the mirror; see apt-cache search linux-image)" >&2
	exit 2
fi
echo "$pkg"
