/* The search of `harness triage bisect`: packages 0..n-1 of one series,
 * in build order, where package 0 behaves as "good" and package n-1
 * differently; find the first package that behaves differently from
 * package 0, booting as few as a binary search needs.
 *
 * A package that cannot be judged (it does not boot, or sends no result)
 * is skipped: the search tries the untried package nearest the middle
 * instead, as `git bisect skip` does. When only skipped packages are left
 * between the last good and the first different one, the answer is a
 * range: the change is in one of them or in the first different one. */
#ifndef HARNESS_TRIAGE_BISECT_H
#define HARNESS_TRIAGE_BISECT_H

#include <stdbool.h>
#include <stddef.h>

enum bisect_verdict {
	BISECT_GOOD,    /* behaves as package 0 */
	BISECT_CHANGED, /* behaves otherwise */
	BISECT_SKIP,    /* cannot tell */
};

/* Judges package i (0 < i < n-1); ctx is the caller's. */
typedef enum bisect_verdict (*bisect_probe)(size_t i, void *ctx);

struct bisect_result {
	size_t good;    /* the last package known to behave as package 0 */
	size_t changed; /* the first package known to behave otherwise */
	bool exact;     /* every package between them was skipped: false */
	size_t probes;  /* packages judged, skips included */
	bool stopped;   /* out of memory: nothing was judged */
};

/* n >= 2. Package 0 is taken as good and package n-1 as changed, without
 * probing them: the caller judged both to know what good and changed
 * mean. */
void bisect_search(size_t n, bisect_probe probe, void *ctx, struct bisect_result *r);

#endif
