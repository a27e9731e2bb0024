/* What one run (a case under one variant, or natively) left behind. */
#ifndef HARNESS_RUNNER_RUN_H
#define HARNESS_RUNNER_RUN_H

#include <stdint.h>

#include "harness/runner/capture.h"
#include "harness/sentry/sentry.h"

enum run_stream {
	RUN_STDOUT, /* the guest's fd 1 */
	RUN_STDERR, /* the guest's fd 2 */
	RUN_TRACE,  /* the sentry's trace (S11) */
	RUN_DIAG,   /* the child's own stdout and stderr (platform messages) */
	RUN_GDB,    /* gdb's backtrace when the child crashed */
	RUN_NSTREAMS,
};

enum run_end {
	RUN_DONE,    /* the child ended normally and left its record */
	RUN_TIMEOUT, /* killed at the deadline; evidence says where it hung */
	RUN_CRASHED, /* died by a signal, or exited without a record */
	RUN_NOSTART, /* the parent could not start it; error says why */
};

/* Written by the child into its record file just before it exits. */
#define RUN_RECORD_MAGIC 0x4e555248u /* "HRUN" */
struct run_record {
	uint32_t magic;
	int rc; /* sentry_run's value; native: 1 if execve failed */
	struct sentry_result res;
};

struct run {
	enum run_end end;
	int rc;                   /* DONE: sentry_run's value (0: it ran) */
	struct sentry_result res; /* DONE and rc 0: how the guest ended */
	int wait_status;          /* the child's, for CRASHED */
	struct bytes s[RUN_NSTREAMS];
	char *evidence;   /* TIMEOUT */
	char *error;      /* NOSTART, or why CRASHED */
	unsigned long ms; /* wall time from fork to reaping */
};

void run_free(struct run *r);

#endif
