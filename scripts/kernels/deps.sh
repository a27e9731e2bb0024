#!/usr/bin/env bash
# What `make kernels` needs on the host beyond `make deps`: qemu (TCG or
# KVM), cpio for the initramfs, and apt's package lists for
# `apt-get download`. Installs what is missing when run as root (one
# `apt-get update`), otherwise prints the line to run and fails.
set -euo pipefail
pkgs=(qemu-system-x86 cpio)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# No package lists at all (a fresh container): apt-get download needs them.
lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' 2>/dev/null | head -1)
[ ${#missing[@]} -eq 0 ] && [ -n "$lists" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "kernels: missing packages: ${missing[*]:-none} (package lists: ${lists:-none})" >&2
	echo "kernels: run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
if [ ${#missing[@]} -gt 0 ]; then
	echo "kernels: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
