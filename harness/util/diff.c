/* Unified diff output on top of myers.c: split into lines, give equal
 * lines equal ids, diff the ids, then print hunks the way diff -u does. */
#include "harness/util/diff.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util/hbuf.h"
#include "harness/util/myers.h"

#define NO_EOL "\\ No newline at end of file"

struct line {
	const char *p;
	size_t len; /* with the newline, if the line has one */
};

struct change {
	size_t a0, a1, b0, b1; /* a[a0..a1) replaced by b[b0..b1) */
};

struct out {
	struct hbuf b;
	struct diff_limits lim;
	size_t lines, bytes; /* shown, not counting the two headers */
	size_t dropped;      /* lines not shown */
};

/* Lines of s into l (sized by the caller: newlines + 1); the count. */
static size_t split(const char *s, size_t n, struct line *l)
{
	size_t k = 0;
	while (n) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl ? (size_t)(nl - s) + 1 : n;
		l[k++] = (struct line){ s, len };
		s += len;
		n -= len;
	}
	return k;
}

static size_t count_lines(const char *s, size_t n)
{
	size_t k = 0;
	for (const char *p = s; n && (p = memchr(p, '\n', n - (size_t)(p - s))); p++)
		k++;
	return k + 1;
}

static uint64_t hash(const struct line *l)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	for (size_t i = 0; i < l->len; i++)
		h = (h ^ (unsigned char)l->p[i]) * 1099511628211ull;
	return h;
}

static bool same(const struct line *x, const struct line *y)
{
	return x->len == y->len && !memcmp(x->p, y->p, x->len);
}

/* id[i] = the index of the first line equal to l[i], via an open
 * addressing table, so that the diff compares integers. */
static int intern(const struct line *l, size_t n, size_t *id)
{
	size_t cap = 16;
	while (cap < 2 * n)
		cap *= 2;
	size_t *tab = calloc(cap, sizeof *tab); /* index + 1; 0 is free */
	if (!tab)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t j = (size_t)hash(&l[i]) & (cap - 1);
		while (tab[j] && !same(&l[tab[j] - 1], &l[i]))
			j = (j + 1) & (cap - 1);
		if (!tab[j])
			tab[j] = i + 1;
		id[i] = tab[j] - 1;
	}
	free(tab);
	return 0;
}

/* Runs of changed lines, in order. Outside them lines pair up one to one,
 * so both indices advance together. */
static size_t changes(const char *del, size_t n, const char *ins, size_t m, struct change *ch)
{
	size_t i = 0, j = 0, k = 0;
	while (i < n || j < m) {
		if ((i < n && del[i]) || (j < m && ins[j])) {
			struct change c = { i, i, j, j };
			while (c.a1 < n && del[c.a1])
				c.a1++;
			while (c.b1 < m && ins[c.b1])
				c.b1++;
			ch[k++] = c;
			i = c.a1;
			j = c.b1;
		} else {
			i++, j++;
		}
	}
	return k;
}

/* Add one diff line of len bytes, unless a limit says stop; once
 * stopped, every later line only counts as not shown. */
static bool room(struct out *o, size_t len)
{
	if (o->dropped || o->lines + 1 > o->lim.max_lines || o->bytes + len > o->lim.max_bytes) {
		o->dropped++;
		return false;
	}
	o->lines++;
	o->bytes += len;
	return true;
}

static void put_text(struct hbuf *b, const char *p, size_t n)
{
	const char *nul;
	while ((nul = memchr(p, 0, n))) {
		hbuf_add(b, p, (size_t)(nul - p));
		hbuf_puts(b, "\\x00");
		n -= (size_t)(nul - p) + 1;
		p = nul + 1;
	}
	hbuf_add(b, p, n);
}

/* Bytes put_text() writes for n bytes at p. */
static size_t text_len(const char *p, size_t n)
{
	size_t len = n;
	for (const char *e = p + n; (p = memchr(p, 0, (size_t)(e - p))); p++)
		len += 3;
	return len;
}

static void emit(struct out *o, char mark, const struct line *l)
{
	bool eol = l->len && l->p[l->len - 1] == '\n';
	if (room(o, 1 + text_len(l->p, l->len) + !eol)) {
		hbuf_putc(&o->b, mark);
		put_text(&o->b, l->p, l->len);
		if (!eol)
			hbuf_putc(&o->b, '\n');
	}
	if (!eol && room(o, sizeof NO_EOL))
		hbuf_puts(&o->b, NO_EOL "\n");
}

/* diff -u's range: "start,count", "start" when count is 1, and for an
 * empty range the line before it. */
static void range(struct hbuf *b, char sign, size_t start, size_t count)
{
	if (count == 1)
		hbuf_printf(b, "%c%zu", sign, start + 1);
	else
		hbuf_printf(b, "%c%zu,%zu", sign, count ? start + 1 : start, count);
}

