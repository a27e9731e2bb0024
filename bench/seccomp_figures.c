/*
 * The seccomp-trap backend (T12) beside the ptrace figures of
 * plat_figures.c, through platform.h only and with the same guest loops:
 * emulated getpid pinned to the bench CPU (harness, stub and guest on one
 * CPU, as every other figure) and free on all the CPUs the bench started
 * with (the backend's bounded spin can then meet the stub on another CPU),
 * the fault round trip, map-file, unmap and new address spaces.
 *
 * "Free" means: the instance is made, and the switches run, on a thread
 * whose affinity is every CPU we started with; the watcher thread, the
 * master and every stub inherit it from there.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/bench.h"
#include "platform/platform.h"

#define GUEST_CODE(name, body)                                                              \
	__asm__(".pushsection .text\n.globl " #name "\n" #name ":\n" body "\n.globl " #name \
		"_end\n" #name "_end:\n.popsection\n");                                     \
	extern const char name[], name##_end[]

/* The loops of plat_figures.c, under names of their own. */
GUEST_CODE(sc_b_getpid, "1: mov $39, %eax\n syscall\n mov %rax, %rdi\n jmp 1b");
GUEST_CODE(sc_b_read_pages,
	   "1: movabs $0x40000000, %rbx\n"
	   "2: mov (%rbx), %rax\n add $4096, %rbx\n movabs $0x40040000, %rcx\n"
	   " cmp %rcx, %rbx\n jb 2b\n mov $39, %eax\n syscall\n jmp 1b");

struct sc_guest {
	struct plat *p;
	struct plat_as *as;
	struct plat_ctx *ctx;
	int memfd;
	bool free_cpus; /* made and run on every CPU (see above) */
	unsigned long long last;
	bool have_last;
};

/* --- running a piece of work on a thread with every CPU ---------------- */

struct on_all {
	void *(*fn)(void *);
	void *arg;
};

static void *all_cpus_thread(void *a)
{
	struct on_all *o = a;
	sched_setaffinity(0, sizeof(bench_env.all_cpus), &bench_env.all_cpus);
	return o->fn(o->arg);
}

static void *run_on(bool free_cpus, void *(*fn)(void *), void *arg)
{
	if (!free_cpus)
		return fn(arg);
	pthread_t th;
	struct on_all o = { fn, arg };
	void *rv = (void *)1;
	if (pthread_create(&th, NULL, all_cpus_thread, &o) == 0)
		pthread_join(th, &rv);
	return rv;
}

/* --- setup and teardown --------------------------------------------------- */

struct make_args {
	struct sc_guest *g;
	const char *code, *end;
	bool no_pool, no_bind;
	char *err;
	size_t errlen;
};

static void *make(void *a)
{
	struct make_args *m = a;
	struct sc_guest *g = m->g;
	struct plat_options o = { .backend = PLAT_BACKEND_SECCOMP,
				  .no_pool = m->no_pool,
				  .no_cpu_binding = m->no_bind };
	g->p = plat_new(&o, m->err, m->errlen);
	if (!g->p)
		return (void *)1;
	int e = plat_as_new(g->p, &g->as);
	if (e) {
		g->as = NULL;
		snprintf(m->err, m->errlen, "plat_as_new: %s", strerror(-e));
		return (void *)1;
	}
	g->ctx = plat_ctx_new(g->p);
	e = g->ctx ? plat_map_file(g->as, CODE_ADDR, g->memfd, 0, PAGE, PROT_READ | PROT_EXEC,
				   false)
		   : -ENOMEM;
	if (e) {
		snprintf(m->err, m->errlen, "mapping the guest code: %s", strerror(-e));
		return (void *)1;
	}
	struct user_regs_struct *r = plat_ctx_regs(g->ctx);
	r->rip = CODE_ADDR;
	r->eflags = 0x202;
	return NULL;
}

static void sc_guest_free(void *state)
{
	struct sc_guest *g = state;
	if (g->ctx)
		plat_ctx_release(g->ctx);
	if (g->as)
		plat_as_release(g->as);
	if (g->p)
		plat_destroy(g->p);
	if (g->memfd >= 0)
		close(g->memfd);
	free(g);
}

static int sc_guest_new(bool free_cpus, bool no_pool, bool no_bind, const char *code,
			const char *end, void **state, char *err, size_t errlen)
{
	struct sc_guest *g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->free_cpus = free_cpus;
	g->memfd = memfd_create("bench-sc-guest", MFD_CLOEXEC);
	size_t len = (size_t)(end - code);
	if (g->memfd < 0 || ftruncate(g->memfd, (off_t)((1 + WIN_PAGES) * PAGE)) ||
	    pwrite(g->memfd, code, len, 0) != (ssize_t)len) {
		snprintf(err, errlen, "guest memory file: %s", strerror(errno));
		sc_guest_free(g);
		return -1;
	}
	struct make_args m = { g, code, end, no_pool, no_bind, err, errlen };
	if (run_on(free_cpus, make, &m)) {
		sc_guest_free(g);
		return -1;
	}
	*state = g;
	return 0;
}

/* --- emulated getpid --------------------------------------------------- */

struct getpid_args {
	struct sc_guest *g;
	long n;
	double ns;
	char *err;
	size_t errlen;
};

