/* Exit statuses: how a guest ended, as case files and diffs spell it.
 *
 * The comparison follows sentry_shell_status(): an exit code, or a
 * signal -- and for a signal also the core flag, since harness.md S6
 * reports "terminate with core" as such. */
#ifndef HARNESS_RUNNER_EXITSTAT_H
#define HARNESS_RUNNER_EXITSTAT_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/case/case.h"
#include "harness/sentry/sentry.h"

#define EXITSTAT_LEN 48

/* "exit: 3", "exit: signal SIGSEGV core" plus a newline, the case file's
 * syntax, so that an exit diff reads like the line to fix. */
const char *exitstat_text(const struct sentry_result *r, char buf[EXITSTAT_LEN]);
const char *exitstat_case_text(const struct case_exit *e, char buf[EXITSTAT_LEN]);
bool exitstat_equal(const struct sentry_result *a, const struct sentry_result *b);
/* Whether the guest ended as e says (an unchecked e matches anything). */
bool exitstat_matches(const struct case_exit *e, const struct sentry_result *r);
/* The case file's exit: for a result (for --bless). */
struct case_exit exitstat_to_case(const struct sentry_result *r);
/* A host wait status (native runs) as a sentry result. The core flag is
 * whether the signal's default action dumps core, not WCOREDUMP: the
 * host only sets that when a core file was really written, which depends
 * on RLIMIT_CORE and core_pattern, not on the guest. */
struct sentry_result exitstat_from_wait(int status);

#endif
