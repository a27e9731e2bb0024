#!/usr/bin/env bash
# What `make kernels` needs on the host beyond `make deps`: qemu (TCG or
# KVM), cpio for the initramfs, and Debian's archive keys, which the
# kernels' own apt configuration (apt.sh) checks every suite with. The
# kernels' package lists are apt.sh's, not the machine's. Installs what
# is missing when run as root (one `apt-get update`), otherwise prints
# the line to run and fails.
set -euo pipefail
pkgs=(qemu-system-x86 cpio debian-archive-keyring)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "kernels: missing packages: ${missing[*]}" >&2
	echo "kernels: run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
echo "kernels: installing ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
