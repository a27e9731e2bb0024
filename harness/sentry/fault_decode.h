/* What ptrace does not tell about a fault (S3): the trap number and error
 * code the kernel puts in the sigcontext, recovered from the faulting
 * instruction and the FP state. See fault_decode.c. */
#ifndef HARNESS_SENTRY_FAULT_DECODE_H
#define HARNESS_SENTRY_FAULT_DECODE_H

#include <signal.h>
#include <stdint.h>

struct task;

/* A SIGSEGV SI_KERNEL: #OF (int $4, trapno 4) or #GP (13) and its error
 * code. */
void fault_gp_info(struct task *t, int *trapno, uint64_t *err);

/* A SIGFPE that is not an integer division: #MF (16, x87) or #XM (19,
 * SSE). */
int fault_fpe_trapno(struct task *t);

#endif
