/*
 * make bench: every benchmark once per round, the rounds one
 * after another, each round starting one benchmark further down the list,
 * so slow drift and the machine's other load hit every figure alike. A
 * short pipe round trip run goes between any two benchmarks, and each
 * figure's ratio is taken to the mean of the two around it: load that
 * comes and goes within a round then hits both sides of the ratio.
 *
 * usage: bench [--rounds R] [--scale F] [--cpu C] [--out DIR] [--work DIR]
 *              [--harness PATH] [--fixtures DIR] [--suite PATTERNS|none]
 *              [--uml-kernel PATH --uml-root DIR | --uml-skip REASON]
 *              [--only NAME,NAME...] [--rt]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench/bench.h"

#define MAX_BENCH 64

static struct result results[MAX_BENCH];
static int nresults;

static const struct bench *const *lists(void)
{
	static const struct bench *const l[] = { bench_host,    bench_ptrace,        bench_platform,
						 bench_seccomp, bench_seccomp_floor, bench_run,
						 bench_uml,     bench_suite,         bench_ops,
						 NULL };
	return l;
}

static bool selected(const char *only, const char *name)
{
	if (!only || !strcmp(name, "pipe_rt")) /* the unit is always measured */
		return true;
	size_t n = strlen(name);
	for (const char *p = only; (p = strstr(p, name)); p += n)
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench [--rounds R] [--scale F] [--cpu C] [--out DIR] [--work DIR]\n"
		"             [--harness PATH] [--fixtures DIR] [--suite PATTERNS|none]\n"
		"             [--uml-kernel PATH --uml-root DIR | --uml-skip REASON]\n"
		"             [--only NAME,NAME...] [--rt]\n");
	exit(2);
}

static void min_max(const double *v, int n, double *lo, double *hi)
{
	*lo = *hi = v[0];
	for (int i = 1; i < n; i++) {
		*lo = v[i] < *lo ? v[i] : *lo;
		*hi = v[i] > *hi ? v[i] : *hi;
	}
}

static void compute(struct result *r)
{
	int n = 0, m = 0;
	for (int i = 0; i < BENCH_MAX_ROUNDS; i++) {
		if (!r->ok[i])
			continue;
		r->samples[n++] = r->ns[i];
		if (r->ref[i] > 0)
			r->ratio[m++] = r->ns[i] / r->ref[i];
	}
	r->count = n;
	r->nratio = m;
	if (n) {
		min_max(r->samples, n, &r->min, &r->max);
		r->median = median_of(r->samples, n);
	}
	if (m) {
		min_max(r->ratio, m, &r->rmin, &r->rmax);
		r->rmedian = median_of(r->ratio, m);
	}
}

static struct result *find(const char *name)
{
	for (int i = 0; i < nresults; i++)
		if (!strcmp(results[i].b->name, name))
			return &results[i];
	return NULL;
}

/* x / y within each round, then the median: drift cancels out. */
static bool paired_ratio(const char *x, const char *y, double *med)
{
	struct result *a = find(x), *b = find(y);
	double q[BENCH_MAX_ROUNDS];
	int m = 0;
	if (!a || !b)
		return false;
	for (int i = 0; i < BENCH_MAX_ROUNDS; i++)
		if (a->ok[i] && b->ok[i] && a->ns[i] > 0 && b->ns[i] > 0)
			q[m++] = a->ns[i] / b->ns[i];
	if (!m)
		return false;
	*med = median_of(q, m);
	return true;
}

struct goal {
	const char *what, *x, *y;
	bool at_most; /* x/y <= limit, else x/y >= limit */
	double limit;
	bool measured, met;
	double value;
};

