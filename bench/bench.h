/*
 * make bench: side-by-side figures for the platform, interleaved
 * round by round in one process tree so that drift hits every figure alike.
 * Every figure is a time per operation in ns; its ratio to the pipe round
 * trip measured right before and after it is what the goals are about
 * (bench/README.md).
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define BENCH_MAX_ROUNDS 50

/* Settings shared by every benchmark (bench/main.c fills them). */
struct bench_env {
	int cpu;                    /* everything but the suite runs on this CPU */
	cpu_set_t all_cpus;         /* the affinity we started with (the suite's) */
	double scale;               /* multiplies every benchmark's op count */
	bool rt;                    /* SCHED_FIFO for all but the suite (BENCH_RT=1) */
	const char *harness;        /* build/harness */
	const char *fixtures;       /* build/fixtures */
	const char *suite_patterns; /* NULL: the whole suite */
	const char *work_dir;       /* scratch: suite reports, the UML root */
	const char *uml_kernel;     /* NULL: no UML (uml_skip says why) */
	const char *uml_init;       /* the static init binary */
	const char *uml_skip;
};
extern struct bench_env bench_env;

/* One benchmark. setup runs once, before round 1 (may say why it cannot
 * run); run does one repetition of n operations and gives ns per op. */
struct bench {
	const char *name;  /* JSON key */
	const char *label; /* table row and chart label */
	const char *group; /* "kernel", "ptrace", "platform", "run", "uml", "suite", "op" */
	long n;            /* operations per repetition, before scaling */
	int (*setup)(void **state, char *err, size_t errlen);
	int (*run)(void *state, long n, double *ns_per_op, char *err, size_t errlen);
	void (*teardown)(void *state);
	bool per_second; /* shown as operations per second (the suite) */
};

/* Each part of the bench lists its benchmarks (NULL-terminated). */
extern const struct bench bench_host[];          /* host.c: getpid, pipe */
extern const struct bench bench_ptrace[];        /* raw_ptrace.c: tracers, floors */
extern const struct bench bench_ops[];           /* ptrace_ops.c: single requests */
extern const struct bench bench_platform[];      /* plat_figures.c */
extern const struct bench bench_run[];           /* run_figures.c: harness run */
extern const struct bench bench_seccomp[];       /* seccomp_figures.c: the seccomp-trap backend */
extern const struct bench bench_seccomp_floor[]; /* raw_seccomp.c: its floor */
extern const struct bench bench_uml[];           /* uml.c */
extern const struct bench bench_suite[];         /* suite.c */

/* Results of one benchmark over the rounds. */
struct result {
	const struct bench *b;
	void *state;
	bool skipped;
	char why[256]; /* why skipped, or the first failure */
	long n;
	double ns[BENCH_MAX_ROUNDS];  /* by round; ok[] says which were measured */
	double ref[BENCH_MAX_ROUNDS]; /* the pipe round trip measured around it */
	bool ok[BENCH_MAX_ROUNDS];
	int count;                        /* repetitions that succeeded */
	double samples[BENCH_MAX_ROUNDS]; /* the measured ns, in round order */
	double ratio[BENCH_MAX_ROUNDS];   /* ns / ref, round by round */
	int nratio;
	double min, median, max;
	double rmin, rmedian, rmax;
};

/* report.c */
double median_of(const double *v, int n);
void report_table(struct result *r, int nr, int rounds);
int report_json(const char *path, struct result *r, int nr, int rounds, const char *goals_json,
		const char *others_json, const char *env_json);
int report_chart_data(const char *path, struct result *r, int nr);
const char *json_esc(const char *s, char *buf, size_t len);

/* util.c */
static inline long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
int pin_to(int cpu);
/* fork()ed children must not outlive us whatever happens. */
void child_die_with_parent(void);
int wait_stopped(pid_t pid, int sig);
void kill_and_reap(pid_t pid);
/* Whether ARCH_SET_CPUID(0) works here (CPUID faulting, P27). */
bool bench_cpuid_faulting(void);
/* Ops for a repetition: n scaled, at least 1. */
long scaled(long n);
/* One page of memfd mapped at addr with plat_map_file, then unmapped, n
 * times after n/20 warm-up pairs: ns per map-file, or per unmap. Both
 * backends' figures use it, so they time the same thing. */
/* The guest layout of the platform figures (plat_figures.c,
 * seccomp_figures.c): code, a page for single map-files, and the window
 * the fault loops touch page by page, then unmap. */
#define PAGE 4096UL
#define CODE_ADDR 0x10000000UL
#define MAP_ADDR 0x20000000UL
#define WIN_ADDR 0x40000000UL
#define WIN_PAGES 64UL

struct plat_as;
struct plat;
struct plat_ctx;
struct plat_exit;
/* plat_switch, or -1 with its error in err (also for PLAT_EXIT_ERROR). */
int bench_switch(struct plat_ctx *ctx, struct plat_as *as, struct plat_exit *ex, char *err,
		 size_t errlen);
/* The fault round trip (P17, P21, T4): the guest touches fresh pages of
 * the window; each fault (with write: the read fault, then the write
 * fault of P17's two-step) is served by a map-file and the guest resumed;
 * its syscall after the window asks for the unmap, which is not timed.
 * ns per page. */
int bench_fault_loop(struct plat_ctx *ctx, struct plat_as *as, int memfd, bool write, long n,
		     double *ns, char *err, size_t errlen);
/* A usable address space n times after n/20 warm-up ones: plat_as_new,
 * one map-file of memfd's first page at addr, plat_as_release (pooled,
 * or killed and reaped): ns per cycle. Both backends' figures. */
int bench_as_cycle(struct plat *p, int memfd, uintptr_t addr, long n, double *ns, char *err,
		   size_t errlen);
int bench_map_unmap(struct plat_as *as, int memfd, uintptr_t addr, bool time_unmap, long n,
		    double *ns, char *err, size_t errlen);

/* raw_ptrace.c, for ptrace_ops.c: a traced child stopped at its SIGSTOP
 * (running a getpid loop when resumed), and the XSTATE regset size. */
pid_t bench_stopped_child(char *err, size_t errlen);
size_t bench_xstate_size(pid_t pid);

/* suite.c: the last run's result counts at -jN, as a JSON object, and
 * how many of them were errors or time-outs. */
void suite_totals_json(int jobs, char *buf, size_t len);
int suite_errors(int jobs);

/* plat_figures.c: the CPUs the pinned platform's stub threads may run on. */
extern char bench_stub_cpus[64];

#endif
