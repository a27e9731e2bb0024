/* The parent's loop: up to -j children at once, in the given order,
 * each killed at its deadline, every child and stray reaped. */
#ifndef HARNESS_RUNNER_SCHED_H
#define HARNESS_RUNNER_SCHED_H

#include <stddef.h>

#include "harness/runner/job.h"

#define SCHED_INTERRUPTED 130

struct sched {
	struct job **queue; /* in start order */
	size_t n;
	unsigned jobs; /* at most this many at once */
	const struct job_ctx *ctx;
	/* Called once per job when it has ended (or could not start). */
	void (*done)(struct job *j, void *arg);
	/* Called on every wake-up with the longest-running job, for the
	 * progress line; NULL when none runs. */
	void (*tick)(const struct job *oldest, void *arg);
	void *arg;
};

/* Runs the queue to its end: 0, or SCHED_INTERRUPTED when SIGINT,
 * SIGTERM or SIGHUP came (then every running child is killed and reaped,
 * and some jobs never ran nor called done). *strays gets how many
 * leftover processes had to be killed afterwards (sched_reap_strays()). */
int sched_run(const struct sched *s, size_t *strays);

/* Reaps processes left over after the jobs (stubs reparented to the
 * runner, which is a child subreaper while sched_run() runs): waits a
 * moment for those dying anyway, then SIGKILLs the rest. Returns how many
 * had to be killed. */
size_t sched_reap_strays(void);

#endif