/* clang-format off */
static struct goal goals[] = {
	{ .what = "emulated getpid (lazy) / pipe round trip", .x = "plat_getpid_lazy",
	  .y = "pipe_rt", .at_most = true, .limit = 1.75 },
	{ .what = "emulated getpid (lazy) / raw floor + POKEUSER", .x = "plat_getpid_lazy",
	  .y = "sysemu_poke", .at_most = true, .limit = 1.25 },
	{ .what = "full-state getpid / lazy getpid", .x = "plat_getpid_full",
	  .y = "plat_getpid_lazy", .limit = 1.5 },
	{ .what = "UML getpid / lazy getpid", .x = "uml_getpid", .y = "plat_getpid_lazy",
	  .limit = 1.5 },
	{ .what = "lazy getpid, tracer free (bound) / pinned", .x = "plat_getpid_lazy_free",
	  .y = "plat_getpid_lazy", .at_most = true, .limit = 1.5 },
	{ .what = "harness run getpid (pinned) / lazy getpid", .x = "run_getpid",
	  .y = "plat_getpid_lazy", .at_most = true, .limit = 2.0 },
	/* The seccomp-trap backend (T12). */
	{ .what = "seccomp getpid (pinned) / pipe round trip", .x = "sc_getpid", .y = "pipe_rt",
	  .at_most = true, .limit = 1.0 },
	{ .what = "seccomp getpid (pinned) / ptrace lazy getpid", .x = "sc_getpid",
	  .y = "plat_getpid_lazy", .at_most = true, .limit = 0.7 },
	{ .what = "ptrace lazy getpid (pinned) / seccomp free", .x = "plat_getpid_lazy",
	  .y = "sc_getpid_free", .limit = 4.0 },
};
/* Ratios worth reading beside the goals, with no goal of their own. */
static struct goal others[] = {
	{ .what = "lazy getpid, CPUID faulting on / off (P27)", .x = "plat_getpid_lazy_cpuid",
	  .y = "plat_getpid_lazy" },
	{ .what = "raw floor + POKEUSER, CPUID faulting on / off", .x = "sysemu_poke_cpuid",
	  .y = "sysemu_poke" },
	{ .what = "lazy getpid, free, not bound / pinned (P26 off)",
	  .x = "plat_getpid_lazy_free_nobind", .y = "plat_getpid_lazy" },
	{ .what = "harness run getpid, free / pinned", .x = "run_getpid_free", .y = "run_getpid" },
	{ .what = "harness run getpid, --trace /dev/null / file", .x = "run_getpid_devnull",
	  .y = "run_getpid" },
	{ .what = "harness run getpid (pinned) / native", .x = "run_getpid", .y = "run_getpid_native" },
	{ .what = "seccomp getpid (pinned) / its floor (raw SIGSYS + futex)", .x = "sc_getpid",
	  .y = "sigsys_futex_floor" },
	{ .what = "seccomp floor / pipe round trip", .x = "sigsys_futex_floor", .y = "pipe_rt" },
};
/* clang-format on */
#define NGOALS (sizeof(goals) / sizeof(goals[0]))
#define NOTHERS (sizeof(others) / sizeof(others[0]))

/* The other ratios, printed and as a JSON array. */
static void other_ratios(char *json, size_t len)
{
	size_t o = (size_t)snprintf(json, len, "[");
	printf("\nother ratios (medians of per-round ratios, no goal):\n");
	for (size_t i = 0; i < NOTHERS; i++) {
		struct goal *g = &others[i];
		g->measured = paired_ratio(g->x, g->y, &g->value);
		if (g->measured)
			printf("  %-50s %7.2fx\n", g->what, g->value);
		else
			printf("  %-50s    not measured in this run\n", g->what);
		o += (size_t)snprintf(
			json + o, len - o,
			"%s{\"what\": \"%s\", \"ratio\": \"%s/%s\", \"measured\": %s, "
			"\"value\": %.4g}",
			i ? ", " : "", g->what, g->x, g->y, g->measured ? "true" : "false",
			g->measured ? g->value : 0);
	}
	snprintf(json + o, len - o, "]");
}

