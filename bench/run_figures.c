/*
 * What a user sees: a static program doing raw getpid calls through the
 * whole `harness run` path (loader, sentry, trace), and the same program
 * run natively. The fixture (fixtures/bench/getpid_loop) is run twice per
 * repetition, with n/10 and 11n/10 calls, and the figure is the difference
 * in wall time over the difference in calls: start-up, loading and exit
 * cancel out. Pinned runs have the bench's CPU only; free runs every CPU
 * the bench started with, so the scheduler places the harness's threads
 * and the stubs (P26 binds each stub thread to its tracer's CPU).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/child_run.h"

#define RUN_TIMEOUT_S 300

enum run_kind { THROUGH_HARNESS, NATIVE };

struct run_figure {
	enum run_kind kind;
	bool pinned;
	bool trace_to_file; /* else --trace /dev/null */
};

static void fixture_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/bench/getpid_loop", bench_env.fixtures);
}

/* Wall time of one run with calls getpids; -1 with err filled. */
static long long one_run(const struct run_figure *f, long calls, char *err, size_t errlen)
{
	char fixture[1024], count[32], trace[1100];
	fixture_path(fixture, sizeof(fixture));
	snprintf(count, sizeof(count), "%ld", calls);
	snprintf(trace, sizeof(trace), "%s/run_getpid.trace", bench_env.work_dir);
	char *through[] = { (char *)bench_env.harness,
			    "run",
			    "--trace",
			    f->trace_to_file ? trace : "/dev/null",
			    "--",
			    fixture,
			    count,
			    NULL };
	char *native[] = { fixture, count, NULL };
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(bench_env.cpu, &one);
	struct child_out out = { .cap = 4096 };
	char buf[4096];
	out.buf = buf;
	/* Free runs as users start them: SCHED_OTHER even under --rt. */
	if (child_run(f->kind == NATIVE ? native : through, f->pinned ? &one : &bench_env.all_cpus,
		      !f->pinned, RUN_TIMEOUT_S, &out) != 0) {
		snprintf(err, errlen, "could not start %s",
			 f->kind == NATIVE ? fixture : bench_env.harness);
		return -1;
	}
	if (out.timed_out || !WIFEXITED(out.status) || WEXITSTATUS(out.status) != 0) {
		snprintf(err, errlen, "%s %s (wait status %#x): %.200s",
			 f->kind == NATIVE ? fixture : "harness run",
			 out.timed_out ? "timed out" : "failed", out.status, out.buf);
		return -1;
	}
	return out.wall_ns;
}

static int run_setup(void **state, char *err, size_t errlen)
{
	(void)state;
	char fixture[1024];
	fixture_path(fixture, sizeof(fixture));
	if (access(fixture, X_OK) != 0 || access(bench_env.harness, X_OK) != 0) {
		snprintf(err, errlen, "%s or %s missing (make all builds them): %s", fixture,
			 bench_env.harness, strerror(errno));
		return -1;
	}
	if (mkdir(bench_env.work_dir, 0755) != 0 && errno != EEXIST) { /* the trace file's */
		snprintf(err, errlen, "%s: %s", bench_env.work_dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int run_figure(const struct run_figure *f, long n, double *ns, char *err, size_t errlen)
{
	long small = n / 10 ? n / 10 : 1, big = small + n;
	long long t_small = one_run(f, small, err, errlen);
	long long t_big = t_small < 0 ? -1 : one_run(f, big, err, errlen);
	if (t_big < 0)
		return -1;
	if (t_big <= t_small) {
		snprintf(err, errlen, "%ld calls took no longer than %ld (%lld <= %lld ns)", big,
			 small, t_big, t_small);
		return -1;
	}
	*ns = (double)(t_big - t_small) / (double)n;
	return 0;
}

#define RUN_FIGURE(fn, k, pin, file)                                             \
	static int fn(void *state, long n, double *ns, char *err, size_t errlen) \
	{                                                                        \
		(void)state;                                                     \
		static const struct run_figure f = { k, pin, file };             \
		return run_figure(&f, n, ns, err, errlen);                       \
	}
RUN_FIGURE(pinned_file, THROUGH_HARNESS, true, true)
RUN_FIGURE(pinned_null, THROUGH_HARNESS, true, false)
RUN_FIGURE(free_file, THROUGH_HARNESS, false, true)
RUN_FIGURE(free_null, THROUGH_HARNESS, false, false)
RUN_FIGURE(native_pinned, NATIVE, true, false)

/* clang-format off */
#define RUN(nm, lb, n_, fn) \
	{ .name = nm, .label = lb, .group = "run", .n = n_, .setup = run_setup, .run = fn }
const struct bench bench_run[] = {
	RUN("run_getpid", "harness run getpid, trace to a file, pinned", 20000, pinned_file),
	RUN("run_getpid_devnull", "harness run getpid, --trace /dev/null, pinned", 20000,
	    pinned_null),
	RUN("run_getpid_free", "harness run getpid, trace to a file, free", 20000, free_file),
	RUN("run_getpid_free_devnull", "harness run getpid, --trace /dev/null, free", 20000,
	    free_null),
	RUN("run_getpid_native", "the same program natively, pinned", 2000000, native_pinned),
	{ 0 }
};
/* clang-format on */
