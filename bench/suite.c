/*
 * The conformance suite's throughput: `harness suite -jN` as a child of the
 * bench, on every CPU we started with (not pinned), with its reports in the
 * bench's scratch folder. A "case" is one case x variant result line, as
 * counted by the suite's "# Totals:" line; the figure is wall time per case,
 * shown as cases per second. The run's result counts go into the JSON: a
 * run full of ERRORs is fast and says little.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "bench/child_run.h"

#define SUITE_TIMEOUT_S 3600

/* The "# Totals:" line's fields, in its order (harness/report/results.h:
 * an interrupted run has NOTRUN results, a host that fails a case too
 * HOSTFAIL ones). */
struct suite_totals {
	int pass, fail, xfail, xpass, skip, error, timeout, hostfail, notrun;
};
static struct suite_totals last_totals[2];

static int parse_totals(const char *out, struct suite_totals *t)
{
	const char *line = strstr(out, "# Totals:");
	if (!line)
		return -1;
	return sscanf(line,
		      "# Totals: pass:%d fail:%d xfail:%d xpass:%d skip:%d error:%d timeout:%d "
		      "hostfail:%d notrun:%d",
		      &t->pass, &t->fail, &t->xfail, &t->xpass, &t->skip, &t->error, &t->timeout,
		      &t->hostfail, &t->notrun) == 9
		       ? 0
		       : -1;
}

static int suite_run(int jobs, double *ns, char *err, size_t errlen)
{
	char jarg[16], report[1100];
	snprintf(jarg, sizeof(jarg), "-j%d", jobs);
	snprintf(report, sizeof(report), "%s/suite-j%d", bench_env.work_dir, jobs);
	char *argv[64] = {
		(char *)bench_env.harness, "suite", jarg, "--report-dir", report, "--fixtures",
		(char *)bench_env.fixtures
	};
	int argc = 7;
	char *pats = bench_env.suite_patterns ? strdup(bench_env.suite_patterns) : NULL;
	for (char *save = NULL, *w = pats ? strtok_r(pats, " ", &save) : NULL; w && argc < 63;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	struct child_out out = { .cap = 1 << 20 };
	out.buf = malloc(out.cap);
	int rc = -1;
	struct suite_totals t;
	if (!out.buf || child_run(argv, &bench_env.all_cpus, true, SUITE_TIMEOUT_S, &out) != 0)
		snprintf(err, errlen, "could not start %s", bench_env.harness);
	else if (out.timed_out || parse_totals(out.buf, &t) != 0)
		snprintf(err, errlen, "the suite %s (wait status %#x); see %s",
			 out.timed_out ? "timed out" : "printed no # Totals: line", out.status,
			 report);
	else {
		int total = t.pass + t.fail + t.xfail + t.xpass + t.skip + t.error + t.timeout +
			    t.hostfail + t.notrun;
		if (total > 0) {
			*ns = (double)out.wall_ns / total;
			last_totals[jobs - 1] = t;
			rc = 0;
		} else
			snprintf(err, errlen, "the suite ran no case");
	}
	free(out.buf);
	free(pats);
	return rc;
}

/* "pass:N fail:N ..." of the last run at -jN, for the JSON. */
void suite_totals_json(int jobs, char *buf, size_t len)
{
	const struct suite_totals *t = &last_totals[jobs - 1];
	snprintf(buf, len,
		 "{\"pass\": %d, \"fail\": %d, \"xfail\": %d, \"xpass\": %d, \"skip\": %d, "
		 "\"error\": %d, \"timeout\": %d, \"hostfail\": %d, \"notrun\": %d}",
		 t->pass, t->fail, t->xfail, t->xpass, t->skip, t->error, t->timeout, t->hostfail,
		 t->notrun);
}

int suite_errors(int jobs)
{
	const struct suite_totals *t = &last_totals[jobs - 1];
	return t->error + t->timeout + t->notrun;
}

static int suite_setup(void **state, char *err, size_t errlen)
{
	(void)state;
	if (bench_env.suite_patterns && !strcmp(bench_env.suite_patterns, "none")) {
		snprintf(err, errlen, "BENCH_SUITE=none");
		return -1;
	}
	return 0;
}

static int j1_run(void *s, long n, double *ns, char *err, size_t errlen)
{
	(void)s;
	(void)n;
	return suite_run(1, ns, err, errlen);
}
static int j2_run(void *s, long n, double *ns, char *err, size_t errlen)
{
	(void)s;
	(void)n;
	return suite_run(2, ns, err, errlen);
}

/* clang-format off */
const struct bench bench_suite[] = {
	{ .name = "suite_j1", .label = "suite throughput -j1", .group = "suite", .n = 1,
	  .setup = suite_setup, .run = j1_run, .per_second = true },
	{ .name = "suite_j2", .label = "suite throughput -j2", .group = "suite", .n = 1,
	  .setup = suite_setup, .run = j2_run, .per_second = true },
	{ 0 }
};
/* clang-format on */
