#!/usr/bin/env bash
# receive.sh PORTFILE NAME OUT: the file NAME the guest sent on its result
# port (init.c: PTSUITE-FILE NAME SIZE CKSUM, base64 lines, PTSUITE-EOF
# NAME), decoded into OUT when its size and POSIX cksum match. Status 1
# with one line on stderr when it is missing, cut short or damaged.
# awk reads the port file itself: an awk that stops early at the end
# marker must not leave a writer in a pipe to die of SIGPIPE.
set -uo pipefail
port=$1 name=$2 out=$3
hdr=$(awk -v n="$name" '{ sub(/\r$/, "") } $1 == "PTSUITE-FILE" && $2 == n { print $3, $4; exit }' "$port")
[ -n "$hdr" ] || { echo "$name: not sent" >&2; exit 1; }
if ! awk -v n="$name" '
	{ sub(/\r$/, "") }
	$1 == "PTSUITE-FILE" && $2 == n { on = 1; next }
	$1 == "PTSUITE-EOF" && $2 == n { done = 1; exit }
	on { print }
	END { exit !done }' "$port" >"$out.b64"; then
	rm -f "$out.b64"
	echo "$name: cut short (no end marker)" >&2
	exit 1
fi
if ! base64 -d <"$out.b64" >"$out.tmp" 2>/dev/null; then
	rm -f "$out.b64" "$out.tmp"
	echo "$name: not valid base64" >&2
	exit 1
fi
rm -f "$out.b64"
read -r size sum <<<"$hdr"
read -r gsum gsize _ < <(cksum "$out.tmp")
if [ "$gsize" != "$size" ] || [ "$gsum" != "$sum" ]; then
	rm -f "$out.tmp"
	echo "$name: damaged (sent $size bytes cksum $sum, got $gsize bytes cksum $gsum)" >&2
	exit 1
fi
mv "$out.tmp" "$out"
