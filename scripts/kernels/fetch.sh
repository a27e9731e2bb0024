#!/usr/bin/env bash
# fetch.sh PACKAGE CACHE: CACHE/PACKAGE/vmlinuz (and config), downloaded
# with apt-get download once and kept: old ABIs leave the mirror, so the
# cache is what makes a run repeatable. Only ./boot is extracted: the
# suite needs no modules (8250 serial, devtmpfs, initramfs are built into
# every Debian amd64 flavour; research/kernels.md section 6).
set -euo pipefail
pkg=$1 cache=$2
dir=$cache/$pkg
[ -f "$dir/vmlinuz" ] && exit 0
tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# _apt cannot write into a private cache: the download then runs as root
# with a harmless "unsandboxed" notice, which we drop.
(cd "$tmp" && apt-get download -q "$pkg" 2>&1 | grep -v 'unsandboxed' >&2 || true)
deb=$(ls "$tmp"/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "kernels: $pkg: apt-get download gave no .deb" >&2; exit 1; }
mkdir -p "$tmp/x"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" ./boot
vmlinuz=$(ls "$tmp"/x/boot/vmlinuz-* | head -1)
mkdir -p "$tmp/out"
cp "$vmlinuz" "$tmp/out/vmlinuz"
cp "$tmp"/x/boot/config-* "$tmp/out/config" 2>/dev/null || true
basename "$deb" >"$tmp/out/deb"
rm -rf "$dir"
mv "$tmp/out" "$dir"