static void *getpid_loop(void *a)
{
	struct getpid_args *ga = a;
	struct sc_guest *g = ga->g;
	struct plat_exit ex;
	struct user_regs_struct *r = plat_ctx_regs(g->ctx);
	long warm = ga->n / 20, wrong = 0;
	long long t0 = 0;
	for (long i = 0; i < warm + ga->n; i++) {
		if (i == warm)
			t0 = now_ns();
		if (bench_switch(g->ctx, g->as, &ex, ga->err, ga->errlen))
			return (void *)1;
		if (ex.kind != PLAT_EXIT_SYSCALL || r->orig_rax != 39) {
			snprintf(ga->err, ga->errlen, "expected getpid, got exit kind %d", ex.kind);
			return (void *)1;
		}
		if (g->have_last && r->rdi != g->last)
			wrong++;
		r->rax = g->last = 1000 + (unsigned long long)(i & 0xff);
		g->have_last = true;
	}
	ga->ns = (double)(now_ns() - t0) / (double)ga->n;
	if (wrong) {
		snprintf(ga->err, ga->errlen, "the guest did not see the result %ld times", wrong);
		return (void *)1;
	}
	return NULL;
}

static int getpid_run(void *state, long n, double *ns, char *err, size_t errlen)
{
	struct sc_guest *g = state;
	struct getpid_args a = { g, n, 0, err, errlen };
	if (run_on(g->free_cpus, getpid_loop, &a))
		return -1;
	*ns = a.ns;
	return 0;
}

static int getpid_pinned_setup(void **state, char *err, size_t errlen)
{
	return sc_guest_new(false, false, false, sc_b_getpid, sc_b_getpid_end, state, err, errlen);
}

static int free_setup(bool no_bind, void **state, char *err, size_t errlen)
{
	if (CPU_COUNT(&bench_env.all_cpus) < 2) {
		snprintf(err, errlen, "the bench may use one CPU only: free is pinned");
		return -1;
	}
	return sc_guest_new(true, false, no_bind, sc_b_getpid, sc_b_getpid_end, state, err, errlen);
}
static int getpid_free_setup(void **state, char *err, size_t errlen)
{
	return free_setup(false, state, err, errlen);
}
static int getpid_free_nobind_setup(void **state, char *err, size_t errlen)
{
	return free_setup(true, state, err, errlen);
}

/* --- the fault round trip ---------------------------------------------- */

static int fault_run(void *state, long n, double *ns, char *err, size_t errlen)
{
	struct sc_guest *g = state;
	return bench_fault_loop(g->ctx, g->as, g->memfd, false, n, ns, err, errlen);
}

static int fault_setup(void **state, char *err, size_t errlen)
{
	return sc_guest_new(false, false, false, sc_b_read_pages, sc_b_read_pages_end, state, err,
			    errlen);
}

/* --- map-file and unmap ------------------------------------------------ */

static int inject_run(struct sc_guest *g, bool time_unmap, long n, double *ns, char *err,
		      size_t errlen)
{
	return bench_map_unmap(g->as, g->memfd, MAP_ADDR, time_unmap, n, ns, err, errlen);
}

static int map_run(void *s, long n, double *ns, char *err, size_t errlen)
{
	return inject_run(s, false, n, ns, err, errlen);
}
static int unmap_run(void *s, long n, double *ns, char *err, size_t errlen)
{
	return inject_run(s, true, n, ns, err, errlen);
}

/* --- new address spaces ------------------------------------------------- */

/* A usable address space: new, one map-file, released (pooled, or killed
 * and reaped with no_pool): the same cycle as plat_as_pool/master. */
static int as_run(void *state, long n, double *ns, char *err, size_t errlen)
{
	struct sc_guest *g = state;
	return bench_as_cycle(g->p, g->memfd, CODE_ADDR, n, ns, err, errlen);
}

static int pool_setup(void **state, char *err, size_t errlen)
{
	return sc_guest_new(false, false, false, sc_b_getpid, sc_b_getpid_end, state, err, errlen);
}
static int master_setup(void **state, char *err, size_t errlen)
{
	return sc_guest_new(false, true, false, sc_b_getpid, sc_b_getpid_end, state, err, errlen);
}

/* clang-format off */
#define SC(nm, lb, n_, su, ru) \
	{ .name = nm, .label = lb, .group = "platform", .n = n_, .setup = su, .run = ru, \
	  .teardown = sc_guest_free }
const struct bench bench_seccomp[] = {
	SC("sc_getpid", "seccomp: emulated getpid, pinned", 30000, getpid_pinned_setup, getpid_run),
	SC("sc_getpid_free", "seccomp: emulated getpid, free (all CPUs)", 30000, getpid_free_setup,
	   getpid_run),
	SC("sc_getpid_free_nobind", "seccomp: emulated getpid, free, not bound", 30000,
	   getpid_free_nobind_setup, getpid_run),
	SC("sc_fault_rt", "seccomp: fault round trip", 10000, fault_setup, fault_run),
	SC("sc_map_file", "seccomp: map-file", 10000, pool_setup, map_run),
	SC("sc_unmap", "seccomp: unmap", 10000, pool_setup, unmap_run),
	SC("sc_as_pool", "seccomp: new address space from the pool", 2000, pool_setup, as_run),
	SC("sc_as_master", "seccomp: new address space from the master", 200, master_setup, as_run),
	{ 0 }
};
/* clang-format on */
