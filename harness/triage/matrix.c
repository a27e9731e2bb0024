/* The case x kernel matrix and its differences (see triage.h). */
#include "harness/triage/triage.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util/diff.h"
#include "harness/util/hbuf.h"

int triage_add(struct triage *t, struct tr_kernel *k)
{
	/* Two files of the same kernel (a rerun) must stay apart. */
	for (size_t i = 0, n = 2; i < t->nk; i++)
		if (!strcmp(t->k[i].label, k->label)) {
			char *l;
			if (asprintf(&l, "%s (%zu)", k->label, n++) < 0)
				return -1;
			free(k->label);
			k->label = l;
			i = (size_t)-1;
		}
	struct tr_kernel *v = realloc(t->k, (t->nk + 1) * sizeof *v);
	if (!v)
		return -1;
	t->k = v;
	v[t->nk++] = *k;
	*k = (struct tr_kernel){ 0 };
	return 0;
}

bool triage_ran(const struct triage *t, size_t i)
{
	return !strcmp(t->k[i].status, "ok");
}

static bool eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The one run-dependent thing in an ERROR's trace: the platform's
 * message names the stub's pid and tid ("stub process 15501 (thread
 * 15503) killed by ..."). Digits after those words compare as equal, so
 * the same error on two kernels is not a difference. */
static const char *skip_pid(const char *s, const char *start)
{
	static const char *const words[] = { "stub process ", "(thread " };
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(words[i]);
		if ((size_t)(s - start) >= n && !strncmp(s - n, words[i], n) && *s >= '0' &&
		    *s <= '9') {
			while (*s >= '0' && *s <= '9')
				s++;
			return s;
		}
	}
	return NULL;
}

static bool eq_but_pids(const char *a, const char *b)
{
	if (eq(a, b))
		return true;
	if (!a || !b)
		return false;
	const char *a0 = a, *b0 = b;
	while (*a && *b) {
		const char *x = skip_pid(a, a0), *y = skip_pid(b, b0);
		if (x && y) {
			a = x;
			b = y;
		} else if (*a++ != *b++) {
			return false;
		}
	}
	return !*a && !*b;
}

