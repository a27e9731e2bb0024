/* The oracles (see oracle.h). */
#include "harness/runner/oracle.h"

#include <stdlib.h>
#include <string.h>

#include "harness/util/diff.h"
#include "harness/runner/exitstat.h"

#define STDERR_TAIL 2048 /* of the guest's stderr in a self-check message */

bool oracle_diff(struct hbuf *d, const char *what, const char *left, const char *right,
		 const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen == blen && (!alen || !memcmp(a, b, alen)))
		return false;
	char *u = diff_unified(a ? a : "", alen, b ? b : "", blen, NULL);
	/* Our own headers instead of diff.c's "--- expected" / "+++ actual". */
	const char *body = u ? u : "";
	for (int skip = 0; skip < 2 && *body; skip++)
		body += strcspn(body, "\n") + (body[strcspn(body, "\n")] == '\n');
	hbuf_printf(d, "--- %s %s\n+++ %s %s\n%s", left, what, right, what,
		    u ? body : "(out of memory for the diff)\n");
	free(u);
	return true;
}

/* One message line: "PREFIX: stdout, exit differ SUFFIX". */
static void note(struct findings *f, const char *prefix, const char *what, unsigned nwhat,
		 const char *suffix)
{
	hbuf_printf(&f->msg, "%s: %s differ%s%s\n", prefix, what, nwhat == 1 ? "s" : "", suffix);
	f->n++;
}

static void add_word(char *list, size_t n, const char *w)
{
	size_t len = strlen(list);
	snprintf(list + len, n - len, "%s%s", len ? ", " : "", w);
}

static bool stream_diff(struct hbuf *d, const char *what, const char *left, const char *right,
			const struct bytes *a, const struct bytes *b)
{
	return oracle_diff(d, what, left, right, a->p, a->len, b->p, b->len);
}

static bool exit_diff(struct hbuf *d, const char *left, const char *right, const char *a,
		      const char *b)
{
	return oracle_diff(d, "exit", left, right, a, strlen(a), b, strlen(b));
}

/* The golden comparison of r, whose streams are labelled right in the
 * diffs; the trace only when r has one (a native run has none). */
static void golden(const struct tcase *c, const struct run *r, const char *right, bool trace,
		   struct findings *f)
{
	static const struct {
		enum case_section sect;
		enum run_stream s;
	} map[] = {
		{ CASE_STDOUT, RUN_STDOUT },
		{ CASE_STDERR, RUN_STDERR },
		{ CASE_TRACE, RUN_TRACE },
	};
	char what[64] = "";
	unsigned n = 0;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		const struct case_text *t = &c->sect[map[i].sect];
		const struct bytes *got = &r->s[map[i].s];
		const char *name = case_section_name(map[i].sect);
		if (map[i].s == RUN_TRACE && !trace)
			continue;
		if (t->present && oracle_diff(&f->diff, name, "expected", right, t->data, t->len,
					      got->p, got->len)) {
			add_word(what, sizeof what, name);
			n++;
		}
	}
	char want[EXITSTAT_LEN], got[EXITSTAT_LEN];
	if (!exitstat_matches(&c->exit, &r->res)) {
		exit_diff(&f->diff, "expected", right, exitstat_case_text(&c->exit, want),
			  exitstat_text(&r->res, got));
		add_word(what, sizeof what, "exit");
		n++;
	}
	if (n)
		note(f, "golden", what, n, " from the case");
}

void oracle_golden(const struct tcase *c, const struct run *r, struct findings *f)
{
	golden(c, r, "actual", true, f);
}

bool oracle_end_token(const char *p, size_t n)
{
	size_t k = strlen(ORACLE_END_TOKEN);
	for (size_t i = 0; p && i + k <= n;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - p) - i : n - i;
		if (len == k && !memcmp(p + i, ORACLE_END_TOKEN, k))
			return true;
		i += len + 1;
	}
	return false;
}

/* The guest's stderr tail, where G_ASSERT writes "ASSERT FAILED ...". */
static void stderr_tail(struct findings *f, const struct bytes *err)
{
	if (!err->len)
		return;
	hbuf_puts(&f->msg, "guest stderr:\n");
	hbuf_puts(&f->msg, bytes_tail(err, STDERR_TAIL));
	if (err->p[err->len - 1] != '\n')
		hbuf_putc(&f->msg, '\n');
}

