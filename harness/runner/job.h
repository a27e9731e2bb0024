/* One job: a case under one variant (or natively) in a child process,
 * seen from the parent: start it, time it out, collect what it left. */
#ifndef HARNESS_RUNNER_JOB_H
#define HARNESS_RUNNER_JOB_H

#include <stdbool.h>
#include <sys/types.h>

#include "harness/case/case.h"
#include "harness/runner/child.h"
#include "harness/runner/run.h"
#include "harness/runner/variant.h"

struct job_ctx {
	const char *fixtures_dir;
	const char *gdb;            /* NULL: no backtraces */
	pid_t self;                 /* the runner */
	struct variant_switches sw; /* on top of every variant */
};

struct job {
	const struct tcase *c;
	const struct variant *v; /* NULL: the native run (O3) */
	unsigned rep;            /* 0 .. --repeat - 1 */
	unsigned long timeout_ms;
	void *owner; /* the case's bookkeeping */
	/* set while running */
	pid_t pid;
	int fd[CHILD_NFDS];
	unsigned long t0, deadline; /* job_now_ms() */
	bool killed;                /* at its deadline */
	char *evidence;
	struct scratch *scratch; /* fs: the run's directory (scratch.h) */
	/* set once it ended */
	struct run run;
	bool ended;     /* by sched_run(), just before it calls done() */
	bool abandoned; /* killed because the run was interrupted: run is partial */
};

unsigned long job_now_ms(void);
/* Forks the child. 0; or -1 when it could not start, with j->run filled
 * (RUN_NOSTART and why), so the job is finished already. */
int job_start(struct job *j, const struct job_ctx *x);
/* At the deadline: gathers the evidence, then SIGKILLs the child's
 * process group. The stubs die with their tracer (P25, EXITKILL). */
void job_expire(struct job *j);
/* The child was reaped with status: reads back everything into j->run. */
void job_reaped(struct job *j, int status);
/* Describes a wait status: "was killed by SIGSEGV", "exited with 3". */
void job_describe_status(int status, char *buf, size_t n);

#endif
