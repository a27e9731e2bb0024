/* The escape check after every case (P6). */
#ifndef HARNESS_RUNNER_ESCAPE_H
#define HARNESS_RUNNER_ESCAPE_H

#include "harness/sentry/sentry.h"
#include "platform/platform.h"

/* After sentry_run(): when a stub thread of p made a host syscall outside
 * the injection path (plat_escapes()), the run becomes a harness error
 * (*rc 1, res->kind SENTRY_ERROR, res->error says how many), whatever the
 * guest did. Returns the number of escapes. */
long escape_check(struct plat *p, int *rc, struct sentry_result *res);

#endif
