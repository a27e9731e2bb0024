/* Cutting long text (traces, backtraces, stderr) down for messages; the
 * whole text goes to the case's report folder. */
#ifndef HARNESS_RUNNER_TEXTCUT_H
#define HARNESS_RUNNER_TEXTCUT_H

#include <stddef.h>

#include "harness/util/hbuf.h"

/* The first max lines of p[0..n), then "... N more lines" if cut. */
void textcut_head(struct hbuf *b, const char *p, size_t n, size_t max);
/* "... N lines before" if cut, then the last max lines. */
void textcut_tail(struct hbuf *b, const char *p, size_t n, size_t max);

#endif
