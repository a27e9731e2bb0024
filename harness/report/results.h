/* Case results and the three report writers (KTAP, JUnit XML, JSON).
 *
 * The runner fills one struct result per case and variant run; the
 * writers never change them. Every report starts with the environment
 * fingerprint (kernel release, probed features, CPU vendor, XSAVE size,
 * vsyscall mode, platform options) given as key/value pairs in the order
 * the runner chose. Results are written grouped by family and sorted by
 * family, name, then variant, so that a report depends only on what was
 * run: the only time in it is each case's duration. KTAP and JUnit name a
 * run with a variant "smoke/hello [lazy]"; JSON has a variant field. */
#ifndef HARNESS_RESULTS_H
#define HARNESS_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum result_kind {
	RESULT_PASS,
	RESULT_FAIL,    /* with a diff or a message */
	RESULT_SKIP,    /* message: the probed reason */
	RESULT_XFAIL,   /* known failure; message: its reference */
	RESULT_XPASS,   /* known failure passed: the entry is stale */
	RESULT_TIMEOUT, /* message and diff: the evidence */
	RESULT_ERROR,   /* the harness or the environment broke */
	/* The host fails the case too: its native run (O3) misses the case's
	 * own expectations and the platform run does exactly what it did
	 * (judge.h); message: what the host did. Keeps the run green, like
	 * SKIP: nothing about the platform was learnt. */
	RESULT_HOSTFAIL,
	/* Never judged: the suite was interrupted (SIGINT, SIGTERM, SIGHUP)
	 * before every run of it ended; message: by what. Fails the run. */
	RESULT_NOTRUN,
	RESULT_NKINDS,
};

struct result_actual {
	const char *exit;              /* "exit 0", "signal SIGSEGV (core)", "none" */
	const char *out, *err, *trace; /* the first lines of each */
};

struct result {
	const char *name;    /* smoke/hello; required */
	const char *family;  /* smoke; required */
	const char *variant; /* NULL or "" when the run has no variant */
	enum result_kind kind;
	unsigned long duration_ms;
	const char *message;         /* NULL or one or more lines */
	const char *diff;            /* NULL or a unified diff */
	unsigned oracles;            /* ORACLE_* bits of case.h */
	const char *const *requires; /* requirement ids */
	size_t nrequires;
	/* What the run this result is about produced, for comparing kernels
	 * (`harness triage`): set for results that are not PASS and came
	 * from a run, NULL otherwise. JSON "actual"; the other reports
	 * ignore it. */
	const struct result_actual *actual;
};

struct fp_pair {
	const char *key, *value;
};

struct fingerprint {
	const struct fp_pair *pairs;
	size_t n;
};

struct result_totals {
	size_t n[RESULT_NKINDS];
};

/* "PASS", "FAIL", ...; "pass", "fail", ... for the lower-case form. */
const char *result_kind_name(enum result_kind k);
const char *result_kind_lower(enum result_kind k);
/* Whether the kind leaves the run green: PASS, SKIP, XFAIL, HOSTFAIL. */
bool result_kind_ok(enum result_kind k);
void result_totals(const struct result *r, size_t n, struct result_totals *t);
/* Pointers to r[0..n) in report order (family, name, variant); malloc'd,
 * NULL when out of memory. */
const struct result **results_sorted(const struct result *r, size_t n);

/* The writers: 0, or -1 with errno when writing failed or memory ran out. */
/* Their last step: 0 when all they wrote reached f, else -1 with errno
 * (EIO when the stream does not say why). */
int report_flushed(FILE *f);
int report_ktap(FILE *f, const struct fingerprint *fp, const struct result *r, size_t n);
int report_junit(FILE *f, const struct fingerprint *fp, const struct result *r, size_t n);
int report_json(FILE *f, const struct fingerprint *fp, const struct result *r, size_t n);

#endif
