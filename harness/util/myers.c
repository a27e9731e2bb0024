/* Myers, "An O(ND) Difference Algorithm and Its Variations" (1986),
 * section 4b: search from both ends at once; where the two searches meet
 * lies the middle of a shortest edit path, so split there and recurse on
 * the halves. Only two vectors of furthest-reaching x per diagonal are
 * kept, reused by every level of the recursion. */
#include "harness/util/myers.h"

#include <stdbool.h>
#include <stdlib.h>

struct myers {
	const size_t *a, *b;
	char *del, *ins;
	long *vf; /* forward: furthest x on diagonal k = x - y */
	long *vb; /* backward, from the ends: furthest x on k */
};

/* A point where the two searches meet. */
struct split {
	long x, y;
};

static void mark(char *flags, long from, long to)
{
	for (long i = from; i < to; i++)
		flags[i] = 1;
}

/* One step of a search (reverse: the backward one, on the sequences read
 * from their ends) for diagonal k at cost d; returns the x reached. The
 * further of the two neighbouring diagonals is extended by one edit, then
 * followed along equal elements (the "snake"). */
static long step(long *v, long k, long d, const size_t *a, long n, const size_t *b, long m,
		 bool reverse)
{
	long x = (k == -d || (k != d && v[k - 1] < v[k + 1])) ? v[k + 1] : v[k - 1] + 1;
	long y = x - k;
	if (!reverse)
		while (x < n && y < m && a[x] == b[y])
			x++, y++;
	else
		while (x < n && y < m && a[n - 1 - x] == b[m - 1 - y])
			x++, y++;
	v[k] = x;
	return x;
}

/* Whether v[k] holds a point inside the n x m grid: diagonals that ran
 * off the grid keep the out-of-range x that stopped them. */
static bool inside(const long *v, long k, long d, long n, long m)
{
	return k >= -d && k <= d && v[k] >= 0 && v[k] <= n && v[k] - k >= 0 && v[k] - k <= m;
}

/* Find where the searches meet for a[0..n), b[0..m), both non-empty and
 * with different first and last elements. false if they never share a
 * point, which happens only when no element is common. */
static bool bisect(struct myers *my, const size_t *a, long n, const size_t *b, long m,
		   struct split *sp)
{
	long maxd = (n + m + 1) / 2, delta = n - m;
	bool odd = delta & 1;
	long *vf = my->vf + maxd + 1, *vb = my->vb + maxd + 1;
	long kf0 = 0, kf1 = 0, kb0 = 0, kb1 = 0; /* diagonals left the grid */

	for (long k = -maxd - 1; k <= maxd + 1; k++)
		vf[k] = vb[k] = -1;
	vf[1] = vb[1] = 0;
	for (long d = 0; d < maxd; d++) {
		for (long k = -d + kf0; k <= d - kf1; k += 2) {
			long x = step(vf, k, d, a, n, b, m, false), y = x - k;
			if (x > n) {
				kf1 += 2;
			} else if (y > m) {
				kf0 += 2;
			} else if (odd && inside(vb, delta - k, d, n, m) &&
				   x >= n - vb[delta - k]) {
				*sp = (struct split){ x, y };
				return true;
			}
		}
		for (long k = -d + kb0; k <= d - kb1; k += 2) {
			long x = step(vb, k, d, a, n, b, m, true), y = x - k;
			if (x > n) {
				kb1 += 2;
			} else if (y > m) {
				kb0 += 2;
			} else if (!odd && inside(vf, delta - k, d, n, m) &&
				   vf[delta - k] >= n - x) {
				long fx = vf[delta - k];
				*sp = (struct split){ fx, fx - (delta - k) };
				return true;
			}
		}
	}
	return false;
}

static void compare(struct myers *my, long a0, long a1, long b0, long b1)
{
	while (a0 < a1 && b0 < b1 && my->a[a0] == my->b[b0])
		a0++, b0++;
	while (a0 < a1 && b0 < b1 && my->a[a1 - 1] == my->b[b1 - 1])
		a1--, b1--;
	if (a0 == a1 || b0 == b1) {
		mark(my->del, a0, a1);
		mark(my->ins, b0, b1);
		return;
	}
	struct split sp;
	long n = a1 - a0, m = b1 - b0;
	/* A split at a corner would recurse on the same problem forever;
	 * it cannot happen, but all-changed is a valid (if long) answer. */
	if (!bisect(my, my->a + a0, n, my->b + b0, m, &sp) || (sp.x == 0 && sp.y == 0) ||
	    (sp.x == n && sp.y == m)) {
		mark(my->del, a0, a1);
		mark(my->ins, b0, b1);
		return;
	}
	compare(my, a0, a0 + sp.x, b0, b0 + sp.y);
	compare(my, a0 + sp.x, a1, b0 + sp.y, b1);
}

int myers_diff(const size_t *a, size_t n, const size_t *b, size_t m, char *del, char *ins)
{
	size_t size = (n + m + 1) / 2 * 2 + 4;
	struct myers my = {
		.a = a,
		.b = b,
		.del = del,
		.ins = ins,
		.vf = malloc(size * sizeof(long)),
		.vb = malloc(size * sizeof(long)),
	};
	int rc = -1;
	if (my.vf && my.vb) {
		compare(&my, 0, (long)n, 0, (long)m);
		rc = 0;
	}
	free(my.vf);
	free(my.vb);
	return rc;
}
