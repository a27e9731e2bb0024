#!/bin/sh
# The run step of lava/ptrace-suite.yaml: builds the tree (or uses a
# prebuilt harness), runs the suite, and reports each case and variant
# with lava-test-case (lava/ktap-to-lava.sh). POSIX sh: a LAVA test shell
# may have no bash before the dependencies are installed.
# Outside LAVA (no lava-test-case in PATH) the calls are printed instead,
# which is how `make check` tests it.
set -eu
SUITE_ARGS=-j1 SCALE=1 INSTALL=true PER_CASE=true
while [ $# -gt 0 ]; do
	case $1 in
	--suite-args) SUITE_ARGS=$2; shift 2 ;;
	--timeout-scale) SCALE=$2; shift 2 ;;
	--install-deps) INSTALL=$2; shift 2 ;;
	--per-case) PER_CASE=$2; shift 2 ;;
	*) echo "lava/run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
cd "$(dirname "$0")/.."
report() {
	if command -v lava-test-case >/dev/null 2>&1; then lava-test-case "$@"; else echo "lava-test-case $*"; fi
}
# A prebuilt harness (HARNESS, FIXTURES in the environment) skips the build.
if [ -z "${HARNESS:-}" ]; then
	if [ "$INSTALL" = true ] && [ "$(id -u)" -eq 0 ]; then
		scripts/deps.sh || { report build-deps --result fail; exit 0; }
	fi
	if make -j"$(nproc)" all >build.log 2>&1; then
		report build --result pass
	else
		tail -n 50 build.log
		report build --result fail
		exit 0
	fi
	HARNESS=build/harness FIXTURES=build/fixtures
fi
out=${LAVA_RESULTS_DIR:-/tmp}/ptrace-suite
mkdir -p "$out"
uname -a
set +e
# shellcheck disable=SC2086 # SUITE_ARGS is a word list on purpose
HARNESS_TIMEOUT_SCALE=$SCALE "$HARNESS" suite --fixtures "$FIXTURES" --report-dir "$out" \
	$SUITE_ARGS >"$out/ktap.txt"
status=$?
set -e
tail -n 1 "$out/ktap.txt"
# Status 2 is the environment check (ptrace blocked) or a bad case file:
# one result saying so, not hundreds of missing ones. 129, 130 and 143 are
# a run stopped by SIGHUP, SIGINT or SIGTERM (a job timeout): suite-run
# fails, and what it judged before is still reported (NOTRUN: unknown).
case $status in
0 | 1) report suite-run --result pass ;;
129 | 130 | 143) report suite-run --result fail ;;
*)
	report suite-run --result fail
	exit 0
	;;
esac
if [ "$PER_CASE" = true ]; then
	lava/ktap-to-lava.sh <"$out/ktap.txt" | while read -r name result; do
		report "$name" --result "$result"
	done
fi
totals=$(grep '^# Totals:' "$out/ktap.txt" || true)
for kv in $(echo "${totals#\# Totals:}"); do
	report "total-${kv%%:*}" --result pass --measurement "${kv#*:}" --units cases
done
