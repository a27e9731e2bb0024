/* The JSON results file: fingerprint, one object per line for each case
 * and variant in report order, totals. Always valid JSON whatever the
 * bytes in a message or diff: control bytes are \u00XX, and so is each
 * byte that is not part of well-formed UTF-8 (which makes it readable as
 * the Latin-1 character of that byte). */
#include "harness/report/results.h"

#include <stdlib.h>
#include <string.h>

#include "harness/case/case.h"
#include "harness/util/utf8.h"

static void str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	putc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t len = utf8_seq(p + i, n - i);
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || !len)
			fprintf(f, "\\u%04x", c);
		else
			fwrite(p + i, 1, len, f);
		i += len ? len : 1;
	}
	putc('"', f);
}

static void fingerprint(FILE *f, const struct fingerprint *fp)
{
	fputs("  \"fingerprint\": {", f);
	for (size_t i = 0; fp && i < fp->n; i++) {
		fputs(i ? ",\n    " : "\n    ", f);
		str(f, fp->pairs[i].key);
		fputs(": ", f);
		str(f, fp->pairs[i].value);
	}
	fputs(fp && fp->n ? "\n  },\n" : "},\n", f);
}

static void result(FILE *f, const struct result *r)
{
	fputs("    {\"name\": ", f);
	str(f, r->name);
	fputs(", \"family\": ", f);
	str(f, r->family);
	fputs(", \"variant\": ", f);
	str(f, r->variant && *r->variant ? r->variant : NULL);
	fprintf(f, ", \"result\": \"%s\", \"duration_ms\": %lu, \"oracles\": [",
		result_kind_name(r->kind), r->duration_ms);
	const char *sep = "";
	for (unsigned bit = 1; bit & ORACLE_ALL; bit <<= 1)
		if (r->oracles & bit) {
			fprintf(f, "%s\"%s\"", sep, case_oracle_name(bit));
			sep = ", ";
		}
	fputs("], \"requirements\": [", f);
	for (size_t i = 0; i < r->nrequires; i++) {
		fputs(i ? ", " : "", f);
		str(f, r->requires[i]);
	}
	fputs("], \"message\": ", f);
	str(f, r->message);
	fputs(", \"diff\": ", f);
	str(f, r->diff);
	if (r->actual) {
		fputs(", \"actual\": {\"exit\": ", f);
		str(f, r->actual->exit);
		fputs(", \"stdout\": ", f);
		str(f, r->actual->out);
		fputs(", \"stderr\": ", f);
		str(f, r->actual->err);
		fputs(", \"trace\": ", f);
		str(f, r->actual->trace);
		putc('}', f);
	}
	putc('}', f);
}

static void totals(FILE *f, const struct result *r, size_t n)
{
	static const enum result_kind order[] = {
		RESULT_PASS,  RESULT_FAIL,    RESULT_XFAIL,    RESULT_XPASS,  RESULT_SKIP,
		RESULT_ERROR, RESULT_TIMEOUT, RESULT_HOSTFAIL, RESULT_NOTRUN,
	};
	_Static_assert(sizeof order / sizeof order[0] == RESULT_NKINDS, "every kind counted");
	struct result_totals t;
	result_totals(r, n, &t);
	fputs("  \"totals\": {", f);
	for (size_t i = 0; i < RESULT_NKINDS; i++)
		fprintf(f, "\"%s\": %zu, ", result_kind_lower(order[i]), t.n[order[i]]);
	fprintf(f, "\"total\": %zu}\n", n);
}

int report_json(FILE *f, const struct fingerprint *fp, const struct result *r, size_t n)
{
	const struct result **v = results_sorted(r, n);
	if (!v)
		return -1;
	fputs("{\n", f);
	fingerprint(f, fp);
	fputs("  \"results\": [", f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", f);
		result(f, v[i]);
	}
	fputs(n ? "\n  ],\n" : "],\n", f);
	totals(f, r, n);
	fputs("}\n", f);
	free(v);
	return report_flushed(f);
}
