/* The environment check that comes before any case (harness.md "An
 * environment check runs first"): plat_new() once, in a forked child. */
#ifndef HARNESS_RUNNER_ENVCHECK_H
#define HARNESS_RUNNER_ENVCHECK_H

#include <stdbool.h>

#include "harness/runner/features.h"

#define ENVCHECK_TIMEOUT_S 30 /* plat_new() hanging is a broken environment */

/* Fills h from the child's plat_probe() and the CPU, with each backend
 * marked usable only if plat_new() with it works (T1). 0; or EXIT_USER
 * after printing one line when need_ptrace (a selected variant runs the
 * ptrace backend) and it cannot run: "harness: ptrace is blocked on this
 * machine (...)" when the platform says so, else "harness: environment
 * check failed: ...". A seccomp-trap backend that cannot run is no error
 * here: its variant's cases are SKIPs (suite.c). The child, not the
 * runner, calls plat_new(): the runner stays free of platform threads and
 * stubs, which every later fork would otherwise inherit half-way. */
int envcheck(struct host_features *h, bool need_ptrace);

#endif