static void check_goals(char *json, size_t len)
{
	size_t o = (size_t)snprintf(json, len, "[");
	printf("\ngoals (medians of per-round ratios; NOT met is reported, not an error):\n");
	for (size_t i = 0; i < NGOALS; i++) {
		struct goal *g = &goals[i];
		struct result *x = find(g->x);
		if (!strcmp(g->y, "pipe_rt")) { /* the bracketed ratio, as in the table */
			g->measured = x && !x->skipped && x->nratio > 0;
			g->value = g->measured ? x->rmedian : 0;
		} else {
			g->measured = paired_ratio(g->x, g->y, &g->value);
		}
		g->met = g->measured && (g->at_most ? g->value <= g->limit : g->value >= g->limit);
		if (g->measured)
			printf("  %-50s %5.2fx  goal %s %.2fx: %s\n", g->what, g->value,
			       g->at_most ? "<=" : ">=", g->limit, g->met ? "met" : "NOT met");
		else
			printf("  %-50s   not measured in this run\n", g->what);
		o += (size_t)snprintf(
			json + o, len - o,
			"%s{\"goal\": \"%s\", \"ratio\": \"%s/%s\", \"limit\": \"%s %.2f\", "
			"\"measured\": %s, \"value\": %.4g, \"met\": %s}",
			i ? ", " : "", g->what, g->x, g->y, g->at_most ? "<=" : ">=", g->limit,
			g->measured ? "true" : "false", g->measured ? g->value : 0,
			g->met ? "true" : "false");
	}
	snprintf(json + o, len - o, "]");
}

static void read_first_line(const char *path, const char *prefix, char *out, size_t len)
{
	char line[512];
	FILE *f = fopen(path, "re");
	out[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (prefix && strncmp(line, prefix, strlen(prefix)))
			continue;
		char *v = prefix ? strchr(line, ':') + 1 : line;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = 0;
		snprintf(out, len, "%s", v);
		break;
	}
	if (f)
		fclose(f);
}

/* "1.00 0.50 0.25 2/100 1234" -> "1.00 0.50 0.25" */
static void loadavg3(char *s)
{
	for (int words = 0; *s; s++)
		if (*s == ' ' && ++words == 3) {
			*s = 0;
			break;
		}
}

