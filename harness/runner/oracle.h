/* The three oracles of harness.md, as comparisons of finished runs.
 *
 * O1 golden: stdout, stderr and trace (each if the case stores it) and
 *    the exit status (if the case has exit:) equal the case byte for
 *    byte. No normalisation is applied: the sentry's traces hold no
 *    addresses, pids or times that vary (S4, S8, S9), so none is needed
 *    yet; any future one belongs here, documented.
 * O2 self-check: stdout holds the line END-OF-TEST (fixtures/lib/guest.h
 *    G_END_TOKEN) and the guest exited 0, or as the case's exit: says.
 * O3 native: stdout and exit status equal those of the fixture run on
 *    the host (exitstat.h explains the core flag).
 * Host: the case's own checks (O1 without the trace, O2) applied to the
 *    native run, to tell a host that fails the case itself (HOSTFAIL,
 *    judge.h) from a platform that fails it.
 *
 * Each adds to f: one message line per oracle that failed, naming what
 * differed, and a unified diff per differing section headed
 * "--- expected stdout" / "+++ actual stdout" (native: "--- native ...",
 * repeats: "--- run 1 ..." / "+++ run K ..."). */
#ifndef HARNESS_RUNNER_ORACLE_H
#define HARNESS_RUNNER_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/case/case.h"
#include "harness/util/hbuf.h"
#include "harness/runner/run.h"

#define ORACLE_END_TOKEN "END-OF-TEST" /* G_END_TOKEN */

struct findings {
	struct hbuf msg;  /* lines */
	struct hbuf diff; /* sections' diffs, one after the other */
	unsigned n;       /* oracles (or repeats) that failed */
};

void oracle_golden(const struct tcase *c, const struct run *r, struct findings *f);
void oracle_selfcheck(const struct tcase *c, const struct run *r, struct findings *f);
/* O3: stdout and the exit status; for a host program (a cases/programs/
 * case) stderr too, since its messages are part of what it does. */
void oracle_native(const struct tcase *c, const struct run *native, const struct run *r,
		   struct findings *f);
/* O1 (stdout, stderr, exit: a host run has no trace) and O2, as the case
 * names them, on the native run; diffs are headed "+++ native ...". */
void oracle_host(const struct tcase *c, const struct run *native, struct findings *f);
/* r did exactly what the native run did: stdout, stderr and exit status
 * equal byte for byte. */
bool oracle_same_as_native(const struct run *native, const struct run *r);
/* Run k (1-based) against run 1: stdout, stderr and the exit status, and
 * the trace only when the case stores one: a case without a golden trace
 * may interleave several tasks' lines differently on every run. */
void oracle_repeat(const struct tcase *c, const struct run *first, const struct run *again,
		   unsigned k, struct findings *f);

/* Whether text holds the end token as a whole line. */
bool oracle_end_token(const char *p, size_t n);
/* Appends the diff of a and b headed "--- LEFT WHAT" / "+++ RIGHT WHAT";
 * true when they differ. */
bool oracle_diff(struct hbuf *d, const char *what, const char *left, const char *right,
		 const char *a, size_t alen, const char *b, size_t blen);
void findings_free(struct findings *f);

#endif
