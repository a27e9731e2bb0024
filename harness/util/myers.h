/* Myers' O(ND) difference algorithm, linear-space version.
 *
 * Works on sequences of integers (line ids: equal lines have equal ids)
 * and marks which elements of a are deleted and which of b inserted in a
 * shortest edit script. Time O((N+M) D), memory O(N+M). */
#ifndef HARNESS_MYERS_H
#define HARNESS_MYERS_H

#include <stddef.h>

/* del[0..n) and ins[0..m) must be zeroed; set to 1 for changed elements.
 * 0, or -1 when out of memory. */
int myers_diff(const size_t *a, size_t n, const size_t *b, size_t m, char *del, char *ins);

#endif
