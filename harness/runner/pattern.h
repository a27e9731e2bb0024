/* Which cases a PATTERN on the command line selects. */
#ifndef HARNESS_RUNNER_PATTERN_H
#define HARNESS_RUNNER_PATTERN_H

#include <stdbool.h>

/* A case name (smoke/hello, family smoke) matches a pattern when:
 *  - the pattern is a glob for the whole name (fnmatch, '*' crosses '/':
 *    "*hello" finds it in any family),
 *  - or the pattern ends in '/' and the name matches it with '*' appended
 *    ("smoke/" is the whole family; "s?oke/" works too),
 *  - or the pattern is exactly the family ("smoke").
 * No pattern at all selects every case. */
bool pattern_match(const char *pattern, const char *name, const char *family);
bool pattern_any(char *const *patterns, int n, const char *name, const char *family);

#endif
