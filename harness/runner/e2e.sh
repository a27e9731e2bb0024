#!/usr/bin/env bash
# Builds and runs the runner's end-to-end test against a fake sentry
# (fake_sentry.inc, e2e_test.inc): build/tests/runner_e2e. Needs
# build/libharness.a and build/libplatform.a (make build/libharness.a
# build/libplatform.a). The fake sentry_run() is linked before the
# archive, so the real sentry objects are never pulled in.
#
#   harness/runner/e2e.sh [CRITERION_ARGS...]
#   SANITIZE=1 harness/runner/e2e.sh       (against build-san/, as the Makefile)
#   COVERAGE=1 harness/runner/e2e.sh       (against build-cov/: make coverage)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CFLAGS="-std=gnu11 -Wall -Wextra -Werror -g -O2 -D_GNU_SOURCE -fno-omit-frame-pointer -I."
B=build
if [[ ${SANITIZE:-0} == 1 ]]; then
	B=build-san
	CFLAGS+=" -fsanitize=address,undefined -fno-sanitize-recover=undefined"
elif [[ ${COVERAGE:-0} == 1 ]]; then
	B=build-cov
	CFLAGS+=" --coverage -fprofile-update=atomic -DCOVERAGE"
fi
mkdir -p "$B/tests"
gcc $CFLAGS -x c harness/runner/e2e_test.inc -x c harness/runner/fake_sentry.inc -x none \
	tools/criterion/lsan_runner.c \
	"$B/libharness.a" "$B/libplatform.a" -lcriterion -lseccomp -ljansson -lpthread \
	-o "$B/tests/runner_e2e"
exec scripts/run-unit.sh "$B/tests/runner_e2e" "$@"
