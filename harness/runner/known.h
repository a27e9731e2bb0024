/* Known failures (harness.md "Results"): a file in the cases
 * directory, `known-failures`, one entry per line:
 *
 *   CASE  VARIANTS  WHEN  REFERENCE...
 *
 * CASE is a case name; VARIANTS is `*` or a comma list (lazy,full-state);
 * WHEN is `always` or a comma list of conditions that must all hold:
 * `kernel=GLOB` (fnmatch on the kernel release), `feature=NAME` or
 * `nofeature=NAME` (a probed feature, as in a case's features: key). The
 * reference (a kernel commit, a stable version, an issue, a design note)
 * is printed with the result. A failure that matches is XFAIL; a pass
 * that matches is XPASS and fails the run: the entry is stale. */
#ifndef HARNESS_RUNNER_KNOWN_H
#define HARNESS_RUNNER_KNOWN_H

#include <stddef.h>

#include "harness/runner/features.h"

/* Reads path (a missing file means no entries). 0, or the runner's exit
 * status 2 after one line naming the file, the line and the problem. */
int known_load(const char *path, const struct host_features *h);
void known_free(void);

/* The reference when the case under variant is a known failure on this
 * host; NULL otherwise. */
const char *known_failure(const char *name, const char *variant);

#endif
