/* Test-only chaos for the lifecycle/ cases (P23): a case with
 * "chaos: kill-stub-process" or "chaos: kill-stub-thread" has its harness
 * child SIGKILL the guest's first stub from outside while guest code runs,
 * so that the suite can check that a stub killed mid-run gives one clean
 * case error. Only cases that ask for it are touched (harness/CASES.md). */
#ifndef HARNESS_RUNNER_CHAOS_H
#define HARNESS_RUNNER_CHAOS_H

#include "platform/platform.h"

/* The options to create the platform with: in itself without chaos, else
 * a copy in out with the chaos event hook. The kill waits until the
 * guest's captured stdout (stdout_fd, read with pread) holds a line
 * "spinning" and the stub thread runs: so it lands in guest code. */
const struct plat_options *chaos_options(const struct plat_options *in, int chaos,
					 int stdout_fd, struct plat_options *out);

/* Whether an error message is the one a chaos kill must give. */
bool chaos_error_expected(const char *error);

#endif
