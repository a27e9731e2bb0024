/* LeakSanitizer for processes that end with _exit(). */
#ifndef HARNESS_RUNNER_SANLEAK_H
#define HARNESS_RUNNER_SANLEAK_H

/* The exit status of a child whose leak check found leaks (LSan's own
 * default exitcode): the parent then reports the case as ERROR. */
#define SANLEAK_EXIT 23

/* In an ASan build: runs LeakSanitizer now, prints its report on stderr
 * and returns non-zero if anything leaked. Otherwise returns 0. */
int sanleak_check(void);

#endif
