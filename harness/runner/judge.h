/* From finished runs to one result: which kind, and why. */
#ifndef HARNESS_RUNNER_JUDGE_H
#define HARNESS_RUNNER_JUDGE_H

#include <stdbool.h>

#include "harness/case/case.h"
#include "harness/report/results.h"
#include "harness/runner/run.h"

struct verdict {
	enum result_kind kind;
	char *message; /* NULL or lines; the first is the summary */
	char *diff;    /* NULL or unified diffs */
	int culprit;   /* the run the result is about: an index into
	                * runs, or -1 for the native run */
};

struct judge_env {
	bool have_gdb; /* say why a crash has no backtrace */
	unsigned long timeout_ms;
};

/* Whether the case's native run (O3) is to be made. The one place that
 * decides: a fixture runs on the host only when its case asks for the
 * native oracle, because fixtures that issue arbitrary syscall numbers or
 * attack their environment must never run outside the sentry. */
bool judge_wants_native(const struct tcase *c);

/* The result for runs[0..nrun) of c under one variant (repetitions of the
 * same run; run 1 is judged by the oracles, the others must equal it),
 * native being the O3 run (NULL unless judge_wants_native()); known is
 * known_failure()'s reference or NULL. Precedence: a run that did not
 * finish (TIMEOUT, ERROR), then a native run that did not, then the
 * oracles and the repetitions (FAIL or PASS), then known failures turn
 * FAIL into XFAIL and PASS into XPASS.
 *
 * A FAIL is HOSTFAIL instead ("environment, not platform") when the host
 * fails the case in the same way, which means all of:
 *   - the case has the native oracle, so a native run exists, and it
 *     finished;
 *   - that native run misses the case's own checks as far as a run on the
 *     host can be checked: golden's stdout, stderr and exit (the host
 *     writes no trace), selfcheck's end token and exit;
 *   - the platform run ended exactly as the native run: stdout, stderr
 *     and exit status equal byte for byte (so it misses the same checks
 *     for the same bytes), and every repetition equals run 1.
 * The golden trace is the one check left out: the host has none, and a
 * trace that differs where the host's behaviour differs (a fault the CPU
 * did not raise) is the expected consequence. A known-failure entry does
 * not apply to a HOSTFAIL (it describes the platform). */
void judge(const struct tcase *c, struct run *const *runs, unsigned nrun, const struct run *native,
	   const char *known, const struct judge_env *env, struct verdict *v);
/* Only the first step: whether r failed to produce anything to compare
 * (v filled: TIMEOUT or ERROR with the message), for --bless. */
bool judge_problem(const struct run *r, const struct judge_env *env, struct verdict *v);
void verdict_free(struct verdict *v);

#endif