bool triage_same(const struct tr_cell *a, const struct tr_cell *b)
{
	return eq(a->result, b->result) && eq(a->exit, b->exit) && eq(a->out, b->out) &&
	       eq_but_pids(a->err, b->err) && eq_but_pids(a->trace, b->trace);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every key of every kernel, once, sorted. */
static char **all_keys(const struct triage *t, size_t *n)
{
	size_t total = 0, m = 0;
	for (size_t i = 0; i < t->nk; i++)
		total += t->k[i].nres;
	char **v = malloc((total ? total : 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < t->nk; i++)
		for (size_t j = 0; j < t->k[i].nres; j++)
			v[m++] = t->k[i].keys[j];
	qsort(v, m, sizeof *v, cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < m; i++)
		if (!u || strcmp(v[u - 1], v[i]))
			v[u++] = v[i];
	*n = u;
	return v;
}

static const struct tr_cell *find(const struct tr_kernel *k, const char *key)
{
	size_t lo = 0, hi = k->nres;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(k->keys[mid], key);
		if (!c)
			return &k->cells[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct tr_cell *triage_compared(const struct triage *t, const struct tr_row *r, size_t k)
{
	const struct tr_cell *c = r->cells[k];
	return triage_ran(t, k) && c && strcmp(c->result, "NOTRUN") ? c : NULL;
}

size_t triage_ref(const struct triage *t, const struct tr_row *r)
{
	for (size_t i = 0; i < t->nk; i++)
		if (triage_compared(t, r, i))
			return i;
	return 0;
}

static bool differs(const struct triage *t, const struct tr_row *r)
{
	size_t ref = triage_ref(t, r);
	const struct tr_cell *a = triage_compared(t, r, ref);
	for (size_t i = ref + 1; a && i < t->nk; i++)
		if (triage_compared(t, r, i) && !triage_same(a, r->cells[i]))
			return true;
	return false;
}

static int cmp_row(const void *a, const void *b)
{
	const struct tr_row *x = a, *y = b;
	if (x->differs != y->differs)
		return x->differs ? -1 : 1;
	return strcmp(x->key, y->key);
}

int triage_build(struct triage *t)
{
	size_t n;
	char **keys = all_keys(t, &n);
	if (!keys)
		return -1;
	t->rows = calloc(n ? n : 1, sizeof *t->rows);
	if (!t->rows) {
		free(keys);
		return -1;
	}
	t->nrows = n;
	t->ndiffer = 0;
	for (size_t i = 0; i < n; i++) {
		struct tr_row *r = &t->rows[i];
		r->key = keys[i];
		r->cells = calloc(t->nk ? t->nk : 1, sizeof *r->cells);
		if (!r->cells) {
			free(keys);
			return -1;
		}
		for (size_t j = 0; j < t->nk; j++)
			r->cells[j] = find(&t->k[j], r->key);
		r->differs = differs(t, r);
		t->ndiffer += r->differs;
	}
	free(keys);
	qsort(t->rows, n, sizeof *t->rows, cmp_row);
	return 0;
}

const char *triage_fp_get(const struct tr_kernel *k, const char *key)
{
	for (size_t i = 0; i < k->nfp; i++)
		if (!strcmp(k->fp[i].key, key))
			return k->fp[i].value;
	return NULL;
}

const char **triage_fp_keys(const struct triage *t, size_t *n)
{
	size_t total = 0, m = 0;
	for (size_t i = 0; i < t->nk; i++)
		total += t->k[i].nfp;
	const char **v = malloc((total ? total : 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < t->nk; i++)
		for (size_t j = 0; j < t->k[i].nfp; j++) {
			size_t u = 0;
			while (u < m && strcmp(v[u], t->k[i].fp[j].key))
				u++;
			if (u == m)
				v[m++] = t->k[i].fp[j].key;
		}
	*n = m;
	return v;
}

bool triage_fp_differs(const struct triage *t, const char *key)
{
	for (size_t i = 1; i < t->nk; i++)
		if (!eq(triage_fp_get(&t->k[0], key), triage_fp_get(&t->k[i], key)))
			return true;
	return false;
}

/* The usual kinds in their usual order, then any other (a kind a newer
 * harness added) by its own name, in first-seen order. */
void triage_counts(const struct tr_kernel *k, char *buf, size_t size)
{
	enum { MAXKINDS = 24 };
	const char *kinds[MAXKINDS] = { "PASS",  "FAIL",    "XFAIL",    "XPASS", "SKIP",
					"ERROR", "TIMEOUT", "HOSTFAIL", "NOTRUN" };
	size_t n[MAXKINDS] = { 0 }, nk = 9, other = 0, len = 0;
	for (size_t i = 0; i < k->nres; i++) {
		size_t j = 0;
		while (j < nk && strcmp(kinds[j], k->cells[i].result))
			j++;
		if (j == nk && nk < MAXKINDS)
			kinds[nk++] = k->cells[i].result;
		if (j < nk)
			n[j]++;
		else
			other++;
	}
	buf[0] = 0;
	for (size_t j = 0; j < nk && len < size; j++)
		if (n[j])
			len += (size_t)snprintf(buf + len, size - len, "%s%zu %s", len ? ", " : "",
						n[j], kinds[j]);
	if (other && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%s%zu other", len ? ", " : "",
					other);
	if (!len)
		snprintf(buf, size, "no results");
}

/* One cell's run as one text, so a single diff shows every difference. */
static void behaviour(struct hbuf *b, const struct tr_cell *c)
{
	hbuf_printf(b, "result: %s\nexit: %s\n", c->result, c->exit ? c->exit : "?");
	const char *part[][2] = { { "stdout", c->out },
				  { "stderr", c->err },
				  { "trace", c->trace } };
	for (size_t i = 0; i < 3; i++) {
		const char *s = part[i][1] ? part[i][1] : "";
		hbuf_printf(b, "--- %s\n%s", part[i][0], s);
		if (*s && s[strlen(s) - 1] != '\n')
			hbuf_putc(b, '\n');
	}
}

/* diff_unified's body without its "--- expected/+++ actual" header. */
static void diff_body(struct hbuf *b, const char *d)
{
	for (int i = 0; i < 2 && *d; i++) {
		const char *nl = strchr(d, '\n');
		d = nl ? nl + 1 : d + strlen(d);
	}
	hbuf_puts(b, d);
}

/* other did not pass where passed did, so passed produced what the case
 * expects; other's own diff (against the golden output, or against the
 * native run on other's kernel for O3) shows the difference, with its
 * original headers, which say which. */
static void against_expected(struct hbuf *b, const struct tr_kernel *passed,
			     const struct tr_kernel *other, const struct tr_cell *c)
{
	hbuf_printf(b, "# %s passed; %s: %s, its diff against what the case expects there:\n",
		    passed->label, other->label, c->result);
	if (c->diff && *c->diff)
		hbuf_puts(b, c->diff);
	else if (c->message)
		hbuf_puts(b, c->message);
}

char *triage_explain(const struct triage *t, const struct tr_row *r, size_t ref, size_t k)
{
	const struct tr_cell *a = r->cells[ref], *c = r->cells[k];
	struct hbuf b = { 0 };
	if (a->exit && c->exit) {
		struct hbuf x = { 0 }, y = { 0 };
		behaviour(&x, a);
		behaviour(&y, c);
		size_t xl, yl;
		char *xs = hbuf_take(&x, &xl), *ys = hbuf_take(&y, &yl);
		char *d = xs && ys ? diff_unified(xs, xl, ys, yl, NULL) : NULL;
		if (d) {
			hbuf_printf(&b, "--- %s\n+++ %s\n", t->k[ref].label, t->k[k].label);
			diff_body(&b, d);
		} else {
			b.failed = true;
		}
		free(d);
		free(xs);
		free(ys);
	} else if (!c->exit && !strcmp(c->result, "PASS")) {
		against_expected(&b, &t->k[k], &t->k[ref], a);
	} else if (!a->exit && !strcmp(a->result, "PASS")) {
		against_expected(&b, &t->k[ref], &t->k[k], c);
	} else {
		/* Neither has its output (a SKIP, a result decided without a
		 * run, or a results file older than "actual"). */
		hbuf_printf(&b, "%s: %s\n%s%s: %s\n%s", t->k[ref].label, a->result,
			    a->message ? a->message : "", t->k[k].label, c->result,
			    c->message ? c->message : "");
	}
	if (!b.failed && b.len && b.p[b.len - 1] != '\n')
		hbuf_putc(&b, '\n');
	hbuf_putc(&b, 0);
	return hbuf_take(&b, NULL);
}

void triage_kernel_free(struct tr_kernel *k)
{
	for (size_t j = 0; k->keys && j < k->nres; j++)
		free(k->keys[j]);
	free(k->keys);
	free(k->cells);
	free(k->fp);
	free(k->label);
	free(k->path);
	json_decref(k->doc);
	json_decref(k->rundoc);
	json_decref(k->names);
	*k = (struct tr_kernel){ 0 };
}

void triage_free(struct triage *t)
{
	for (size_t i = 0; i < t->nk; i++)
		triage_kernel_free(&t->k[i]);
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i].cells);
	free(t->rows);
	free(t->k);
	*t = (struct triage){ 0 };
}
