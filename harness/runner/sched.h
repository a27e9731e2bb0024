/* The parent's loop: up to -j children at once, in the given order,
 * each killed at its deadline, every child and stray reaped. */
#ifndef HARNESS_RUNNER_SCHED_H
#define HARNESS_RUNNER_SCHED_H

#include <signal.h>
#include <stddef.h>

#include "harness/runner/job.h"

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

/* Runs the queue to its end: 0; -1 when out of memory; or the number of
 * the signal (SIGINT, SIGTERM, SIGHUP) that interrupted it. Then every
 * running child is SIGKILLed (its process group too) and reaped, its job
 * marked abandoned with what it had written so far in run; those jobs
 * and the ones never started do not call done. The caller blocks these
 * signals for as long as it wants them taken as an interruption (past
 * sched_run(), while it writes the reports); sched_run() blocks them for
 * its own run in any case. *strays gets how many leftover processes had
 * to be killed afterwards (sched_reap_strays()). */
int sched_run(const struct sched *s, size_t *strays);

/* The signals that interrupt a run: SIGINT, SIGTERM and SIGHUP, less
 * those ignored when it starts (nohup, a background job of a shell
 * without job control): whoever ignored them meant the run to go on. */
void sched_interrupt_signals(sigset_t *set);

/* Reaps processes left over after the jobs (stubs reparented to the
 * runner, which is a child subreaper while sched_run() runs): waits a
 * moment for those dying anyway, then SIGKILLs the rest. Returns how many
 * had to be killed. */
size_t sched_reap_strays(void);

#endif
