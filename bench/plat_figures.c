/*
 * The platform itself, through its public interface only (platform.h), as
 * the sentry uses it: emulated getpid in both state-transfer modes (P13),
 * the fault round trip and the read-then-write two-step (P17, P21), single
 * map-file and unmap injections (P21), and a new address space from the
 * pool or from the master (P5, P22).
 *
 * The bench thread is pinned before any platform is made: the master stub
 * is forked by a thread it creates, stub processes are cloned from the
 * master and stub threads from their process's first thread, and each
 * inherits the affinity of its creator. So every stub thread runs on the
 * bench's CPU (checked in /proc, reported as stub_cpus). The free-running
 * getpid figures make their instances and switch from a worker thread
 * free on every CPU the bench started with (P26 binding on, then off),
 * and one figure has CPUID faulting on (P27).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/worker.h"
#include "platform/platform.h"

char bench_stub_cpus[64] = "unknown";

/* Defines name[] and name_end[] around position-independent guest code. */
#define GUEST_CODE(name, body)                                                              \
	__asm__(".pushsection .text\n.globl " #name "\n" #name ":\n" body "\n.globl " #name \
		"_end\n" #name "_end:\n.popsection\n");                                     \
	extern const char name[], name##_end[]

/* getpid forever; each result becomes the next call's rdi (checked). */
GUEST_CODE(g_getpid, "1: mov $39, %eax\n syscall\n mov %rax, %rdi\n jmp 1b");
/* Touch every page of the window once (read or write), then a getpid
 * tells the harness to unmap the window, and round again. */
#define TOUCH_LOOP(insn)                                  \
	"1: movabs $0x40000000, %rbx\n"                   \
	"2: " insn                                        \
	"\n add $4096, %rbx\n movabs $0x40040000, %rcx\n" \
	" cmp %rcx, %rbx\n jb 2b\n mov $39, %eax\n syscall\n jmp 1b"
GUEST_CODE(g_read_pages, TOUCH_LOOP("mov (%rbx), %rax"));
GUEST_CODE(g_write_pages, TOUCH_LOOP("movq $1, (%rbx)"));

/* FREE_*: made on the free worker thread, P26 binding on or off. */
enum kind { LAZY, FULL, NO_POOL, CPUID_FAULTING, FREE_BIND, FREE_NOBIND, NKINDS };
static struct plat *plats[NKINDS];
static int plat_refs[NKINDS];

static struct plat *plat_get(enum kind k, char *err, size_t errlen)
{
	if (!plats[k]) {
		struct plat_options o = { .full_state = k == FULL,
					  .no_pool = k == NO_POOL,
					  .cpuid_faulting = k == CPUID_FAULTING,
					  .no_cpu_binding = k == FREE_NOBIND };
		plats[k] = plat_new(&o, err, errlen);
		if (!plats[k])
			return NULL;
	}
	plat_refs[k]++;
	return plats[k];
}

static void plat_put(enum kind k)
{
	if (--plat_refs[k] == 0) {
		plat_destroy(plats[k]);
		plats[k] = NULL;
	}
}

struct guest {
	enum kind kind;
	struct plat *p;
	struct plat_as *as;
	struct plat_ctx *ctx;
	int memfd;               /* page 0: code; pages 1..WIN_PAGES: data */
	unsigned long long last; /* getpid: the rax written last */
	bool have_last;
};

/* Lists the CPUs the stub threads of pid may use, e.g. "0" or "0-1". */
static void record_stub_cpus(pid_t pid)
{
	char path[64], line[256], cpus[64] = "";
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/status", pid, e->d_name);
		FILE *f = fopen(path, "re");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "Cpus_allowed_list:", 18)) {
				char *v = line + 18 + strspn(line + 18, " \t");
				v[strcspn(v, "\n")] = 0;
				if (cpus[0] && strcmp(cpus, v))
					snprintf(cpus, sizeof(cpus), "mixed");
				else if (!cpus[0])
					snprintf(cpus, sizeof(cpus), "%s", v);
			}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	if (cpus[0])
		snprintf(bench_stub_cpus, sizeof(bench_stub_cpus), "%s", cpus);
}

