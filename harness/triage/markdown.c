/* The triage as Markdown (see triage.h): kernels and fingerprints, the
 * rows that differ with their diffs, then the whole matrix. */
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
	putc('\n', f);
	for (size_t i = 0; i < t->ndiffer; i++) {
		const struct tr_row *r = &t->rows[i];
		size_t ref = triage_ref(t, r);
		fprintf(f, "### %s\n\n", r->key);
		for (size_t k = ref + 1; k < t->nk; k++) {
			if (!triage_ran(t, k) || !r->cells[k] ||
			    triage_same(r->cells[ref], r->cells[k]))
				continue;
			char *x = triage_explain(t, r, ref, k);
			fprintf(f, "%s (%s) against %s (%s):\n\n```diff\n%s```\n\n", t->k[k].label,
			        r->cells[k]->result, t->k[ref].label, r->cells[ref]->result,
			        x ? x : "(out of memory)\n");
			free(x);
		}
	}
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
	fputs("## Matrix\n\nEvery case x variant; the rows that differ come first.\n\n", f);
	header(f, t, "case [variant]");
	for (size_t i = 0; i < t->nrows; i++)
		row(f, t, &t->rows[i]);
}
