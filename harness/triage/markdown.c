/* The triage as Markdown (see triage.h): kernels and fingerprints, the
 * rows that differ, each kernel against the reference (times, probes and
 * the diff of every case it runs differently), then the whole matrix. */
#include "harness/triage/triage.h"

#include <stdlib.h>
#include <string.h>

/* Text inside a table cell: no line breaks, no column separators. */
static void cell(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputs(*(s + 1) ? "<br>" : "", f);
		else
			putc(*s, f);
	}
}

static void header(FILE *f, const struct triage *t, const char *first)
{
	fprintf(f, "| %s |", first);
	for (size_t i = 0; i < t->nk; i++) {
		putc(' ', f);
		cell(f, t->k[i].label);
		fputs(" |", f);
	}
	fputs("\n|---|", f);
	for (size_t i = 0; i < t->nk; i++)
		fputs("---|", f);
	putc('\n', f);
}

static void kernels(FILE *f, const struct triage *t)
{
	fputs("## Kernels\n\n", f);
	header(f, t, "");
	fputs("| file |", f);
	for (size_t i = 0; i < t->nk; i++) {
		fputs(" ", f);
		cell(f, t->k[i].path);
		fputs(" |", f);
	}
	fputs("\n| run |", f);
	for (size_t i = 0; i < t->nk; i++) {
		fprintf(f, " %s", t->k[i].status);
		if (t->k[i].reason) {
			fputs(": ", f);
			cell(f, t->k[i].reason);
		}
		fputs(" |", f);
	}
	fputs("\n| results |", f);
	for (size_t i = 0; i < t->nk; i++) {
		char buf[200];
		triage_counts(&t->k[i], buf, sizeof buf);
		fprintf(f, " %s |", buf);
	}
	fputs("\n| time |", f);
	for (size_t i = 0; i < t->nk; i++) {
		char buf[200];
		triage_times(&t->k[i], buf, sizeof buf);
		fprintf(f, " %s |", buf);
	}
	putc('\n', f);
	size_t n;
	const char **keys = triage_fp_keys(t, &n);
	for (size_t j = 0; keys && j < n; j++) {
		if (!strcmp(keys[j], "console_tail"))
			continue; /* shown with the kernel's failure below */
		bool d = triage_fp_differs(t, keys[j]);
		fprintf(f, "| %s%s%s |", d ? "**" : "", keys[j], d ? "**" : "");
		for (size_t i = 0; i < t->nk; i++) {
			const char *v = triage_fp_get(&t->k[i], keys[j]);
			putc(' ', f);
			cell(f, v ? v : "-");
			fputs(" |", f);
		}
		putc('\n', f);
	}
	free(keys);
	fputs("\nFingerprint keys in **bold** differ between kernels.\n\n", f);
	for (size_t i = 0; i < t->nk; i++) {
		const char *tail = triage_fp_get(&t->k[i], "console_tail");
		if (tail && *tail)
			fprintf(f, "Console of %s (last lines):\n\n```\n%s\n```\n\n", t->k[i].label,
				tail);
	}
}

static void row(FILE *f, const struct triage *t, const struct tr_row *r)
{
	fputs("| ", f);
	cell(f, r->key);
	fputs(" |", f);
	for (size_t i = 0; i < t->nk; i++) {
		const struct tr_cell *c = r->cells[i];
		fprintf(f, " %s |", !triage_ran(t, i) ? t->k[i].status : c ? c->result : "-");
	}
	putc('\n', f);
}

static void differences(FILE *f, const struct triage *t)
{
	fprintf(f, "## Behaviour that differs between kernels (%zu)\n\n", t->ndiffer);
	if (!t->ndiffer) {
		fputs("None: every case behaves the same on every kernel that ran it.\n\n", f);
		return;
	}
	header(f, t, "case [variant]");
	for (size_t i = 0; i < t->ndiffer; i++)
		row(f, t, &t->rows[i]);
	fputs("\nThe diffs are under each kernel below.\n\n", f);
}

static void probes(FILE *f, const struct triage *t, size_t k, size_t ref)
{
	size_t n, m = 0;
	const char **keys = triage_fp_keys(t, &n);
	for (size_t j = 0; keys && j < n; j++) {
		if (!triage_fp_is_probe(keys[j]) || !triage_fp_differs_from(t, k, ref, keys[j]))
			continue;
		const char *v = triage_fp_get(&t->k[k], keys[j]);
		const char *r = triage_fp_get(&t->k[ref], keys[j]);
		fprintf(f, "%s`%s` %s (%s)", m++ ? "; " : "- probes that differ: ", keys[j],
			v ? v : "-", r ? r : "-");
	}
	free(keys);
	fputs(m ? "\n" : "- probes that differ: none\n", f);
}

static void one_kernel(FILE *f, const struct triage *t, size_t k, size_t ref)
{
	const struct tr_kernel *kk = &t->k[k];
	char buf[200];
	fprintf(f, "### %s\n\n- run: %s", kk->label, kk->status);
	if (kk->reason)
		fprintf(f, " (%s)", kk->reason);
	triage_times(kk, buf, sizeof buf);
	fprintf(f, "; %s\n", buf);
	if (!triage_ran(t, k)) {
		putc('\n', f);
		return;
	}
	triage_counts(kk, buf, sizeof buf);
	fprintf(f, "- results: %s\n", buf);
	if (k == ref) {
		fputs("- the reference: the others are compared with it\n\n", f);
		return;
	}
	probes(f, t, k, ref);
	fprintf(f, "- cases that differ: %zu\n\n", triage_ndiffer_on(t, k));
	for (size_t i = 0; i < t->ndiffer; i++) {
		const struct tr_row *r = &t->rows[i];
		if (!triage_row_differs_on(t, r, k))
			continue;
		size_t rr = triage_ref(t, r);
		char *x = triage_explain(t, r, rr, k);
		fprintf(f, "#### %s: %s (%s: %s)\n\n```diff\n%s```\n\n", r->key,
			r->cells[k]->result, t->k[rr].label, r->cells[rr]->result,
			x ? x : "(out of memory)\n");
		free(x);
	}
}

/* Each kernel against the reference: the first kernel with results for
 * the probes, and for a case the first kernel that ran it. */
static void per_kernel(FILE *f, const struct triage *t)
{
	size_t ref = triage_reference(t);
	fputs("## Per kernel\n\n", f);
	if (ref < t->nk) {
		fputs("Probes (fingerprint) and cases against ", f);
		cell(f, t->k[ref].label);
		fputs(" (in parentheses), the first kernel with results.\n\n", f);
	}
	for (size_t k = 0; k < t->nk; k++)
		one_kernel(f, t, k, ref < t->nk ? ref : k);
}

void triage_markdown(FILE *f, const struct triage *t)
{
	size_t ran = 0;
	for (size_t i = 0; i < t->nk; i++)
		ran += triage_ran(t, i);
	fprintf(f,
		"# Kernel triage\n\n%zu kernels (%zu with results), %zu cases x variants, "
		"%zu behave differently.\n\n",
		t->nk, ran, t->nrows, t->ndiffer);
	kernels(f, t);
	differences(f, t);
	per_kernel(f, t);
	fputs("## Matrix\n\nEvery case x variant; the rows that differ come first. " TRIAGE_LEGEND
	      "\n\n",
	      f);
	header(f, t, "case [variant]");
	for (size_t i = 0; i < t->nrows; i++)
		row(f, t, &t->rows[i]);
}
