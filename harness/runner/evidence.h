/* Timeout evidence: where the child and its stubs were stuck.
 *
 * For the child and every process below it (the platform's master and
 * stub processes, harness.md "TIMEOUT (with evidence ...)"), each thread's
 * State and TracerPid lines from /proc/PID/task/TID/status and its wchan:
 * enough to tell a stub waiting in ptrace_stop from a tracer blocked in
 * wait4 or a guest spinning in user mode. */
#ifndef HARNESS_RUNNER_EVIDENCE_H
#define HARNESS_RUNNER_EVIDENCE_H

#include <stddef.h>
#include <sys/types.h>

#include "harness/util/hbuf.h"

#define EVIDENCE_MAX_PROCS 256
#define EVIDENCE_MAX_TASKS 64 /* per process */

/* pid and its descendants (by PPid) as found under root ("/proc"),
 * pid first, then in ascending order. Returns how many were put in out. */
size_t evidence_family(const char *root, pid_t pid, pid_t *out, size_t max);

/* The text for one thread, from its status file's text and its wchan:
 *   "  task 1240: State: t (tracing stop), TracerPid: 1234, wchan: ptrace_stop\n" */
void evidence_format_task(struct hbuf *b, pid_t tid, const char *status, const char *wchan);

/* The evidence for pid (described as what) and its family, malloc'd
 * (NULL: out of memory). */
char *evidence_collect(const char *root, pid_t pid, const char *what);

#endif