static void selfcheck(const struct tcase *c, const struct run *r, const char *right,
		      struct findings *f)
{
	struct case_exit zero = { CASE_EXIT_CODE, 0, false };
	const struct case_exit *want = c->exit.kind == CASE_EXIT_UNCHECKED ? &zero : &c->exit;
	bool token = oracle_end_token(r->s[RUN_STDOUT].p, r->s[RUN_STDOUT].len);
	char a[EXITSTAT_LEN], b[EXITSTAT_LEN];
	/* With golden also named and an exit: key, golden compares the same
	 * exit already; say it once. */
	bool check_exit = !((c->oracles & ORACLE_GOLDEN) && c->exit.kind != CASE_EXIT_UNCHECKED);
	bool exit_bad = check_exit && !exitstat_matches(want, &r->res);
	if (token && !exit_bad)
		return;
	if (exit_bad)
		exit_diff(&f->diff, "expected", right, exitstat_case_text(want, a),
			  exitstat_text(&r->res, b));
	hbuf_printf(&f->msg, "selfcheck: %s%s%s\n",
		    token ? "" : "no " ORACLE_END_TOKEN " line on stdout",
		    !token && exit_bad ? ", and " : "", exit_bad ? "wrong exit status" : "");
	f->n++;
	stderr_tail(f, &r->s[RUN_STDERR]);
}

void oracle_selfcheck(const struct tcase *c, const struct run *r, struct findings *f)
{
	selfcheck(c, r, "actual", f);
}

void oracle_host(const struct tcase *c, const struct run *native, struct findings *f)
{
	if (c->oracles & ORACLE_GOLDEN)
		golden(c, native, "native", false, f);
	if (c->oracles & ORACLE_SELFCHECK)
		selfcheck(c, native, "native", f);
}

bool oracle_same_as_native(const struct run *native, const struct run *r)
{
	static const enum run_stream streams[] = { RUN_STDOUT, RUN_STDERR };
	for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
		const struct bytes *a = &native->s[streams[i]], *b = &r->s[streams[i]];
		if (a->len != b->len || (a->len && memcmp(a->p, b->p, a->len)))
			return false;
	}
	return exitstat_equal(&native->res, &r->res);
}

void oracle_native(const struct tcase *c, const struct run *native, const struct run *r,
		   struct findings *f)
{
	char what[32] = "", a[EXITSTAT_LEN], b[EXITSTAT_LEN];
	unsigned n = 0;
	if (stream_diff(&f->diff, "stdout", "native", "actual", &native->s[RUN_STDOUT],
			&r->s[RUN_STDOUT])) {
		add_word(what, sizeof what, "stdout");
		n++;
	}
	if (case_host_program(c) && stream_diff(&f->diff, "stderr", "native", "actual",
						&native->s[RUN_STDERR], &r->s[RUN_STDERR])) {
		add_word(what, sizeof what, "stderr");
		n++;
	}
	if (!exitstat_equal(&native->res, &r->res)) {
		exit_diff(&f->diff, "native", "actual", exitstat_text(&native->res, a),
			  exitstat_text(&r->res, b));
		add_word(what, sizeof what, "exit");
		n++;
	}
	if (n)
		note(f, "native", what, n, " from the host kernel's run");
}

void oracle_repeat(const struct tcase *c, const struct run *first, const struct run *again,
		   unsigned k, struct findings *f)
{
	static const enum run_stream streams[] = { RUN_STDOUT, RUN_STDERR, RUN_TRACE };
	static const char *const names[] = { "stdout", "stderr", "trace" };
	char what[64] = "", left[16], right[16], a[EXITSTAT_LEN], b[EXITSTAT_LEN];
	unsigned n = 0;
	snprintf(left, sizeof left, "run 1");
	snprintf(right, sizeof right, "run %u", k);
	size_t nstreams = c->sect[CASE_TRACE].present ? 3 : 2;
	for (size_t i = 0; i < nstreams; i++)
		if (stream_diff(&f->diff, names[i], left, right, &first->s[streams[i]],
				&again->s[streams[i]])) {
			add_word(what, sizeof what, names[i]);
			n++;
		}
	if (exit_diff(&f->diff, left, right, exitstat_text(&first->res, a),
		      exitstat_text(&again->res, b))) {
		add_word(what, sizeof what, "exit");
		n++;
	}
	if (!n)
		return;
	hbuf_printf(&f->msg, "nondeterministic: %s and %s differ in %s\n", left, right, what);
	f->n++;
}

void findings_free(struct findings *f)
{
	hbuf_free(&f->msg);
	hbuf_free(&f->diff);
	*f = (struct findings){ 0 };
}
