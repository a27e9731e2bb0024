#ifndef HARNESS_RUNNER_FIXCHECK_H
#define HARNESS_RUNNER_FIXCHECK_H

#include <stddef.h>

#include "harness/case/case.h"

/* Every selected case's fixture exists and is a static x86-64 ELF the
 * sentry can load (S4). A bad one is a user error, found before any case
 * runs: one line naming the case, the file and the problem; returns the
 * runner's exit status 2 (0 when all are fine). */
int fixcheck(const char *fixtures_dir, const struct tcase *const *sel, size_t n);

#endif
