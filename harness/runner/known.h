/* Known failures: the hook for XFAIL and XPASS (harness.md "Results").
 * A known-failures file (case, variant, reference) is a later issue; the
 * table is empty until then, so every failure counts. */
#ifndef HARNESS_RUNNER_KNOWN_H
#define HARNESS_RUNNER_KNOWN_H

/* The reference (an issue or a note) when the case under variant is a
 * known failure; NULL otherwise. */
const char *known_failure(const char *name, const char *variant);

#endif