static void env_json(char *buf, size_t len, const char *load0, const char *load1, int rounds,
		     const char *only)
{
	struct utsname u;
	uname(&u);
	char cpu[256], e[6][512];
	read_first_line("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	const char *uml = bench_env.uml_kernel ? bench_env.uml_kernel : bench_env.uml_skip;
	snprintf(buf, len,
		 "{\"kernel\": \"%s\", \"cpu_model\": \"%s\", \"cpus_online\": %ld, "
		 "\"cpuid_faulting_available\": %s, "
		 "\"bench_cpu\": %d, \"stub_cpus\": \"%s\", \"sched_fifo\": %s, \"scale\": %g, "
		 "\"rounds\": %d, \"loadavg_start\": \"%s\", \"loadavg_end\": \"%s\", "
		 "\"suite_patterns\": \"%s\", \"uml\": \"%s\", \"only\": \"%s\"}",
		 json_esc(u.release, e[0], sizeof(e[0])), json_esc(cpu, e[1], sizeof(e[1])),
		 sysconf(_SC_NPROCESSORS_ONLN), bench_cpuid_faulting() ? "true" : "false",
		 bench_env.cpu, bench_stub_cpus, bench_env.rt ? "true" : "false", bench_env.scale,
		 rounds, load0, load1,
		 json_esc(bench_env.suite_patterns ? bench_env.suite_patterns : "(all)", e[2],
			  sizeof(e[2])),
		 json_esc(uml ? uml : "", e[3], sizeof(e[3])),
		 json_esc(only ? only : "(all)", e[4], sizeof(e[4])));
}

/* A quarter-length pipe round trip run between two benchmarks; 0 if it
 * failed. */
static double bracket(const struct result *pipe)
{
	char err[256];
	double ns = 0;
	if (!pipe || pipe->skipped)
		return 0;
	long n = pipe->n / 4 ? pipe->n / 4 : 1;
	return pipe->b->run(pipe->state, n, &ns, err, sizeof(err)) == 0 ? ns : 0;
}

static double mean_known(double a, double b)
{
	return a > 0 && b > 0 ? (a + b) / 2 : a > 0 ? a : b;
}

static void run_one(struct result *r, int round)
{
	char err[256] = "";
	double ns = 0;
	long long t0 = now_ns();
	int rc = r->b->run(r->state, r->n, &ns, err, sizeof(err));
	double secs = (double)(now_ns() - t0) / 1e9;
	if (rc == 0 && ns > 0) {
		r->ns[round] = ns;
		r->ok[round] = true;
		fprintf(stderr, "  %-24s %12.1f ns/op  (%.1f s)\n", r->b->name, ns, secs);
	} else {
		if (!r->why[0])
			snprintf(r->why, sizeof(r->why), "%s", err[0] ? err : "failed");
		fprintf(stderr, "  %-24s FAILED: %s\n", r->b->name, err);
	}
}

int main(int argc, char **argv)
{
	int rounds = 5;
	const char *out = "reports/bench", *only = NULL;
	bench_env = (struct bench_env){ .cpu = 0,
					.scale = 1.0,
					.harness = "build/harness",
					.fixtures = "build/fixtures",
					.work_dir = "build/bench/work",
					.uml_skip = "no --uml-kernel given" };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--rt")) {
			bench_env.rt = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--rounds"))
			rounds = atoi(v);
		else if (!strcmp(a, "--scale"))
			bench_env.scale = atof(v);
		else if (!strcmp(a, "--cpu"))
			bench_env.cpu = atoi(v);
		else if (!strcmp(a, "--out"))
			out = v;
		else if (!strcmp(a, "--work"))
			bench_env.work_dir = v;
		else if (!strcmp(a, "--harness"))
			bench_env.harness = v;
		else if (!strcmp(a, "--fixtures"))
			bench_env.fixtures = v;
		else if (!strcmp(a, "--suite"))
			bench_env.suite_patterns = v[0] ? v : NULL;
		else if (!strcmp(a, "--uml-kernel"))
			bench_env.uml_kernel = v[0] ? v : NULL;
		else if (!strcmp(a, "--uml-root"))
			bench_env.uml_init = v;
		else if (!strcmp(a, "--uml-skip"))
			bench_env.uml_skip = v;
		else if (!strcmp(a, "--only"))
			only = v;
		else
			usage();
	}
	if (rounds < 1 || rounds > BENCH_MAX_ROUNDS || bench_env.scale <= 0 ||
	    (bench_env.uml_kernel && !bench_env.uml_init)) {
		fprintf(stderr,
			"bench: rounds must be 1..%d, scale > 0, and --uml-kernel needs --uml-root\n",
			BENCH_MAX_ROUNDS);
		return 2;
	}
	if (sched_getaffinity(0, sizeof(bench_env.all_cpus), &bench_env.all_cpus) != 0 ||
	    pin_to(bench_env.cpu) != 0) {
		fprintf(stderr, "bench: cannot run on CPU %d: %s\n", bench_env.cpu,
			strerror(errno));
		return 2;
	}
	/* Inherited by every thread and child made from here on (the stubs,
	 * UML); the suite goes back to SCHED_OTHER. */
	if (bench_env.rt && sched_setscheduler(0, SCHED_FIFO, &(struct sched_param){ 1 }) != 0) {
		fprintf(stderr, "bench: --rt: cannot use SCHED_FIFO: %s\n", strerror(errno));
		return 2;
	}
	char load0[64], load1[64];
	read_first_line("/proc/loadavg", NULL, load0, sizeof(load0));
	loadavg3(load0);

	/* Setup, in list order; a benchmark that cannot run says why. */
	for (const struct bench *const *l = lists(); *l; l++)
		for (const struct bench *b = *l; b->name && nresults < MAX_BENCH; b++) {
			if (!selected(only, b->name))
				continue;
			struct result *r = &results[nresults++];
			r->b = b;
			r->n = scaled(b->n);
			char err[256] = "";
			if (b->setup && b->setup(&r->state, err, sizeof(err)) != 0) {
				r->skipped = true;
				snprintf(r->why, sizeof(r->why), "%s",
					 err[0] ? err : "setup failed");
				fprintf(stderr, "bench: %s skipped: %s\n", b->name, r->why);
			}
		}

	struct result *pipe = find("pipe_rt");
	for (int round = 0; round < rounds; round++) {
		fprintf(stderr, "round %d/%d\n", round + 1, rounds);
		double before = bracket(pipe);
		for (int j = 0; j < nresults; j++) {
			struct result *r = &results[(round + j) % nresults];
			if (r->skipped)
				continue;
			run_one(r, round);
			if (r == pipe) {
				r->ref[round] = r->ok[round] ? r->ns[round] : 0;
				before = mean_known(before, r->ref[round]);
				continue;
			}
			double after = bracket(pipe);
			r->ref[round] = mean_known(before, after);
			before = after;
		}
	}
	for (int i = 0; i < nresults; i++)
		if (!results[i].skipped && results[i].b->teardown)
			results[i].b->teardown(results[i].state);
	read_first_line("/proc/loadavg", NULL, load1, sizeof(load1));
	loadavg3(load1);

	for (int i = 0; i < nresults; i++)
		if (!results[i].skipped)
			compute(&results[i]);

	char cpu_model[256];
	struct utsname u;
	uname(&u);
	read_first_line("/proc/cpuinfo", "model name", cpu_model, sizeof(cpu_model));
	printf("\nmake bench: %d round(s), interleaved; CPU %d for everything but the suite and "
	       "the free figures (pinned stub threads allowed on: %s)%s\n",
	       rounds, bench_env.cpu, bench_stub_cpus, bench_env.rt ? "; SCHED_FIFO" : "");
	printf("machine: %s, %ld CPUs online, kernel %s, CPUID faulting %s\n", cpu_model,
	       sysconf(_SC_NPROCESSORS_ONLN), u.release,
	       bench_cpuid_faulting() ? "available (used only where a figure says so)" : "absent");
	printf("load average at start %s, at end %s%s\n", load0, load1,
	       atof(load0) > 1.0 || atof(load1) > 1.0
		       ? " -- others were busy: absolute figures are noisy, compare the ratios"
		       : "");
	printf("ratio = median over rounds of (figure / pipe round trip measured just before "
	       "and after it)\n\n");
	report_table(results, nresults, rounds);
	for (int j = 1; j <= 2; j++) {
		char name[16];
		snprintf(name, sizeof(name), "suite_j%d", j);
		struct result *s = find(name);
		if (s && !s->skipped && suite_errors(j))
			printf("note: the last -j%d suite run had %d ERROR/TIMEOUT results: those "
			       "cases did not really run\n",
			       j, suite_errors(j));
	}
	char gj[4096], oj[4096], ej[2048], path[1024];
	check_goals(gj, sizeof(gj));
	other_ratios(oj, sizeof(oj));
	env_json(ej, sizeof(ej), load0, load1, rounds, only);
	mkdir(out, 0755);
	snprintf(path, sizeof(path), "%s/results.json", out);
	int e = report_json(path, results, nresults, rounds, gj, oj, ej);
	snprintf(path, sizeof(path), "%s/ratios.dat", out);
	e |= report_chart_data(path, results, nresults);
	if (e) {
		fprintf(stderr, "bench: cannot write to %s: %s\n", out, strerror(errno));
		return 1;
	}
	printf("\nwritten: %s/results.json, %s/ratios.dat\n", out, out);
	return pipe && pipe->count ? 0 : 1;
}