static void guest_free(struct guest *g)
{
	if (g->ctx)
		plat_ctx_release(g->ctx);
	if (g->as)
		plat_as_release(g->as);
	if (g->memfd >= 0)
		close(g->memfd);
	if (g->p)
		plat_put(g->kind);
	free(g);
}

static int guest_new(enum kind k, const char *code, const char *end, void **state, char *err,
		     size_t errlen)
{
	struct guest *g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->kind = k;
	g->memfd = memfd_create("bench-guest", MFD_CLOEXEC);
	size_t len = (size_t)(end - code);
	if (g->memfd < 0 || ftruncate(g->memfd, (off_t)((1 + WIN_PAGES) * PAGE)) ||
	    pwrite(g->memfd, code, len, 0) != (ssize_t)len) {
		snprintf(err, errlen, "guest memory file: %s", strerror(errno));
		guest_free(g);
		return -1;
	}
	g->p = plat_get(k, err, errlen);
	if (!g->p) {
		guest_free(g);
		return -1;
	}
	int e = plat_as_new(g->p, &g->as);
	if (e) {
		g->as = NULL;
		snprintf(err, errlen, "plat_as_new: %s", strerror(-e));
		guest_free(g);
		return -1;
	}
	g->ctx = plat_ctx_new(g->p);
	e = g->ctx ? plat_map_file(g->as, CODE_ADDR, g->memfd, 0, PAGE, PROT_READ | PROT_EXEC,
				   false)
		   : -ENOMEM;
	if (e) {
		snprintf(err, errlen, "mapping the guest code: %s", strerror(-e));
		guest_free(g);
		return -1;
	}
	struct user_regs_struct *r = plat_ctx_regs(g->ctx);
	r->rip = CODE_ADDR;
	r->eflags = 0x202;
	*state = g;
	return 0;
}

static void guest_teardown(void *state)
{
	guest_free(state);
}

/* --- emulated getpid ---------------------------------------------------- */

static int getpid_run(void *state, long n, double *ns, char *err, size_t errlen)
{
	struct guest *g = state;
	struct plat_exit ex;
	struct user_regs_struct *r = plat_ctx_regs(g->ctx);
	long warm = n / 20, wrong = 0;
	long long t0 = 0;
	for (long i = 0; i < warm + n; i++) {
		if (i == warm)
			t0 = now_ns();
		if (bench_switch(g->ctx, g->as, &ex, err, errlen))
			return -1;
		if (ex.kind != PLAT_EXIT_SYSCALL || r->orig_rax != 39) {
			snprintf(err, errlen, "expected getpid, got exit kind %d (orig_rax %lld)",
				 ex.kind, (long long)r->orig_rax);
			return -1;
		}
		if (g->have_last && r->rdi != g->last)
			wrong++;
		/* The minimal sentry work: the result goes in rax. */
		r->rax = g->last = 1000 + (unsigned long long)(i & 0xff);
		g->have_last = true;
	}
	*ns = (double)(now_ns() - t0) / (double)n;
	if (wrong) {
		snprintf(err, errlen, "the guest did not see the result %ld times", wrong);
		return -1;
	}
	return 0;
}

/* The first switch creates the calling thread's stub thread. */
static int getpid_setup(enum kind k, void **state, char *err, size_t errlen)
{
	double ns;
	int e = guest_new(k, g_getpid, g_getpid_end, state, err, errlen);
	if (e == 0 && (e = getpid_run(*state, 1, &ns, err, errlen)) != 0) {
		guest_free(*state);
		*state = NULL;
	}
	return e;
}

