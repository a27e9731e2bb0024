/* What the report writers share: kind names, totals, report order. */
#include "harness/report/results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const upper[RESULT_NKINDS] = {
	"PASS", "FAIL", "SKIP", "XFAIL", "XPASS", "TIMEOUT", "ERROR", "HOSTFAIL", "NOTRUN",
};
static const char *const lower[RESULT_NKINDS] = {
	"pass", "fail", "skip", "xfail", "xpass", "timeout", "error", "hostfail", "notrun",
};

const char *result_kind_name(enum result_kind k)
{
	return (unsigned)k < RESULT_NKINDS ? upper[k] : "?";
}

const char *result_kind_lower(enum result_kind k)
{
	return (unsigned)k < RESULT_NKINDS ? lower[k] : "?";
}

bool result_kind_ok(enum result_kind k)
{
	return k == RESULT_PASS || k == RESULT_SKIP || k == RESULT_XFAIL || k == RESULT_HOSTFAIL;
}

void result_totals(const struct result *r, size_t n, struct result_totals *t)
{
	*t = (struct result_totals){ 0 };
	for (size_t i = 0; i < n; i++)
		if ((unsigned)r[i].kind < RESULT_NKINDS)
			t->n[r[i].kind]++;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Family first so that each family is one block even when a family name
 * is a prefix of another ("a" and "a-b"). */
static int cmp(const void *x, const void *y)
{
	const struct result *a = *(const struct result *const *)x;
	const struct result *b = *(const struct result *const *)y;
	int c = cmp_str(a->family, b->family);
	if (!c)
		c = cmp_str(a->name, b->name);
	if (!c)
		c = cmp_str(a->variant, b->variant);
	if (!c) /* qsort is not stable; keep the caller's order of twins */
		c = (a > b) - (a < b);
	return c;
}

const struct result **results_sorted(const struct result *r, size_t n)
{
	const struct result **v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = &r[i];
	qsort(v, n, sizeof *v, cmp);
	return v;
}

int report_flushed(FILE *f)
{
	if (fflush(f) == 0 && !ferror(f))
		return 0;
	if (!errno)
		errno = EIO;
	return -1;
}
