/* The value of the "chaos" key (harness/case/CASES.md):
 *
 *   kill-stub-process | kill-stub-thread
 *   signal-stub STEP[, STEP...]
 *
 * where STEP is "ACTION SIGNAL [xN]" with ACTION one of kill, tgkill,
 * sigqueue, tgsigqueue, sigqueue-positive, or "stop-continue [xN]";
 * N is 1..CASE_CHAOS_MAX_COUNT (default 1), at most CASE_CHAOS_MAX_STEPS
 * steps, signal names as in signame.h (SIGKILL and SIGSTOP refused: the
 * first is the kill modes' business, the second is stop-continue's). */
#ifndef HARNESS_CASE_CHAOS_H
#define HARNESS_CASE_CHAOS_H

#include <stddef.h>

#include "harness/case/case.h"

/* Fills c->chaos and its steps from v; 0, or -1 with the problem (without
 * a file position) in err. */
int case_chaos_parse(struct tcase *c, const char *v, char *err, size_t errlen);

/* The value written back, canonical (one blank, ", " between steps, no
 * "x1"); malloc'd, NULL when out of memory or without chaos. */
char *case_chaos_format(const struct tcase *c);

/* The name of a step's action as the key spells it. */
const char *case_chaos_action_name(enum case_chaos_action a);

#endif
