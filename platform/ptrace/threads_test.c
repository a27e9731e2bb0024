/* P8, P9: several tracer threads in one address space. */
#include "platform/test_guest.h"

#include <dirent.h>
#include <pthread.h>

GUEST_CODE(g_getpid_loop, "1: mov $39, %eax\n syscall\n jmp 1b");

#define TRACERS 4
#define ROUNDS 200

static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;
static int n_new, n_rekey;
static pid_t rekeyed_tid;

static void on_event(void *arg, const struct plat_event *ev)
{
	(void)arg;
	pthread_mutex_lock(&ev_mu);
	if (ev->kind == PLAT_EV_THREAD_NEW)
		n_new++;
	if (ev->kind == PLAT_EV_THREAD_REKEY) {
		n_rekey++;
		rekeyed_tid = ev->stub_tid;
	}
	pthread_mutex_unlock(&ev_mu);
}

struct tracer {
	struct guest *g;
	struct plat_ctx *ctx;
	pid_t stub_tid;
	int syscalls;
	pthread_barrier_t *start;
};

static void *tracer_main(void *arg)
{
	struct tracer *t = arg;
	struct user_regs_struct *r = plat_ctx_regs(t->ctx);
	r->rip = CODE_ADDR;
	r->rsp = STACK_ADDR + PAGE;
	r->eflags = 0x202;
	t->stub_tid = plat_test_thread_tid(t->g->as, false);
	pthread_barrier_wait(t->start);
	struct plat_exit ex;
	for (int i = 0; i < ROUNDS; i++) {
		if (plat_switch(t->ctx, t->g->as, &ex) != 0 || ex.kind != PLAT_EXIT_SYSCALL ||
		    r->orig_rax != 39)
			break;
		r->rax = (unsigned long long)i;
		t->syscalls++;
	}
	return NULL;
}

static int count_tasks(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

Test(threads, p9_p8_four_tracers_then_rekey,
     .description = "P9 P8: four tracer threads at once, then the re-key path")
{
	struct guest g;
	struct plat_options o = { .on_event = on_event };
	guest_setup_opts(&g, &o);
	guest_load(&g, g_getpid_loop, g_getpid_loop_end);
	struct tracer t[TRACERS];
	pthread_t th[TRACERS];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, TRACERS);
	for (int i = 0; i < TRACERS; i++) {
		t[i] = (struct tracer){ .g = &g, .ctx = plat_ctx_new(g.p), .start = &start };
		pthread_create(&th[i], NULL, tracer_main, &t[i]);
	}
	for (int i = 0; i < TRACERS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < TRACERS; i++) {
		cr_assert_eq(t[i].syscalls, ROUNDS, "tracer %d ran %d syscalls", i, t[i].syscalls);
		for (int j = 0; j < i; j++)
			cr_assert_neq(t[i].stub_tid, t[j].stub_tid,
				      "P8: each tracer has its own stub thread");
	}
	/* first thread + 4 guest threads + the main thread's syscall thread */
	cr_assert_eq(count_tasks(plat_as_pid(g.as)), TRACERS + 2);
	int new_before = n_new;
	/* The tracers are gone: their stub threads were parked, and this
	 * thread's first switch must re-key one of them instead of cloning. */
	struct user_regs_struct *r = guest_syscall(&g);
	cr_assert_eq(r->orig_rax, 39);
	cr_assert_eq(n_rekey, 1, "P8: a parked stub thread is re-keyed");
	cr_assert_eq(n_new, new_before, "no new stub thread when one can be re-keyed");
	bool found = false;
	for (int i = 0; i < TRACERS; i++)
		found |= t[i].stub_tid == rekeyed_tid;
	cr_assert(found);
	cr_assert_eq(count_tasks(plat_as_pid(g.as)), TRACERS + 2);
	for (int i = 0; i < TRACERS; i++)
		plat_ctx_release(t[i].ctx);
	guest_teardown(&g);
}

Test(threads, p8_pools_per_purpose,
     .description = "P8: separate stub threads for guest code and injection")
{
	struct guest g;
	guest_setup(&g, false);
	pid_t run = plat_test_thread_tid(g.as, false), inj = plat_test_thread_tid(g.as, true);
	cr_assert(run > 0 && inj > 0);
	cr_assert_neq(run, inj);
	cr_assert_eq(plat_test_thread_tid(g.as, false), run, "lookup is stable");
	guest_teardown(&g);
}
