/* Test-only chaos ("chaos:" case key, harness/case/CASES.md), taken by the
 * harness child against its own platform; only cases that ask for it are
 * touched.
 *  - kill-stub-process, kill-stub-thread (lifecycle/, P23): SIGKILL the
 *    guest's stub from outside while guest code runs; the case must end
 *    in one clean case error.
 *  - signal-stub STEPS (signals/external_*, P14, P15): other host
 *    processes signal the stub while guest code runs, one signal at a
 *    time; the trace gets a note per signal and a line per discard, and
 *    the guest is then told to finish with a SIGALRM from the sentry. */
#ifndef HARNESS_RUNNER_CHAOS_H
#define HARNESS_RUNNER_CHAOS_H

#include <stdio.h>

#include "harness/case/case.h"
#include "platform/platform.h"

struct chaos_spec {
	int mode;                            /* enum case_chaos */
	const struct case_chaos_step *steps; /* signal-stub */
	unsigned nsteps;
};

/* The options to create the platform with: in itself without chaos, else
 * a copy in out with the chaos event hook (which still calls in's). The
 * chaos waits until the guest's captured stdout (stdout_fd, read with
 * pread) holds a line "spinning" and the stub thread runs: so it lands in
 * guest code. */
const struct plat_options *chaos_options(const struct plat_options *in,
					 const struct chaos_spec *spec, int stdout_fd,
					 struct plat_options *out);

/* Where signal-stub writes its notes and the discard events (the case's
 * trace file); call before the guest runs. */
void chaos_set_trace(FILE *trace);

/* Whether an error message is the one a chaos kill must give. */
bool chaos_error_expected(const char *error);

#endif
