/* Writing the run's reports: KTAP on stdout, JUnit XML and JSON in the
 * report directory, and the updated cost file next to them. */
#ifndef HARNESS_RUNNER_REPORTS_H
#define HARNESS_RUNNER_REPORTS_H

#include <stddef.h>

#include "harness/report/results.h"
#include "harness/runner/costs.h"

/* 0, or -1 after printing which file could not be written. */
int reports_write(const char *dir, const struct fingerprint *fp, const struct result *r, size_t n);
int reports_costs(const char *dir, const struct costs *c);

#endif
