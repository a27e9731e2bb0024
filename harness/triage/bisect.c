/* Binary search with skips (see bisect.h). */
#include "harness/triage/bisect.h"

#include <stdlib.h>

/* The untried package in (lo, hi) nearest their middle, or hi when every
 * one of them was skipped. Ties go to the lower one, so a search without
 * skips is the plain binary search. */
static size_t next_probe(size_t lo, size_t hi, const bool *skipped)
{
	if (hi - lo < 2)
		return hi;
	size_t mid = lo + (hi - lo) / 2; /* lo < mid < hi */
	for (size_t d = 0; d < mid - lo || d < hi - mid; d++) {
		if (d < mid - lo && !skipped[mid - d])
			return mid - d;
		if (d && d < hi - mid && !skipped[mid + d])
			return mid + d;
	}
	return hi;
}

void bisect_search(size_t n, bisect_probe probe, void *ctx, struct bisect_result *r)
{
	*r = (struct bisect_result){ .good = 0, .changed = n - 1, .exact = true };
	bool *skipped = calloc(n, sizeof *skipped);
	if (!skipped) {
		r->stopped = true;
		return;
	}
	for (;;) {
		size_t i = next_probe(r->good, r->changed, skipped);
		if (i == r->changed)
			break;
		if (r->probes == n) { /* each package is judged once at most */
			r->stopped = true;
			break;
		}
		r->probes++;
		enum bisect_verdict v = probe(i, ctx);
		if (v == BISECT_GOOD)
			r->good = i;
		else if (v == BISECT_CHANGED)
			r->changed = i;
		else
			skipped[i] = true;
	}
	r->exact = r->changed == r->good + 1;
	free(skipped);
}
