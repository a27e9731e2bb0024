#!/usr/bin/env bash
# make bench: installs what the bench needs and may lack (gnuplot, Debian's
# user-mode-linux) when run as root, or says why it goes without; runs the
# bench (build/bench/bench); draws the chart. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
OUT=${BENCH_OUT:-reports/bench}
UML_KERNEL=${UML_KERNEL:-/usr/bin/linux.uml}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
updated=0
# install PKG: 0 when installed (now or before); else prints why and fails.
install() {
	installed "$1" && return 0
	if [ "$(id -u)" -ne 0 ]; then
		why="$1 is not installed and we are not root (as root: apt-get install $1)"
		return 1
	fi
	if [ $updated -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 || true
		updated=1
	fi
	if ! apt-cache show "$1" >/dev/null 2>&1; then
		why="no package $1 in this system's apt sources"
		return 1
	fi
	echo "bench: installing $1"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$1" >/dev/null; then
		why="apt-get install $1 failed"
		return 1
	fi
}

uml_args=(--uml-kernel "$UML_KERNEL" --uml-root "$PWD/$B/bench/uml-root")
why=""
if ! install user-mode-linux; then
	echo "bench: no UML figure: $why"
	uml_args=(--uml-skip "$why")
elif [ ! -x "$UML_KERNEL" ]; then
	why="user-mode-linux is installed but $UML_KERNEL is not executable"
	echo "bench: no UML figure: $why"
	uml_args=(--uml-skip "$why")
fi
chart=1
if ! command -v gnuplot >/dev/null && ! install gnuplot-nox; then
	echo "bench: no chart: $why"
	chart=0
fi

mkdir -p "$OUT" "$B/bench/work"
only=()
[ -n "${BENCH_ONLY:-}" ] && only=(--only "$BENCH_ONLY")
[ "${BENCH_RT:-0}" = 1 ] && only+=(--rt)
rc=0
"$B/bench/bench" --rounds "${BENCH_ROUNDS:-5}" --scale "${BENCH_SCALE:-1}" --cpu "${BENCH_CPU:-0}" \
	--out "$OUT" --work "$B/bench/work" --harness "$B/harness" --fixtures "$B/fixtures" \
	--suite "${BENCH_SUITE:-}" "${uml_args[@]}" "${only[@]}" | tee "$OUT/table.txt" || rc=$?
[ $rc -eq 0 ] || exit $rc
if [ $chart -eq 1 ]; then
	gnuplot -e "datafile='$OUT/ratios.dat'; outfile='$OUT/ratios.png'" bench/ratios.gp
	echo "chart: $OUT/ratios.png"
fi
