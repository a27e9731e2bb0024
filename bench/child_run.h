/* Running another program as a child of the bench (child_run.c). */
#ifndef BENCH_CHILD_RUN_H
#define BENCH_CHILD_RUN_H

#include "bench/bench.h"

struct child_out {
	char *buf; /* stdout and stderr together, the last cap-1 bytes */
	size_t cap, len;
	long long wall_ns; /* fork to exit */
	int status;        /* wait status */
	bool timed_out;    /* killed (with its process group) at the limit */
};

/* argv[0] is a path. cpus: the child's affinity (NULL: ours); normal: back
 * to SCHED_OTHER (the suite under --rt). 0, or -1 if the child could not be
 * started. */
int child_run(char *const argv[], const cpu_set_t *cpus, bool normal, int timeout_s,
	      struct child_out *out);

#endif
