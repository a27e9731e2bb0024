/* User errors: one line on stderr, and the exit status that goes with it.
 * The line names the file (or option) and the problem, like a compiler's
 * "FILE:LINE: problem", so editors can jump to it. */
#ifndef HARNESS_RUNNER_UERROR_H
#define HARNESS_RUNNER_UERROR_H

#define EXIT_USER 2 /* bad option, bad case file, environment unusable */

/* Prints the formatted line (a newline is added) and returns EXIT_USER. */
int uerror(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
