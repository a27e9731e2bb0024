/* Unified diffs of expected and actual output, for reports.
 *
 * Line-based, like diff -u: "--- expected" / "+++ actual" headers, @@
 * hunks with 3 lines of context, "\ No newline at end of file" after a
 * last line that lacks one. A NUL byte is shown as the text \x00 so that
 * the diff is a C string. The output is bounded: once the next line would
 * pass a limit, no further line is shown and the diff ends with
 * "... N more lines of diff not shown". */
#ifndef HARNESS_DIFF_H
#define HARNESS_DIFF_H

#include <stddef.h>

#define DIFF_CONTEXT 3
#define DIFF_MAX_LINES 400
#define DIFF_MAX_BYTES (64u << 10)

struct diff_limits {
	size_t max_lines; /* diff lines after the two headers */
	size_t max_bytes; /* bytes of those lines */
};

/* The diff of a (expected) and b (actual); "" when they are equal; NULL
 * when out of memory. lim NULL means DIFF_MAX_LINES and DIFF_MAX_BYTES.
 * The result is malloc'd. */
char *diff_unified(const char *a, size_t alen, const char *b, size_t blen,
		   const struct diff_limits *lim);

#endif
