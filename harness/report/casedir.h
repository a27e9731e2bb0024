/* Per-case report folders, kept for every result that is not PASS:
 *
 *   REPORT/cases/FAMILY/NAME[VARIANT]/
 *     message          why (the result's message)
 *     diff             the unified diffs
 *     expected/        the case's stored sections and exit
 *     actual/          stdout, stderr, exit of the run
 *     trace            the run's whole trace (the message has its tail)
 *     native/          stdout, stderr, exit of the host run (O3 cases)
 *     evidence         TIMEOUT: the processes at the deadline
 *     harness-stderr   the child's own messages, when it wrote any
 *     backtrace        gdb's output, when the child crashed
 *
 * REPORT/cases holds only folders of the last run: it is emptied first.
 * So that a mistaken --report-dir (say ".", whose cases/ holds the case
 * files) never costs anything, it is only emptied when it holds the
 * marker file that the runner writes into it. */
#ifndef HARNESS_RUNNER_CASEDIR_H
#define HARNESS_RUNNER_CASEDIR_H

#include "harness/case/case.h"
#include "harness/runner/judge.h"
#include "harness/runner/run.h"

#define CASEDIR_MARKER ".harness-report"

/* Creates REPORT and an empty REPORT/cases. 0, or EXIT_USER after
 * printing the one-line problem. */
int casedir_prepare(const char *report_dir);
/* mkdir -p: 0, or -1 with errno. */
int casedir_mkdirs(const char *path);
/* Writes the folder; 0, or -1 after printing a warning (a report folder
 * that cannot be written does not change the result). r is NULL for a
 * result decided without a run (then only message and expected/). */
int casedir_write(const char *report_dir, const struct tcase *c, const char *variant,
		  const struct verdict *v, const struct run *r, const struct run *native);

#endif
