/* A thread of the bench with an affinity of its own (worker.c): the
 * free-running figures make their platform and switch from it, so the
 * tracer, and every stub cloned from what it creates, may run on every
 * CPU the bench started with while the rest stays pinned. */
#ifndef BENCH_WORKER_H
#define BENCH_WORKER_H

#include <sched.h>

struct worker;

/* NULL with errno on failure. */
struct worker *worker_start(const cpu_set_t *cpus);
/* Runs fn(arg) on the worker thread and returns its result. */
int worker_call(struct worker *w, int (*fn)(void *arg), void *arg);
void worker_stop(struct worker *w);

#endif
