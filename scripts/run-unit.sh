#!/usr/bin/env bash
# Runs one Criterion test binary (make unit) and fails if it fails or if a
# sanitizer reported anything while it ran. Criterion judges a test by what
# the test process reported before it exited, so LeakSanitizer's report at
# that process's exit (SANITIZE=1) is printed but changes no result; this
# makes it count. The output still streams; a copy goes to BIN.log.
#
#   scripts/run-unit.sh BIN [CRITERION_ARGS...]
set -uo pipefail
bin=$1
shift
"$bin" "$@" 2>&1 | tee "$bin.log"
rc=${PIPESTATUS[0]}
if grep -qE 'ERROR: (Leak|Address|Thread)Sanitizer|LeakSanitizer has encountered|runtime error:' "$bin.log"; then
	echo "run-unit: $bin: a sanitizer report (above; copy in $bin.log)" >&2
	exit 1
fi
exit "$rc"
