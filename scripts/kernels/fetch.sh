#!/usr/bin/env bash
# fetch.sh PACKAGE CACHE: CACHE/PACKAGE/vmlinuz (and config, and the
# .deb's name), downloaded with apt-get download (apt.sh: the kernels'
# own apt configuration) once and kept: old builds leave the mirror, so
# the cache is what makes a run repeatable. Only the kernel is
# extracted: the suite needs no modules (8250 serial, devtmpfs, initramfs
# are built into every Debian amd64 flavour; research/kernels.md section
# 6). Up to 6.x the image package holds ./boot/vmlinuz-REL; from 7.x it
# is a small package depending on linux-binary-REL, which holds
# usr/lib/modules/REL/vmlinuz, with the config in linux-base-REL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pkg=$1 cache=$2
export KERNEL_CACHE=${KERNEL_CACHE:-$cache}
dir=$cache/$pkg
rel=${pkg#linux-image-}
[ -f "$dir/vmlinuz" ] && exit 0
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# _apt cannot read a private cache: the download then runs as root with
# a harmless "unsandboxed" notice, which we drop.
download() {
	(cd "$tmp" && "$here/apt.sh" get download -q "$@" 2>&1 |
		grep -v -e 'unsandboxed' -e '^Get:' -e '^Fetched ' >&2 || true)
}
download "$pkg"
deb=$(ls "$tmp"/"$pkg"_*.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || { echo "kernels: $pkg: apt-get download gave no .deb" >&2; exit 1; }
mkdir -p "$tmp/x" "$tmp/out"
# ./boot only: an rt image holds 400 MB of modules beside it.
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" ./boot 2>/dev/null || true
vmlinuz=$(ls "$tmp"/x/boot/vmlinuz-* 2>/dev/null | head -1 || true)
config=$(ls "$tmp"/x/boot/config-* 2>/dev/null | head -1 || true)
if [ -z "$vmlinuz" ]; then
	download "linux-binary-$rel" "linux-base-$rel"
	for d in "$tmp"/linux-binary-"$rel"_*.deb "$tmp"/linux-base-"$rel"_*.deb; do
		[ ! -f "$d" ] || dpkg-deb --fsys-tarfile "$d" | tar -x -C "$tmp/x" --wildcards './usr/lib/modules/*/vmlinuz' './usr/lib/modules/*/config' 2>/dev/null || true
	done
	vmlinuz=$tmp/x/usr/lib/modules/$rel/vmlinuz
	config=$tmp/x/usr/lib/modules/$rel/config
	[ -f "$vmlinuz" ] || { echo "kernels: $pkg: no vmlinuz in it nor in linux-binary-$rel" >&2; exit 1; }
fi
cp "$vmlinuz" "$tmp/out/vmlinuz"
[ ! -f "$config" ] || cp "$config" "$tmp/out/config"
basename "$deb" >"$tmp/out/deb"
"$here/apt.sh" cache show "$pkg" 2>/dev/null | awk '$1 == "Version:" { print $2; exit }' >"$tmp/out/version"
rm -rf "$dir"
mv "$tmp/out" "$dir"
