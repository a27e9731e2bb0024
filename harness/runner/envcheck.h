/* The environment check that comes before any case (harness.md "An
 * environment check runs first"): plat_new() once, in a forked child. */
#ifndef HARNESS_RUNNER_ENVCHECK_H
#define HARNESS_RUNNER_ENVCHECK_H

#include "harness/runner/features.h"

#define ENVCHECK_TIMEOUT_S 30	/* plat_new() hanging is a broken environment */

/* Fills h from the child's plat_probe() and the CPU. 0; or EXIT_USER after
 * printing one line: "harness: ptrace is blocked on this machine (...)"
 * when the platform says so, else "harness: environment check failed:
 * ...". The child, not the runner, calls plat_new(): the runner stays
 * free of platform threads and stubs, which every later fork would
 * otherwise inherit half-way. */
int envcheck(struct host_features *h);

#endif
