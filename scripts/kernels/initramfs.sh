#!/usr/bin/env bash
# initramfs.sh INIT HARNESS CASES FIXTURES OUT: the guest's root as an
# uncompressed newc cpio, with the static host programs that cases name
# by absolute path. Byte for byte reproducible from the same inputs:
# names sorted in the C locale, owner 0:0, modes normalised, every mtime
# SOURCE_DATE_EPOCH (default: the last commit's time), inode numbers from
# cpio --reproducible. Not compressed: the kernel unpacks a plain cpio
# without running a decompressor under software emulation.
# Only regular files and directories: the cpio needs no root (init mounts
# devtmpfs for the device nodes).
set -euo pipefail
init=$1 harness=$2 cases=$3 fixtures=$4 out=$5
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
stage=$out.d
rm -rf "$stage"
mkdir -p "$stage"/{dev,proc,sys,tmp,cases,fixtures}
cp "$init" "$stage/init"
cp "$harness" "$stage/harness"
cp -r "$cases/." "$stage/cases/"
# The fixtures as the suite runs them: executables only (no objects or
# archives of the build).
(cd "$fixtures" && find . -type f -perm -u+x ! -name '*.o' ! -name '*.a' -print0 |
	tar --null -T - -cf -) | tar -xf - -C "$stage/fixtures"
# Programs of the host that cases name by absolute path (`fixture:
# /bin/busybox`, cases/programs/): the guest's root must hold them too,
# or the suite refuses the case file. Only static ones can run there; a
# dynamic one is left out with a line (those cases then stop the suite
# in the guest, as a missing fixture does on the host).
grep -rh '^fixture: /' "$cases" 2>/dev/null | sed 's/^fixture: //' | sort -u | while read -r prog; do
	if [ ! -f "$prog" ]; then
		echo "initramfs: $prog (named by a case) is not on this host" >&2
	elif LC_ALL=C readelf -l "$prog" 2>/dev/null | grep -q 'program interpreter'; then
		echo "initramfs: $prog (named by a case) is dynamically linked; left out" >&2
	else
		mkdir -p "$stage$(dirname "$prog")"
		cp "$prog" "$stage$prog"
	fi
done
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -perm -u+x -exec chmod 0755 {} +
find "$stage" -type f ! -perm -u+x -exec chmod 0644 {} +
find "$stage" -exec touch -h -d "@$epoch" {} +
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio -o -0 -H newc --reproducible -R 0:0 --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
