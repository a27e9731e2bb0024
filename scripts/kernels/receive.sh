#!/usr/bin/env bash
# receive.sh PORTFILE NAME OUT: the file NAME the guest sent on its result
# port (init.c: PTSUITE-FILE NAME SIZE CKSUM, base64 lines, PTSUITE-EOF
# NAME), decoded into OUT when its size and POSIX cksum match. Status 1
# with one line on stderr when it is missing, cut short or damaged.
set -euo pipefail
port=$1 name=$2 out=$3
hdr=$(tr -d '\r' <"$port" | awk -v n="$name" '$1 == "PTSUITE-FILE" && $2 == n { print $3, $4; exit }')
[ -n "$hdr" ] || { echo "$name: not sent" >&2; exit 1; }
tr -d '\r' <"$port" | awk -v n="$name" '
	$1 == "PTSUITE-FILE" && $2 == n { on = 1; next }
	$1 == "PTSUITE-EOF" && $2 == n { done = 1; exit }
	on { print }
	END { exit !done }' >"$out.b64" || { rm -f "$out.b64"; echo "$name: cut short (no end marker)" >&2; exit 1; }
base64 -d <"$out.b64" >"$out.tmp" 2>/dev/null || { rm -f "$out.b64" "$out.tmp"; echo "$name: not valid base64" >&2; exit 1; }
rm -f "$out.b64"
read -r size sum <<<"$hdr"
read -r gsum gsize _ < <(cksum "$out.tmp")
if [ "$gsize" != "$size" ] || [ "$gsum" != "$sum" ]; then
	rm -f "$out.tmp"
	echo "$name: damaged (sent $size bytes cksum $sum, got $gsize bytes cksum $gsum)" >&2
	exit 1
fi
mv "$out.tmp" "$out"
