/*
 * The sentry's own limits: whatever a guest does, one case
 * costs the harness a bounded amount of memory, processes, output and
 * CPU time. Each limit is presented to the guest as the hard limit of the
 * rlimit Linux would use for it, and is answered as Linux answers that
 * rlimit; the trace names the limit with a `--- limit: ... ---` line.
 *
 *   guest memory per case   memfile (sentry_config.memory_limit)  mmap/brk/mremap/fork ENOMEM
 *   address space per proc  RLIMIT_AS                              mmap/mremap ENOMEM, brk unchanged
 *                           (mmap and brk check it inside mm.c, where Linux does)
 *   tasks per case          RLIMIT_NPROC                           clone/fork/vfork EAGAIN
 *   output bytes per case   RLIMIT_FSIZE (sentry_config.output_limit)  short write, then SIGXFSZ + EFBIG
 *   CPU time per process    RLIMIT_CPU                             SIGXCPU at soft, SIGKILL at hard
 *
 * Wall time has no rlimit in Linux (a guest blocked for ever uses none of
 * the above): the runner's timeout ends it, and a case says `expect:
 * timeout` when that is the outcome it wants (harness/case/CASES.md).
 */
#ifndef HARNESS_SENTRY_LIMITS_H
#define HARNESS_SENTRY_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#define LIMIT_DEFAULT_MEMORY (4ULL << 30)
#define LIMIT_DEFAULT_OUTPUT (64ULL << 20)
#define LIMIT_DEFAULT_AS (2ULL << 30)
#define LIMIT_DEFAULT_TASKS 64
#define LIMIT_DEFAULT_CPU_S 60
/* How often the CPU clocks of the stubs are read: a limit strikes at most
 * this late (Linux checks at every tick, which no guest can tell apart
 * from this at second granularity). */
#define LIMIT_CPU_POLL_MS 20

struct kernel;
struct proc;
struct task;
struct plat_as;

/* RLIMIT_CPU bookkeeping of one process: the stub's CPU clock is read
 * against a base taken when the process got its current stub. */
struct limits_cpu {
	struct plat_as *as; /* the stub the base belongs to */
	uint64_t base_ns;   /* its CPU clock when first seen */
	uint64_t last_ns;   /* its CPU clock when last read */
	uint64_t used_ns;   /* CPU time of earlier stubs (before execve) */
};

/* The first process's rlimits (inherited by all others): the sentry's
 * limits become the hard limits of AS, NPROC, CPU and FSIZE. */
void limits_init_rlimits(struct proc *init);

/* RLIMIT_AS: 0 when the process may map grow more bytes, else -ENOMEM
 * and a trace note. Kernel lock held. */
long limits_as(struct task *t, uint64_t grow);
/* The guest's RLIMIT_AS, and the note for a call it refused. */
uint64_t limits_as_bytes(struct task *t);
void limits_note_as(struct task *t);
/* After a mapping call failed with -ENOMEM: notes the memory file's limit
 * when that is what refused it (the case's guest memory). */
void limits_note_memory(struct task *t, long ret, uint64_t grow);

/* RLIMIT_NPROC over every task and zombie of the case: 0, or -EAGAIN and
 * a trace note. Kernel lock held. */
long limits_new_task(struct task *t);

/* RLIMIT_FSIZE over the case's stdout + stderr: how many of len bytes may
 * be written now, or -EFBIG after SIGXFSZ was sent and noted. */
long limits_output(struct task *t, size_t len);

/* RLIMIT_CPU: a watchdog thread reading every stub's CPU clock. Started
 * once the first task exists, stopped before the case ends; counted in
 * kernel.timers so that sentry_run waits for it. Kernel lock held. */
int limits_start(struct kernel *k);
void limits_stop(struct kernel *k);

#endif
