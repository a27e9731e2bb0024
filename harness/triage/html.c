/* The triage as one HTML page (see triage.h): no scripts, fonts or
 * images from elsewhere, so it opens from a CI artifact as it is. A
 * coloured matrix (one colour per result), the differing rows first with
 * links to their diffs, and the fingerprints side by side. */
#include "harness/triage/triage.h"

#include <stdlib.h>
#include <string.h>

static const char style[] =
	"body{font-family:sans-serif;margin:1.5em;color:#222}"
	"table{border-collapse:collapse;margin:1em 0}"
	"th,td{border:1px solid #ccc;padding:2px 6px;font-size:13px;text-align:left;"
	"vertical-align:top}"
	"th{background:#f0f0f0;position:sticky;top:0}"
	"td.PASS{background:#c8f0c8}td.FAIL{background:#f4a0a0}"
	"td.XFAIL{background:#e0e0a0}td.XPASS{background:#f8c070}"
	"td.SKIP{background:#e4e4e4}td.TIMEOUT{background:#d0b0f0}"
	"td.ERROR{background:#d06060;color:#fff}td.none{background:#fff;color:#999}"
	"td.norun{background:#555;color:#fff}td.HOSTFAIL{background:#b8d4f0}"
	"td.NOTRUN{background:repeating-linear-gradient(45deg,#fff 0 4px,#e8e8e8 4px 8px);"
	"color:#666}"
	"tr.differs td:first-child{font-weight:bold}tr.differs td:first-child::before{"
	"content:'\\2260 '}"
	".fpd{background:#fff3b0}pre{background:#f7f7f7;padding:.5em;overflow-x:auto;"
	"font-size:12px}"
	".add{color:#070}.del{color:#a00}.hunk{color:#07a}";

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: putc(*s, f);
		}
	}
}

/* A diff with its lines coloured by their first character. */
static void diff_pre(FILE *f, const char *d)
{
	fputs("<pre>", f);
	while (d && *d) {
		const char *nl = strchr(d, '\n');
		size_t n = nl ? (size_t)(nl - d) : strlen(d);
		const char *cls = *d == '+' ? "add" : *d == '-' ? "del" : *d == '@' ? "hunk" : NULL;
		char *line = strndup(d, n);
		if (cls)
			fprintf(f, "<span class=\"%s\">", cls);
		esc(f, line);
		fputs(cls ? "</span>\n" : "\n", f);
		free(line);
		d += n + (nl != NULL);
	}
	fputs("</pre>\n", f);
}

/* The class names the colour; a result this page does not know (a
 * newer harness, a damaged file) gets none and is shown escaped. */