static int getpid_lazy_setup(void **state, char *err, size_t errlen)
{
	int e = getpid_setup(LAZY, state, err, errlen);
	if (e == 0)
		record_stub_cpus(plat_as_pid(((struct guest *)*state)->as));
	return e;
}

static int getpid_full_setup(void **state, char *err, size_t errlen)
{
	return guest_new(FULL, g_getpid, g_getpid_end, state, err, errlen);
}

/* P27's price: the same lazy switch with guest CPUIDs faulting; skipped
 * (plat_new says why) where the machine has no CPUID faulting. */
static int getpid_cpuid_setup(void **state, char *err, size_t errlen)
{
	return getpid_setup(CPUID_FAULTING, state, err, errlen);
}

/* --- free-running: the tracer on a thread free on every CPU (P26) ------ */

struct free_guest {
	enum kind kind;
	struct worker *w;
	void *g; /* struct guest, made and used on the worker only */
	long n;
	double ns;
	char err[256];
};

static int free_setup_here(void *arg)
{
	struct free_guest *f = arg;
	return getpid_setup(f->kind, &f->g, f->err, sizeof(f->err));
}

static int free_run_here(void *arg)
{
	struct free_guest *f = arg;
	return getpid_run(f->g, f->n, &f->ns, f->err, sizeof(f->err));
}

static int free_teardown_here(void *arg)
{
	guest_free(((struct free_guest *)arg)->g);
	return 0;
}