static void hunk(struct out *o, const struct line *a, size_t n, const struct line *b,
		 const struct change *c, size_t nc)
{
	size_t a0 = c[0].a0 > DIFF_CONTEXT ? c[0].a0 - DIFF_CONTEXT : 0;
	size_t b0 = c[0].b0 - (c[0].a0 - a0);
	const struct change *z = &c[nc - 1];
	size_t a1 = z->a1 + DIFF_CONTEXT < n ? z->a1 + DIFF_CONTEXT : n;
	size_t b1 = z->b1 + (a1 - z->a1);

	struct hbuf h = { 0 };
	hbuf_puts(&h, "@@ ");
	range(&h, '-', a0, a1 - a0);
	hbuf_putc(&h, ' ');
	range(&h, '+', b0, b1 - b0);
	hbuf_puts(&h, " @@\n");
	if (!h.failed && room(o, h.len))
		hbuf_add(&o->b, h.p, h.len);
	o->b.failed |= h.failed;
	hbuf_free(&h);

	size_t i = a0;
	for (size_t k = 0; k < nc; i = c[k++].a1) {
		for (; i < c[k].a0; i++)
			emit(o, ' ', &a[i]);
		for (size_t x = c[k].a0; x < c[k].a1; x++)
			emit(o, '-', &a[x]);
		for (size_t y = c[k].b0; y < c[k].b1; y++)
			emit(o, '+', &b[y]);
	}
	for (; i < a1; i++)
		emit(o, ' ', &a[i]);
}

/* Changes closer than twice the context share a hunk, as in diff -u. */
static void hunks(struct out *o, const struct line *a, size_t n, const struct line *b,
		  const struct change *c, size_t nc)
{
	for (size_t s = 0, e; s < nc; s = e) {
		for (e = s + 1; e < nc && c[e].a0 - c[e - 1].a1 <= 2 * DIFF_CONTEXT; e++)
			;
		hunk(o, a, n, b, c + s, e - s);
	}
}

static char *render(const struct line *l, size_t n, size_t m, const char *flags,
		    const struct diff_limits *lim)
{
	struct change *ch = malloc((n + m + 1) * sizeof *ch);
	if (!ch)
		return NULL;
	struct out o = { .lim = *lim };
	size_t nc = changes(flags, n, flags + n, m, ch);
	if (nc) {
		hbuf_puts(&o.b, "--- expected\n+++ actual\n");
		hunks(&o, l, n, l + n, ch, nc);
	}
	if (o.dropped)
		hbuf_printf(&o.b, "... %zu more lines of diff not shown\n", o.dropped);
	free(ch);
	return hbuf_take(&o.b, NULL);
}

struct subseq {
	size_t *at; /* index of each kept line */
	size_t *id; /* its id */
	size_t n;
};

/* Keep lines [from, to) that appear on both sides; mark the others. */
static void keep_common(const size_t *id, size_t from, size_t to, const unsigned char *sides,
			struct subseq *s, char *flags)
{
	for (size_t i = from; i < to; i++) {
		if (sides[id[i]] == 3) {
			s->at[s->n] = i;
			s->id[s->n++] = id[i];
		} else {
			flags[i] = 1;
		}
	}
}

/* A line that appears on one side only is changed in every edit script,
 * so it is marked here and left out of the search: the Myers search
 * costs O((N+M) D), and texts that differ on almost every line (a pid or
 * an address in each) would otherwise make D large. */
static int diff_ids(const size_t *id, size_t n, size_t m, char *flags)
{
	unsigned char *sides = calloc(n + m + 1, 1); /* 1: in a, 2: in b */
	struct subseq s = {
		.at = malloc((n + m + 1) * sizeof *s.at),
		.id = calloc(n + m + 1, sizeof *s.id), /* gcc -O3 wants it set */
	};
	char *sub = calloc(n + m + 1, 1);
	int rc = -1;

	if (sides && s.at && s.id && sub) {
		for (size_t i = 0; i < n + m; i++)
			sides[id[i]] |= i < n ? 1 : 2;
		keep_common(id, 0, n, sides, &s, flags);
		size_t ka = s.n;
		keep_common(id, n, n + m, sides, &s, flags);
		rc = myers_diff(s.id, ka, s.id + ka, s.n - ka, sub, sub + ka);
		for (size_t j = 0; j < s.n; j++)
			flags[s.at[j]] = sub[j];
	}
	free(sides);
	free(s.at);
	free(s.id);
	free(sub);
	return rc;
}

char *diff_unified(const char *a, size_t alen, const char *b, size_t blen,
		   const struct diff_limits *lim)
{
	static const struct diff_limits dflt = { DIFF_MAX_LINES, DIFF_MAX_BYTES };
	size_t cap = count_lines(a, alen) + count_lines(b, blen);
	struct line *l = malloc(cap * sizeof *l);
	size_t *id = malloc(cap * sizeof *id);
	char *flags = calloc(cap, 1);
	char *res = NULL;

	if (l && id && flags) {
		size_t n = split(a, alen, l);
		size_t m = split(b, blen, l + n);
		if (!intern(l, n + m, id) && !diff_ids(id, n, m, flags))
			res = render(l, n, m, flags, lim ? lim : &dflt);
	}
	free(l);
	free(id);
	free(flags);
	return res;
}
