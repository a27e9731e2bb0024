/* The cost file (see costs.h). */
#include "harness/runner/costs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util/hbuf.h"

#define COST_MAX_MS 86400000ul /* a day */

static int find(const struct costs *c, const char *name, size_t *at)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->v[mid].name, name);
		if (!d) {
			*at = mid;
			return 1;
		}
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

long costs_get(const struct costs *c, const char *name)
{
	size_t at;
	return find(c, name, &at) ? (long)c->v[at].ms : -1;
}

int costs_set(struct costs *c, const char *name, unsigned long ms)
{
	size_t at;
	if (find(c, name, &at)) {
		c->v[at].ms = ms;
		return 0;
	}
	struct cost *v = realloc(c->v, (c->n + 1) * sizeof *v);
	char *copy = strdup(name);
	if (v)
		c->v = v;
	if (!v || !copy) {
		free(copy);
		return -1;
	}
	memmove(v + at + 1, v + at, (c->n - at) * sizeof *v);
	v[at] = (struct cost){ copy, ms };
	c->n++;
	return 0;
}

void costs_filter(struct costs *c, int (*keep)(const char *name, void *arg), void *arg)
{
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (keep(c->v[i].name, arg))
			c->v[k++] = c->v[i];
		else
			free(c->v[i].name);
	}
	c->n = k;
}

void costs_free(struct costs *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	*c = (struct costs){ 0 };
}

/* One "NAME MS" line (NUL-terminated, newline stripped). */
static const char *parse_line(struct costs *c, char *s)
{
	char *save;
	char *name = strtok_r(s, " \t\r", &save), *ms = strtok_r(NULL, " \t\r", &save);
	if (!ms || strtok_r(NULL, " \t\r", &save))
		return "expected 'NAME MILLISECONDS'";
	char *end;
	errno = 0;
	unsigned long v = strtoul(ms, &end, 10);
	if (*ms < '0' || *ms > '9' || *end || errno || v > COST_MAX_MS)
		return "bad milliseconds";
	if (costs_get(c, name) >= 0)
		return "case listed twice";
	return costs_set(c, name, v) ? "out of memory" : NULL;
}

int costs_parse(const char *path, const char *text, size_t len, struct costs *c, char *err,
		size_t errlen)
{
	*c = (struct costs){ 0 };
	unsigned line = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - text) - i : len - i;
		char *s = strndup(text + i, n);
		const char *why = s ? NULL : "out of memory";
		line++;
		i += n + 1;
		if (s && s[strspn(s, " \t\r")] && s[strspn(s, " \t\r")] != '#')
			why = parse_line(c, s);
		free(s);
		if (why) {
			snprintf(err, errlen, "%s:%u: %s", path, line, why);
			costs_free(c);
			return -1;
		}
	}
	return 0;
}

int costs_load(const char *path, struct costs *c, char *err, size_t errlen)
{
	*c = (struct costs){ 0 };
	FILE *f = fopen(path, "re");
	if (!f && errno == ENOENT)
		return 0;
	struct hbuf b = { 0 };
	char chunk[4096];
	for (size_t n; f && (n = fread(chunk, 1, sizeof chunk, f));)
		hbuf_add(&b, chunk, n);
	int bad = !f || ferror(f);
	int e = errno;
	if (f)
		fclose(f);
	size_t len;
	char *text = hbuf_take(&b, &len);
	if (bad || !text) {
		snprintf(err, errlen, "%s: %s", path, bad ? strerror(e) : "out of memory");
		free(text);
		return -1;
	}
	int rc = costs_parse(path, text, len, c, err, errlen);
	free(text);
	return rc;
}

char *costs_format(const struct costs *c)
{
	struct hbuf b = { 0 };
	hbuf_puts(&b,
		  "# Case costs in milliseconds, slowest first when scheduling.\n"
		  "# Written by harness suite to its report directory; copy it here\n"
		  "# to refresh the committed one.\n");
	for (size_t i = 0; i < c->n; i++)
		hbuf_printf(&b, "%s %lu\n", c->v[i].name, c->v[i].ms);
	return hbuf_take(&b, NULL);
}

struct order_ctx {
	const struct costs *c;
	const char *const *names;
};

static int slower_first(const void *x, const void *y, void *arg)
{
	const struct order_ctx *o = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	long ca = costs_get(o->c, o->names[a]), cb = costs_get(o->c, o->names[b]);
	unsigned long ka = ca < 0 ? ~0ul : (unsigned long)ca;
	unsigned long kb = cb < 0 ? ~0ul : (unsigned long)cb;
	if (ka != kb)
		return ka > kb ? -1 : 1;
	int d = strcmp(o->names[a], o->names[b]);
	return d ? d : (a > b) - (a < b);
}

void costs_order(const struct costs *c, const char *const *names, size_t n, size_t *order)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	struct order_ctx o = { c, names };
	qsort_r(order, n, sizeof *order, slower_first, &o);
}
