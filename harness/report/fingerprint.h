/* The environment fingerprint every report starts with (harness.md
 * "Results and reports"): kernel, probed features, CPU, platform options. */
#ifndef HARNESS_RUNNER_FINGERPRINT_H
#define HARNESS_RUNNER_FINGERPRINT_H

#include <stddef.h>

#include "harness/report/results.h"
#include "harness/cli/options.h"
#include "harness/runner/features.h"
#include "harness/runner/variant.h"

/* Room for every pair: about 30 from the probe and options, one per
 * variant, and the run's own ("interrupted"). A pair past it is dropped,
 * so keep it well above: 32 was exactly full with three variants and
 * lost "interrupted". */
#define FP_MAX 48
#define FP_VALUE 160

struct fp_store {
	struct fp_pair pairs[FP_MAX];
	char keys[FP_MAX][40];
	char values[FP_MAX][FP_VALUE];
	struct fingerprint fp;
};

/* Fills s (s->fp points into it). Only what decides the results goes in,
 * not -j or the report directory: a report depends on what was run. */
void fingerprint_build(struct fp_store *s, const struct host_features *h,
		       const struct runner_opts *o, const char *gdb);
/* One more pair after those: a fact of the run itself ("interrupted"). */
void fingerprint_add(struct fp_store *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
