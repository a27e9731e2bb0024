/* KTAP v1 (Documentation/dev-tools/ktap.rst): one subtest block per
 * family, indented two spaces, one result line per case and variant.
 * KTAP's directives name the outcome: "# SKIP", "# XFAIL", "# TIMEOUT",
 * "# ERROR" ("# XPASS" and "# NOTRUN" are ours; parsers fall back to the
 * ok/not ok before them). HOSTFAIL is "ok ... # SKIP", since KTAP's
 * readers know what a skip is; its reason starts "host fails it too" and
 * the totals count it apart. The message's first line is the directive's reason; the rest of it
 * and the diff follow the result line as diagnostic lines at the
 * subtest's indentation. (KTAP's habit is diagnostics before the result;
 * after it is TAP's, and reads better with a long diff: the failing line
 * comes first, then why.) */
#include "harness/report/results.h"

#include <stdlib.h>
#include <string.h>

#include "harness/util/utf8.h"

#define INDENT "  "

/* Bytes of s up to n, with control bytes as \xNN so that one line stays
 * one line, and malformed UTF-8 too so that the report is text; in a
 * description '#' would start a directive, so it is \# (and \ is \\). */
static void put(FILE *f, const char *s, size_t n, bool desc)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_seq(p + i, n - i);
		if (!len || (p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
			fprintf(f, "\\x%02x", p[i++]);
			continue;
		}
		if (desc && (p[i] == '#' || p[i] == '\\'))
			putc('\\', f);
		fwrite(p + i, 1, len, f);
		i += len;
	}
}

static void label(FILE *f, const struct result *r)
{
	put(f, r->name, strlen(r->name), true);
	if (r->variant && *r->variant) {
		fputs(" [", f);
		put(f, r->variant, strlen(r->variant), true);
		putc(']', f);
	}
}

/* Each line of s from line `from` on as a diagnostic line. */
static void diag(FILE *f, const char *s, unsigned from)
{
	for (unsigned line = 0; s && *s; line++) {
		size_t n = strcspn(s, "\n");
		if (line >= from) {
			fputs(n ? INDENT "# " : INDENT "#", f);
			put(f, s, n, false);
			putc('\n', f);
		}
		s += n + (s[n] == '\n');
	}
}

static const char *directive(enum result_kind k)
{
	switch (k) {
	case RESULT_SKIP:
	case RESULT_HOSTFAIL: return "SKIP";
	case RESULT_NOTRUN: return "NOTRUN";
	case RESULT_XFAIL: return "XFAIL";
	case RESULT_XPASS: return "XPASS";
	case RESULT_TIMEOUT: return "TIMEOUT";
	case RESULT_ERROR: return "ERROR";
	default: return NULL;
	}
}

static void result_line(FILE *f, unsigned num, const struct result *r)
{
	const char *dir = directive(r->kind);
	fprintf(f, INDENT "%s %u ", result_kind_ok(r->kind) ? "ok" : "not ok", num);
	label(f, r);
	if (dir) {
		fprintf(f, " # %s", dir);
		if (r->message && *r->message && *r->message != '\n') {
			putc(' ', f);
			put(f, r->message, strcspn(r->message, "\n"), false);
		}
	}
	putc('\n', f);
	diag(f, r->message, dir ? 1 : 0);
	diag(f, r->diff, 0);
}

/* The block for v[0..n), one family; returns the index after it. */
static size_t family(FILE *f, unsigned num, const struct result **v, size_t n)
{
	size_t end = 1;
	while (end < n && !strcmp(v[end]->family, v[0]->family))
		end++;
	bool ok = true, all_skipped = true;
	fputs(INDENT "KTAP version 1\n", f);
	fprintf(f, INDENT "1..%zu\n", end);
	for (size_t i = 0; i < end; i++) {
		result_line(f, (unsigned)i + 1, v[i]);
		ok &= result_kind_ok(v[i]->kind);
		all_skipped &= v[i]->kind == RESULT_SKIP || v[i]->kind == RESULT_HOSTFAIL;
	}
	fprintf(f, "%s %u ", ok ? "ok" : "not ok", num);
	put(f, v[0]->family, strlen(v[0]->family), true);
	fputs(all_skipped ? " # SKIP\n" : "\n", f);
	return end;
}

static size_t count_families(const struct result **v, size_t n)
{
	size_t k = n ? 1 : 0;
	for (size_t i = 1; i < n; i++)
		k += strcmp(v[i]->family, v[i - 1]->family) != 0;
	return k;
}

int report_ktap(FILE *f, const struct fingerprint *fp, const struct result *r, size_t n)
{
	const struct result **v = results_sorted(r, n);
	if (!v)
		return -1;
	fputs("KTAP version 1\n", f);
	for (size_t i = 0; fp && i < fp->n; i++) {
		fputs("# ", f);
		put(f, fp->pairs[i].key, strlen(fp->pairs[i].key), false);
		fputs(": ", f);
		put(f, fp->pairs[i].value, strlen(fp->pairs[i].value), false);
		putc('\n', f);
	}
	fprintf(f, "1..%zu\n", count_families(v, n));
	unsigned num = 1;
	for (size_t i = 0; i < n; num++)
		i += family(f, num, v + i, n - i);
	struct result_totals t;
	result_totals(r, n, &t);
	/* The kinds added later go last: readers that scan the first seven
	 * (bench/suite.c) keep working. */
	fprintf(f,
		"# Totals: pass:%zu fail:%zu xfail:%zu xpass:%zu skip:%zu "
		"error:%zu timeout:%zu hostfail:%zu notrun:%zu\n",
		t.n[RESULT_PASS], t.n[RESULT_FAIL], t.n[RESULT_XFAIL], t.n[RESULT_XPASS],
		t.n[RESULT_SKIP], t.n[RESULT_ERROR], t.n[RESULT_TIMEOUT], t.n[RESULT_HOSTFAIL],
		t.n[RESULT_NOTRUN]);
	free(v);
	return report_flushed(f);
}
