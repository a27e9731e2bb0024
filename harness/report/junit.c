/* JUnit XML as CI servers read it: <testsuites>, one <testsuite> per
 * family with the fingerprint as <properties>, one <testcase> per case
 * and variant. FAIL, XPASS and TIMEOUT are <failure>s, ERROR and NOTRUN
 * <error>s (an interrupted run must not look green to a CI server that
 * reads only this file), SKIP, XFAIL and HOSTFAIL <skipped>; the type
 * attribute keeps our kind. */
#include "harness/report/results.h"

#include <stdlib.h>
#include <string.h>

#include "harness/util/utf8.h"

/* Bytes that XML 1.0 cannot carry, not even as &#N;: most control
 * characters, U+FFFE and U+FFFF, and anything that is not well-formed
 * UTF-8 (len 0). Guest output has all of them. */
static bool unfit(const unsigned char *p, size_t len)
{
	if (len == 1)
		return (p[0] < 0x20 && p[0] != '\t' && p[0] != '\n' && p[0] != '\r') ||
		       p[0] == 0x7f;
	return !len || (len == 3 && p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe);
}

/* Escaped text; unfit bytes are shown as the text \xNN. In attributes,
 * newline and tab become character references, which attribute
 * normalisation would otherwise turn into spaces; so does a carriage
 * return everywhere, which parsers would drop before a newline. */
static void xml(FILE *f, const char *s, size_t n, bool attr)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t len = utf8_seq(p + i, n - i);
		if (unfit(p + i, len)) {
			fprintf(f, "\\x%02x", p[i++]);
			continue;
		}
		if (p[i] == '&')
			fputs("&amp;", f);
		else if (p[i] == '<')
			fputs("&lt;", f);
		else if (p[i] == '>')
			fputs("&gt;", f);
		else if (p[i] == '"' && attr)
			fputs("&quot;", f);
		else if (p[i] == '\r' || (attr && (p[i] == '\n' || p[i] == '\t')))
			fprintf(f, "&#%u;", p[i]);
		else
			fwrite(p + i, 1, len, f);
		i += len;
	}
}

static void xmls(FILE *f, const char *s, bool attr)
{
	if (s)
		xml(f, s, strlen(s), attr);
}

static void seconds(FILE *f, unsigned long ms)
{
	fprintf(f, "%lu.%03lu", ms / 1000, ms % 1000);
}

static const char *element(enum result_kind k)
{
	switch (k) {
	case RESULT_FAIL:
	case RESULT_XPASS:
	case RESULT_TIMEOUT: return "failure";
	case RESULT_ERROR:
	case RESULT_NOTRUN: return "error";
	case RESULT_SKIP:
	case RESULT_XFAIL:
	case RESULT_HOSTFAIL: return "skipped";
	default: return NULL;
	}
}

static void testcase(FILE *f, const struct result *r)
{
	const char *el = element(r->kind);
	const char *msg = r->message && *r->message ? r->message : result_kind_name(r->kind);
	fputs("    <testcase classname=\"", f);
	xmls(f, r->family, true);
	fputs("\" name=\"", f);
	xmls(f, r->name, true);
	if (r->variant && *r->variant) {
		fputs(" [", f);
		xmls(f, r->variant, true);
		fputc(']', f);
	}
	fputs("\" time=\"", f);
	seconds(f, r->duration_ms);
	if (!el) {
		fputs("\"/>\n", f);
		return;
	}
	fprintf(f, "\">\n      <%s type=\"%s\" message=\"", el, result_kind_name(r->kind));
	xml(f, msg, strcspn(msg, "\n"), true);
	fputs("\">", f);
	xmls(f, r->message, false);
	if (r->message && r->diff && *r->message && *r->diff)
		fputs(r->message[strlen(r->message) - 1] == '\n' ? "" : "\n", f);
	xmls(f, r->diff, false);
	fprintf(f, "</%s>\n    </testcase>\n", el);
}

struct counts {
	size_t tests, failures, errors, skipped;
	unsigned long ms;
};

static void count(const struct result **v, size_t n, struct counts *c)
{
	*c = (struct counts){ .tests = n };
	for (size_t i = 0; i < n; i++) {
		const char *el = element(v[i]->kind);
		c->failures += el && !strcmp(el, "failure");
		c->errors += el && !strcmp(el, "error");
		c->skipped += el && !strcmp(el, "skipped");
		c->ms += v[i]->duration_ms;
	}
}

static void counts_attrs(FILE *f, const struct counts *c)
{
	fprintf(f,
		" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
		"skipped=\"%zu\" time=\"",
		c->tests, c->failures, c->errors, c->skipped);
	seconds(f, c->ms);
	fputc('"', f);
}

static void properties(FILE *f, const struct fingerprint *fp)
{
	if (!fp || !fp->n)
		return;
	fputs("    <properties>\n", f);
	for (size_t i = 0; i < fp->n; i++) {
		fputs("      <property name=\"", f);
		xmls(f, fp->pairs[i].key, true);
		fputs("\" value=\"", f);
		xmls(f, fp->pairs[i].value, true);
		fputs("\"/>\n", f);
	}
	fputs("    </properties>\n", f);
}

/* The suite for v[0..n), one family; returns the index after it. */
static size_t suite(FILE *f, const struct fingerprint *fp, const struct result **v, size_t n)
{
	size_t end = 1;
	while (end < n && !strcmp(v[end]->family, v[0]->family))
		end++;
	struct counts c;
	count(v, end, &c);
	fputs("  <testsuite name=\"", f);
	xmls(f, v[0]->family, true);
	fputc('"', f);
	counts_attrs(f, &c);
	fputs(">\n", f);
	properties(f, fp);
	for (size_t i = 0; i < end; i++)
		testcase(f, v[i]);
	fputs("  </testsuite>\n", f);
	return end;
}

int report_junit(FILE *f, const struct fingerprint *fp, const struct result *r, size_t n)
{
	const struct result **v = results_sorted(r, n);
	if (!v)
		return -1;
	struct counts c;
	count(v, n, &c);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
	counts_attrs(f, &c);
	fputs(">\n", f);
	for (size_t i = 0; i < n;)
		i += suite(f, fp, v + i, n - i);
	fputs("</testsuites>\n", f);
	free(v);
	return report_flushed(f);
}