static const char *result_class(const char *result)
{
	static const char *const known[] = { "PASS",    "FAIL",  "XFAIL",    "XPASS", "SKIP",
					     "TIMEOUT", "ERROR", "HOSTFAIL", "NOTRUN" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (!strcmp(known[i], result))
			return known[i];
	return "none";
}

static void result_cell(FILE *f, const char *result)
{
	fprintf(f, "<td class=\"%s\">", result_class(result));
	esc(f, result);
	fputs("</td>", f);
}

static void head_row(FILE *f, const struct triage *t, const char *first)
{
	fprintf(f, "<tr><th>%s</th>", first);
	for (size_t i = 0; i < t->nk; i++) {
		fputs("<th>", f);
		esc(f, t->k[i].label);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
}

/* Per kernel, the probes whose finding differs from the reference
 * kernel's: "key: value (reference's value)". */
static void probes_row(FILE *f, const struct triage *t)
{
	size_t ref = triage_reference(t), n;
	if (ref == t->nk)
		return;
	const char **keys = triage_fp_keys(t, &n);
	fputs("<tr class=\"probes\"><td>probes that differ from ", f);
	esc(f, t->k[ref].label);
	fputs("</td>", f);
	for (size_t k = 0; k < t->nk; k++) {
		if (k == ref || !triage_ran(t, k)) {
			fputs(k == ref ? "<td>(reference)</td>" : "<td class=\"norun\">-</td>", f);
			continue;
		}
		size_t m = 0;
		fputs("<td>", f);
		for (size_t j = 0; keys && j < n; j++) {
			if (!triage_fp_is_probe(keys[j]) ||
			    !triage_fp_differs_from(t, k, ref, keys[j]))
				continue;
			const char *v = triage_fp_get(&t->k[k], keys[j]);
			const char *r = triage_fp_get(&t->k[ref], keys[j]);
			fputs(m++ ? "<br/>" : "", f);
			esc(f, keys[j]);
			fputs(": ", f);
			esc(f, v ? v : "-");
			fputs(" (", f);
			esc(f, r ? r : "-");
			fputs(")", f);
		}
		fputs(m ? "</td>" : "none</td>", f);
	}
	fputs("</tr>\n", f);
	free(keys);
}

static void kernels(FILE *f, const struct triage *t)
{
	fputs("<h2>Kernels</h2>\n<table id=\"kernels\">\n", f);
	head_row(f, t, "");
	fputs("<tr><td>run</td>", f);
	for (size_t i = 0; i < t->nk; i++) {
		fprintf(f, "<td class=\"%s\">", triage_ran(t, i) ? "PASS" : "norun");
		esc(f, t->k[i].status);
		if (t->k[i].reason) {
			fputs(": ", f);
			esc(f, t->k[i].reason);
		}
		fputs("</td>", f);
	}
	fputs("</tr>\n<tr><td>results</td>", f);
	for (size_t i = 0; i < t->nk; i++) {
		char buf[200];
		triage_counts(&t->k[i], buf, sizeof buf);
		fputs("<td>", f);
		esc(f, buf);
		fputs("</td>", f);
	}
	fputs("</tr>\n<tr><td>time</td>", f);
	for (size_t i = 0; i < t->nk; i++) {
		char buf[200];
		triage_times(&t->k[i], buf, sizeof buf);
		fputs("<td>", f);
		esc(f, buf);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
	probes_row(f, t);
	size_t n;
	const char **keys = triage_fp_keys(t, &n);
	for (size_t j = 0; keys && j < n; j++) {
		if (!strcmp(keys[j], "console_tail"))
			continue;
		bool d = triage_fp_differs(t, keys[j]);
		fprintf(f, "<tr%s><td>", d ? " class=\"fpd\"" : "");
		esc(f, keys[j]);
		fputs("</td>", f);
		for (size_t i = 0; i < t->nk; i++) {
			const char *v = triage_fp_get(&t->k[i], keys[j]);
			fputs("<td>", f);
			esc(f, v ? v : "-");
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	free(keys);
	fputs("</table>\n<p>Highlighted fingerprint rows differ between kernels.</p>\n", f);
	for (size_t i = 0; i < t->nk; i++) {
		const char *tail = triage_fp_get(&t->k[i], "console_tail");
		if (!tail || !*tail)
			continue;
		fputs("<h3>Console of ", f);
		esc(f, t->k[i].label);
		fputs(" (last lines)</h3>\n<pre>", f);
		esc(f, tail);
		fputs("</pre>\n", f);
	}
}

static void matrix(FILE *f, const struct triage *t)
{
	fputs("<h2>Matrix</h2>\n<p>Rows marked &#8800; behave differently between kernels; "
	      "they come first and link to their diffs. " TRIAGE_LEGEND
	      "</p>\n<table id=\"matrix\">\n",
	      f);
	head_row(f, t, "case [variant]");
	for (size_t i = 0; i < t->nrows; i++) {
		const struct tr_row *r = &t->rows[i];
		fprintf(f, "<tr%s><td>", r->differs ? " class=\"differs\"" : "");
		if (r->differs)
			fprintf(f, "<a href=\"#d%zu\">", i);
		esc(f, r->key);
		fputs(r->differs ? "</a></td>" : "</td>", f);
		for (size_t k = 0; k < t->nk; k++) {
			const struct tr_cell *c = r->cells[k];
			if (!triage_ran(t, k))
				fputs("<td class=\"norun\">-</td>", f);
			else if (!c)
				fputs("<td class=\"none\">-</td>", f);
			else
				result_cell(f, c->result);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* A row per differing case, a column per kernel: the result, and under
 * it the diff against the row's reference kernel where they differ. */
static void diff_cell(FILE *f, const struct triage *t, const struct tr_row *r, size_t k)
{
	const struct tr_cell *c = r->cells[k];
	if (!triage_ran(t, k)) {
		fputs("<td class=\"norun\">-</td>", f);
		return;
	}
	if (!c) {
		fputs("<td class=\"none\">-</td>", f);
		return;
	}
	fprintf(f, "<td class=\"%s\">", result_class(c->result));
	esc(f, c->result);
	if (!triage_compared(t, r, k)) {
		fputs(" (not compared)</td>", f);
		return;
	}
	if (k == triage_ref(t, r)) {
		fputs(" (reference)</td>", f);
		return;
	}
	if (!triage_row_differs_on(t, r, k)) {
		fputs(" (same)</td>", f);
		return;
	}
	char *x = triage_explain(t, r, triage_ref(t, r), k);
	fputs("<details><summary>diff</summary>", f);
	diff_pre(f, x ? x : "(out of memory)");
	fputs("</details></td>", f);
	free(x);
}

static void differences(FILE *f, const struct triage *t)
{
	fprintf(f, "<h2>Differences (%zu)</h2>\n", t->ndiffer);
	if (!t->ndiffer) {
		fputs("<p>None: every case behaves the same on every kernel that ran it.</p>\n", f);
		return;
	}
	fputs("<p>A row per case that behaves differently, a column per kernel; each cell "
	      "compares with the row's reference, the first kernel that ran the case. " TRIAGE_LEGEND
	      "</p>\n"
	      "<table id=\"differences\">\n",
	      f);
	head_row(f, t, "case [variant]");
	for (size_t i = 0; i < t->ndiffer; i++) {
		const struct tr_row *r = &t->rows[i];
		fprintf(f, "<tr id=\"d%zu\"><td>", i);
		esc(f, r->key);
		fputs("</td>", f);
		for (size_t k = 0; k < t->nk; k++)
			diff_cell(f, t, r, k);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

void triage_html(FILE *f, const struct triage *t)
{
	size_t ran = 0;
	for (size_t i = 0; i < t->nk; i++)
		ran += triage_ran(t, i);
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
		"<title>Kernel triage</title><style>%s</style></head><body>\n"
		"<h1>Kernel triage</h1>\n<p>%zu kernels (%zu with results), %zu cases x variants, "
		"%zu behave differently.</p>\n",
		style, t->nk, ran, t->nrows, t->ndiffer);
	kernels(f, t);
	differences(f, t);
	matrix(f, t);
	fputs("</body></html>\n", f);
}
