/* Backtraces of a crashing child (SIGSEGV, SIGABRT, SIGBUS, SIGILL,
 * SIGFPE): the handler runs gdb on its own process, waits for it, then
 * lets the signal kill the process as it would have. */
#ifndef HARNESS_RUNNER_CRASH_H
#define HARNESS_RUNNER_CRASH_H

/* gdb's path, or NULL when gdb is not installed (then reports say so and
 * crashes carry no backtrace). Looked up in PATH once, in the parent. */
const char *crash_find_gdb(void);

/* In the child: installs the handlers on an alternate stack; gdb's output
 * goes to out_fd. 0, or -1 with errno. */
int crash_install(const char *gdb, int out_fd);

#endif