static int free_setup(enum kind k, void **state, char *err, size_t errlen)
{
	struct free_guest *f = calloc(1, sizeof(*f));
	if (!f || !(f->w = worker_start(&bench_env.all_cpus))) {
		snprintf(err, errlen, "starting the free-running thread: %s", strerror(errno));
		free(f);
		return -1;
	}
	f->kind = k;
	if (worker_call(f->w, free_setup_here, f) != 0) {
		snprintf(err, errlen, "%s", f->err);
		worker_stop(f->w);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int free_run(void *state, long n, double *ns, char *err, size_t errlen)
{
	struct free_guest *f = state;
	f->n = n;
	if (worker_call(f->w, free_run_here, f) != 0) {
		snprintf(err, errlen, "%s", f->err);
		return -1;
	}
	*ns = f->ns;
	return 0;
}

static void free_teardown(void *state)
{
	struct free_guest *f = state;
	worker_call(f->w, free_teardown_here, f);
	worker_stop(f->w);
	free(f);
}

static int free_bind_setup(void **state, char *err, size_t errlen)
{
	return free_setup(FREE_BIND, state, err, errlen);
}
static int free_nobind_setup(void **state, char *err, size_t errlen)
{
	return free_setup(FREE_NOBIND, state, err, errlen);
}

/* --- faults: P17's classification, P21's map-file ----------------------- */

static int faults_run(struct guest *g, bool write, long n, double *ns, char *err, size_t errlen)
{
	return bench_fault_loop(g->ctx, g->as, g->memfd, write, n, ns, err, errlen);
}

static int read_fault_setup(void **state, char *err, size_t errlen)
{
	return guest_new(LAZY, g_read_pages, g_read_pages_end, state, err, errlen);
}
static int write_fault_setup(void **state, char *err, size_t errlen)
{
	return guest_new(LAZY, g_write_pages, g_write_pages_end, state, err, errlen);
}
static int read_fault_run(void *s, long n, double *ns, char *err, size_t errlen)
{
	return faults_run(s, false, n, ns, err, errlen);
}
static int write_fault_run(void *s, long n, double *ns, char *err, size_t errlen)
{
	return faults_run(s, true, n, ns, err, errlen);
}

/* --- single injections --------------------------------------------------- */

static int inject_run(struct guest *g, bool time_unmap, long n, double *ns, char *err,
		      size_t errlen)
{
	return bench_map_unmap(g->as, g->memfd, MAP_ADDR, time_unmap, n, ns, err, errlen);
}

static int inject_setup(void **state, char *err, size_t errlen)
{
	return guest_new(LAZY, g_getpid, g_getpid_end, state, err, errlen);
}
static int map_run(void *s, long n, double *ns, char *err, size_t errlen)
{
	return inject_run(s, false, n, ns, err, errlen);
}
static int unmap_run(void *s, long n, double *ns, char *err, size_t errlen)
{
	return inject_run(s, true, n, ns, err, errlen);
}

/* --- new address spaces (P5, P22) -------------------------------------- */

struct as_state {
	enum kind kind;
	struct plat *p;
	int memfd;
};

static int as_setup(enum kind k, void **state, char *err, size_t errlen)
{
	struct as_state *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->kind = k;
	s->memfd = memfd_create("bench-as", MFD_CLOEXEC);
	if (s->memfd < 0 || ftruncate(s->memfd, PAGE) || !(s->p = plat_get(k, err, errlen))) {
		if (s->memfd < 0)
			snprintf(err, errlen, "memfd: %s", strerror(errno));
		if (s->memfd >= 0)
			close(s->memfd);
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

/* A usable address space: new, one map-file (which needs this thread's
 * syscall thread in it), and release (pooled, or killed and reaped). */
static int as_run(void *state, long n, double *ns, char *err, size_t errlen)
{
	struct as_state *s = state;
	return bench_as_cycle(s->p, s->memfd, CODE_ADDR, n, ns, err, errlen);
}

static void as_teardown(void *state)
{
	struct as_state *s = state;
	close(s->memfd);
	plat_put(s->kind);
	free(s);
}

static int pool_setup(void **state, char *err, size_t errlen)
{
	return as_setup(LAZY, state, err, errlen);
}
static int master_setup(void **state, char *err, size_t errlen)
{
	return as_setup(NO_POOL, state, err, errlen);
}

/* clang-format off */
#define GUEST(nm, lb, n_, su, ru) \
	{ .name = nm, .label = lb, .group = "platform", .n = n_, .setup = su, .run = ru, \
	  .teardown = guest_teardown }
const struct bench bench_platform[] = {
	GUEST("plat_getpid_lazy", "emulated getpid, lazy (default)", 30000,
	      getpid_lazy_setup, getpid_run),
	GUEST("plat_getpid_full", "emulated getpid, full-state", 30000,
	      getpid_full_setup, getpid_run),
	GUEST("plat_getpid_lazy_cpuid", "emulated getpid, lazy, CPUID faulting on", 30000,
	      getpid_cpuid_setup, getpid_run),
	{ .name = "plat_getpid_lazy_free", .label = "emulated getpid, lazy, tracer free, bound",
	  .group = "platform", .n = 30000, .setup = free_bind_setup, .run = free_run,
	  .teardown = free_teardown },
	{ .name = "plat_getpid_lazy_free_nobind", .label = "emulated getpid, lazy, free, not bound",
	  .group = "platform", .n = 30000, .setup = free_nobind_setup, .run = free_run,
	  .teardown = free_teardown },
	GUEST("plat_fault_rt", "fault round trip (fault, map-file, resume)", 10000,
	      read_fault_setup, read_fault_run),
	GUEST("plat_two_step", "read-then-write two-step (2 faults, 2 maps)", 5000,
	      write_fault_setup, write_fault_run),
	GUEST("plat_map_file", "map-file injection", 10000, inject_setup, map_run),
	GUEST("plat_unmap", "unmap injection", 10000, inject_setup, unmap_run),
	{ .name = "plat_as_pool", .label = "new address space from the pool",
	  .group = "platform", .n = 2000, .setup = pool_setup, .run = as_run,
	  .teardown = as_teardown },
	{ .name = "plat_as_master", .label = "new address space from the master",
	  .group = "platform", .n = 200, .setup = master_setup, .run = as_run,
	  .teardown = as_teardown },
	{ 0 }
};
/* clang-format on */
