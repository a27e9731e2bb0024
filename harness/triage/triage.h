/* harness triage: results.json files of several kernels
 * side by side. A case x kernel matrix (one row per case and variant),
 * the rows whose behaviour differs between kernels first with the diff of
 * their traces, and the environment fingerprints; as Markdown and as one
 * self-contained HTML page.
 *
 * Behaviour of a cell = its result and what the run produced (the JSON's
 * "actual": exit, stdout, stderr, trace; only non-PASS results carry it,
 * a PASS produced exactly the expected output). Two kernels differ on a
 * row when their cells differ in either. A kernel without results (did
 * not boot, did not answer: "kernel_run" in its fingerprint) is shown as
 * such and takes no part in the comparison; so does a cell that is
 * missing because that kernel ran other cases, and a NOTRUN cell (that
 * kernel's run was interrupted before the case was judged; its
 * fingerprint says "interrupted"). A HOSTFAIL cell (the kernel fails the
 * case natively too, judge.h) is compared like any result: a kernel or an
 * emulated CPU that cannot do what the case checks is worth seeing. */
#ifndef HARNESS_TRIAGE_TRIAGE_H
#define HARNESS_TRIAGE_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What the two result kinds a reader may not know mean, for both pages
 * (plain text: no markup, no characters either page must escape). */
#define TRIAGE_LEGEND                                                                           \
	"HOSTFAIL: that kernel fails the case natively too (its native run misses the case's "  \
	"own checks, and the platform run did exactly the same), so it says nothing about the " \
	"platform; compared like any result. NOTRUN: not judged, that kernel's run was "        \
	"interrupted; left out of the comparison."

struct tr_cell {
	const char *result;                   /* "PASS", "FAIL", ... */
	const char *message, *diff;           /* NULL when absent */
	const char *exit, *out, *err, *trace; /* "actual"; NULL when absent */
};

struct tr_pair {
	const char *key, *value;
};

struct tr_kernel {
	char *label; /* the fingerprint's kernel, unique among the inputs */
	char *path;
	const char *status; /* "ok", or the fingerprint's kernel_run */
	const char *reason; /* why there are no results, or NULL */
	struct tr_pair *fp; /* fingerprint, then run.json's pairs as run.KEY */
	size_t nfp;
	char **keys;           /* "family/name [variant]" per result, sorted */
	struct tr_cell *cells; /* in the order of keys */
	size_t nres;
	void *doc, *rundoc, *names; /* JSON values the strings point into */
};

struct tr_row {
	const char *key;
	const struct tr_cell **cells; /* one per kernel; NULL: no such result */
	bool differs;
};

struct triage {
	struct tr_kernel *k;
	size_t nk;
	struct tr_row *rows; /* differing rows first, then by key */
	size_t nrows, ndiffer;
};

/* One kernel from results.json text; path names it in messages. 0, or -1
 * with a one-line message in *err (malloc'd). */
int triage_parse(struct tr_kernel *k, const char *text, const char *path, char **err);
/* The same from a file, plus run.json beside it when there is one. */
int triage_load(struct tr_kernel *k, const char *path, char **err);
/* Adds the loaded kernel k (taken over) to t. Labels are made unique. */
int triage_add(struct triage *t, struct tr_kernel *k);
/* Rows, differences, order. 0 or -1 (out of memory). */
int triage_build(struct triage *t);
/* Whether kernel i has results to compare. */
bool triage_ran(const struct triage *t, size_t i);
/* Two cells behave the same (result and actual output). */
bool triage_same(const struct tr_cell *a, const struct tr_cell *b);
/* The text that shows how row r on kernel k differs from kernel ref
 * (malloc'd; NULL when out of memory): a unified diff of their actual
 * exit/stdout/stderr/trace when both have them, else the diff of the one
 * that did not pass against the expected output (which the one that
 * passed produced). */
char *triage_explain(const struct triage *t, const struct tr_row *r, size_t ref, size_t k);
/* The cell of row r that kernel k takes part in the comparison with, or
 * NULL: k did not run, has no such result, or did not judge it (NOTRUN). */
const struct tr_cell *triage_compared(const struct triage *t, const struct tr_row *r, size_t k);
/* The reference kernel of a row: the first with a compared cell. */
size_t triage_ref(const struct triage *t, const struct tr_row *r);
/* The fingerprint's value for key in k, or NULL. */
const char *triage_fp_get(const struct tr_kernel *k, const char *key);
/* Every fingerprint key of every kernel, in first-seen order (malloc'd
 * array of borrowed strings; NULL when out of memory). */
const char **triage_fp_keys(const struct triage *t, size_t *n);
bool triage_fp_differs(const struct triage *t, const char *key);
/* Per kernel (perkernel.c). The kernel probes are compared with: the
 * first that has results (t->nk when none has). */
size_t triage_reference(const struct triage *t);
/* A fingerprint key that is a probe's finding, not a setting of the run
 * (timeout scale, variants, gdb), the kernel's name or run.json's. */
bool triage_fp_is_probe(const char *key);
/* run.json's value for key (boot_s, suite_s, wall_s, package), or NULL. */
const char *triage_run_value(const struct tr_kernel *k, const char *key);
/* "boot 6.1 s, suite 610.2 s, wall 636.0 s" (or the host's). */
void triage_times(const struct tr_kernel *k, char *buf, size_t size);
bool triage_fp_differs_from(const struct triage *t, size_t k, size_t ref, const char *key);
/* Row r runs differently on kernel k than on the row's reference. */
bool triage_row_differs_on(const struct triage *t, const struct tr_row *r, size_t k);
size_t triage_ndiffer_on(const struct triage *t, size_t k);
/* "690 PASS, 2 FAIL" for one kernel. */
void triage_counts(const struct tr_kernel *k, char *buf, size_t size);
void triage_markdown(FILE *f, const struct triage *t);
void triage_html(FILE *f, const struct triage *t);
void triage_kernel_free(struct tr_kernel *k);
/* The command: harness triage [--html FILE | --no-html] RESULTS.json...,
 * or harness triage bisect ... (bisect_cmd.c). */
int cmd_triage(int argc, char **argv);
int cmd_triage_bisect(int argc, char **argv);
void triage_free(struct triage *t);

#endif
